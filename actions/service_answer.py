"""How a service is told to a citizen: a short text answer and a structured card.

Pure functions of a :class:`~knowledge.schema.Service` and a language, so every
channel (web widget, LINE Flex) renders the same facts, in the words of :mod:`texts`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from knowledge.schema import LifeEvent, Service
from texts import Lang, life_event_name, text, verify_note

__all__ = [
    "DETAIL_FIELDS",
    "choice_text",
    "detail_text",
    "follow_up_buttons",
    "life_event_buttons",
    "service_buttons",
    "service_card",
    "service_summary_text",
    "service_verify_note",
    "status_check_buttons",
]

_MAX_DOCUMENTS_IN_TEXT = 4
# The facts a summary answer and a card show, in the order the verify note names them.
_SHOWN_FACTS = ["documents", "fees", "processing_time", "where_to_apply"]


def service_verify_note(service: Service, fields: list[str], lang: Lang) -> str | None:
    """A caution for those of ``fields`` the catalogue marks as still to be verified."""
    flagged = [field for field in fields if field in service.to_verify]
    return verify_note(flagged, lang) if flagged else None


def service_summary_text(service: Service, lang: Lang) -> str:
    """The answer to "tell me about X": what it is, documents, fee, time, where, source."""
    documents = [doc.get(lang) for doc in service.documents]
    shown = documents[:_MAX_DOCUMENTS_IN_TEXT]
    more = len(documents) - len(shown)
    # Single newlines only: Rasa's REST channel splits a text on blank lines into separate
    # messages, and LINE allows at most five per reply.
    lines = [service.title.get(lang), service.summary.get(lang), f"{text('answers.documents', lang)}:"]
    lines += [f"• {doc}" for doc in shown]
    if more > 0:
        lines.append(f"• {text('answers.more_documents', lang, count=more)}")
    lines += [
        f"{text('answers.fees', lang)}: {service.fees.get(lang)}",
        f"{text('answers.processing_time', lang)}: {service.processing_time.get(lang)}",
        f"{text('answers.where_to_apply', lang)}: {service.where_to_apply.description.get(lang)}",
    ]
    note = service_verify_note(service, _SHOWN_FACTS, lang)
    if note:
        lines.append(note)
    lines.append(_source_line(service, lang))
    return "\n".join(lines)


def _source_line(service: Service, lang: Lang) -> str:
    return text("answers.source_line", lang, url=str(service.source_url), date=service.last_reviewed.isoformat())


def service_card(service: Service, lang: Lang) -> dict[str, Any]:
    """A channel-neutral card; the web widget and LINE Flex render it.

    ``verify_note`` is the caution sentence itself (or None), so both channels show the
    same words as the text answer; ``to_verify`` still names the fields, for badges."""
    links = [{"label": text("answers.official_source", lang), "url": str(service.source_url)}]
    if service.where_to_apply.online_url:
        links.insert(0, {"label": text("answers.apply_online", lang), "url": str(service.where_to_apply.online_url)})
    return {
        "type": "service_card",
        "lang": lang,
        "service_id": service.id,
        "title": service.title.get(lang),
        "summary": service.summary.get(lang),
        "facts": [
            {"key": "fees", "label": text("answers.fees", lang), "value": service.fees.get(lang)},
            {
                "key": "processing_time",
                "label": text("answers.processing_time", lang),
                "value": service.processing_time.get(lang),
            },
            {
                "key": "where_to_apply",
                "label": text("answers.where_to_apply", lang),
                "value": service.where_to_apply.description.get(lang),
            },
            {"key": "agency", "label": text("answers.agency", lang), "value": service.agency.get(lang)},
        ],
        "documents": [doc.get(lang) for doc in service.documents],
        "links": links,
        "last_reviewed": service.last_reviewed.isoformat(),
        "to_verify": list(service.to_verify),
        "verify_note": service_verify_note(service, _SHOWN_FACTS, lang),
    }


def life_event_buttons(lang: Lang) -> list[dict[str, str]]:
    """Quick replies that open a life event (handled by the browse_life_event intent)."""
    return [
        {
            "title": life_event_name(event, lang),
            "payload": f'/browse_life_event{{"life_event":"{event.value}"}}',
        }
        for event in LifeEvent
    ]


def service_buttons(services: Sequence[Service], lang: Lang, intent: str = "ask_service") -> list[dict[str, str]]:
    """Quick replies that pick a service by its id, so the choice is exact and keeps the question's
    ``intent`` ("ask_fee" answers the fee of the service picked)."""
    return [{"title": s.title.get(lang), "payload": f'/{intent}{{"service":"{s.id}"}}'} for s in services]


def choice_text(services: Sequence[Service], lang: Lang) -> str:
    """Asking back between close services, each named in full (a LINE quick reply shows 20 characters)."""
    return "\n".join([text("answers.ask_which_of", lang), *(f"• {s.title.get(lang)}" for s in services)])


def status_check_buttons(lang: Lang) -> list[dict[str, str]]:
    return [{"title": text("answers.status_check", lang), "payload": "/check_status"}]


DETAIL_FIELDS = ("documents", "fees", "where_to_apply", "processing_time", "eligibility")


def detail_text(service: Service, field: str, lang: Lang) -> str:
    """The answer to one follow-up question about a service (documents, fees, where, time, who)."""
    title = service.title.get(lang)
    lines = [title, f"{text(f'answers.{field}', lang)}:"]
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
            lines.append(f"{text('answers.opening_hours', lang)}: {where.opening_hours.get(lang)}")
        if where.online_url:
            lines.append(f"{text('answers.apply_online', lang)}: {where.online_url}")
        lines += [f"• {office.name.get(lang)}" for office in where.offices[:5]]
    else:
        raise ValueError(f"unknown detail field {field!r}; choose one of {DETAIL_FIELDS}")
    note = service_verify_note(service, [field], lang)
    if note:
        lines.append(note)
    lines.append(_source_line(service, lang))
    return "\n".join(lines)


_FOLLOW_UPS = {
    "documents": "answers.follow_documents",
    "fees": "answers.follow_fees",
    "where_to_apply": "answers.follow_where",
    "processing_time": "answers.follow_time",
    "eligibility": "answers.follow_eligibility",
}


def follow_up_buttons(lang: Lang, answered: str | None = None) -> list[dict[str, str]]:
    """Next questions about the same service, then a rating of the answer."""
    buttons = [
        {"title": text(key, lang), "payload": text(key, lang)}
        for field, key in _FOLLOW_UPS.items()
        if field != answered
    ]
    buttons += [
        {"title": text("answers.feedback_helpful", lang), "payload": '/give_feedback{"rating":"helpful"}'},
        {"title": text("answers.feedback_unhelpful", lang), "payload": '/give_feedback{"rating":"unhelpful"}'},
    ]
    return buttons
