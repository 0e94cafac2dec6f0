"""How a service is told to a citizen: a short text answer and a structured card.

Pure functions of a :class:`~knowledge.schema.Service` and a language, so every
channel (web widget, LINE Flex) renders the same facts.
"""

from __future__ import annotations

from typing import Any

from actions.texts import LIFE_EVENT_NAMES, Lang, text
from knowledge.schema import LifeEvent, Service

__all__ = [
    "DETAIL_FIELDS",
    "detail_text",
    "follow_up_buttons",
    "life_event_buttons",
    "service_card",
    "service_summary_text",
    "verify_note",
]

_MAX_DOCUMENTS_IN_TEXT = 4


def verify_note(service: Service, fields: list[str], lang: Lang) -> str | None:
    """A caution for facts the catalogue marks as still to be verified."""
    flagged = [field for field in fields if field in service.to_verify]
    if not flagged:
        return None
    names = [text(field, lang).lower() if lang == "en" else text(field, lang) for field in flagged]
    if len(names) == 1:
        joined = names[0]
    elif lang == "en":
        joined = ", ".join(names[:-1]) + " and " + names[-1]
    else:
        joined = " ".join(names[:-1]) + " และ" + names[-1]
    return text("verify_note", lang, fields=joined)


def service_summary_text(service: Service, lang: Lang) -> str:
    """The answer to "tell me about X": what it is, documents, fee, time, where, source."""
    documents = [doc.get(lang) for doc in service.documents]
    shown = documents[:_MAX_DOCUMENTS_IN_TEXT]
    more = len(documents) - len(shown)
    # Single newlines only: Rasa's REST channel splits a text on blank lines into separate
    # messages, and LINE allows at most five per reply.
    lines = [service.title.get(lang), service.summary.get(lang), f"{text('documents', lang)}:"]
    lines += [f"• {doc}" for doc in shown]
    if more > 0:
        lines.append(f"• (+{more} " + ("รายการ)" if lang == "th" else "more)"))
    lines += [
        f"{text('fees', lang)}: {service.fees.get(lang)}",
        f"{text('processing_time', lang)}: {service.processing_time.get(lang)}",
        f"{text('where_to_apply', lang)}: {service.where_to_apply.description.get(lang)}",
    ]
    note = verify_note(service, ["documents", "fees", "processing_time", "where_to_apply"], lang)
    if note:
        lines.append(note)
    lines.append(text("source_line", lang, url=str(service.source_url), date=service.last_reviewed.isoformat()))
    return "\n".join(lines)


def service_card(service: Service, lang: Lang) -> dict[str, Any]:
    """A channel-neutral card; the web widget and LINE Flex render it."""
    links = [{"label": text("official_source", lang), "url": str(service.source_url)}]
    if service.where_to_apply.online_url:
        links.insert(0, {"label": text("apply_online", lang), "url": str(service.where_to_apply.online_url)})
    return {
        "type": "service_card",
        "lang": lang,
        "service_id": service.id,
        "title": service.title.get(lang),
        "summary": service.summary.get(lang),
        "facts": [
            {"key": "fees", "label": text("fees", lang), "value": service.fees.get(lang)},
            {
                "key": "processing_time",
                "label": text("processing_time", lang),
                "value": service.processing_time.get(lang),
            },
            {
                "key": "where_to_apply",
                "label": text("where_to_apply", lang),
                "value": service.where_to_apply.description.get(lang),
            },
            {"key": "agency", "label": text("agency", lang), "value": service.agency.get(lang)},
        ],
        "documents": [doc.get(lang) for doc in service.documents],
        "links": links,
        "last_reviewed": service.last_reviewed.isoformat(),
        "to_verify": list(service.to_verify),
    }


def life_event_buttons(lang: Lang) -> list[dict[str, str]]:
    """Quick replies that open a life event (handled by the browse_life_event intent)."""
    return [
        {
            "title": LIFE_EVENT_NAMES[event][lang],
            "payload": f'/browse_life_event{{"life_event":"{event.value}"}}',
        }
        for event in LifeEvent
    ]


DETAIL_FIELDS = ("documents", "fees", "where_to_apply", "processing_time", "eligibility")


def detail_text(service: Service, field: str, lang: Lang) -> str:
    """The answer to one follow-up question about a service (documents, fees, where, time, who)."""
    title = service.title.get(lang)
    label = text(field, lang)
    lines = [title, f"{label}:"]
    if field == "documents":
        lines += [f"• {doc.get(lang)}" for doc in service.documents]
    elif field == "fees":
        lines.append(service.fees.get(lang))
    elif field == "processing_time":
        lines.append(service.processing_time.get(lang))
    elif field == "eligibility":
        lines.append(service.eligibility.get(lang))
    elif field == "where_to_apply":
        where = service.where_to_apply
        lines.append(where.description.get(lang))
        if where.opening_hours:
            lines.append(f"{text('opening_hours', lang)}: {where.opening_hours.get(lang)}")
        if where.online_url:
            lines.append(f"{text('apply_online', lang)}: {where.online_url}")
        lines += [f"• {office.name.get(lang)}" for office in where.offices[:5]]
    else:
        raise ValueError(f"unknown detail field {field!r}; choose one of {DETAIL_FIELDS}")
    note = verify_note(service, [field], lang)
    if note:
        lines.append(note)
    lines.append(text("source_line", lang, url=str(service.source_url), date=service.last_reviewed.isoformat()))
    return "\n".join(lines)


_FOLLOW_UPS = {
    "documents": "follow_documents",
    "fees": "follow_fees",
    "where_to_apply": "follow_where",
    "processing_time": "follow_time",
    "eligibility": "follow_eligibility",
}


def follow_up_buttons(lang: Lang, answered: str | None = None) -> list[dict[str, str]]:
    """Next questions about the same service, then a rating of the answer."""
    buttons = [
        {"title": text(key, lang), "payload": text(key, lang)}
        for field, key in _FOLLOW_UPS.items()
        if field != answered
    ]
    buttons += [
        {"title": text("feedback_helpful", lang), "payload": '/give_feedback{"rating":"helpful"}'},
        {"title": text("feedback_unhelpful", lang), "payload": '/give_feedback{"rating":"unhelpful"}'},
    ]
    return buttons
