"""How a service is told to a citizen: a short text answer and a structured card.

Pure functions of a :class:`~knowledge.schema.Service` and a language, so every
channel (web widget, LINE Flex) renders the same facts, in the words of :mod:`texts`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from knowledge.schema import VERIFIABLE_FIELDS, Fact, FactKind, LifeEvent, Service
from nlu.language import detect_language
from texts import Lang, format_date, life_event_name, text, unverified_note

__all__ = [
    "DETAIL_FIELDS",
    "choice_text",
    "detail_text",
    "follow_up_buttons",
    "last_checked_text",
    "life_event_buttons",
    "service_buttons",
    "service_card",
    "service_summary_text",
    "service_verify_note",
    "status_check_buttons",
    "unverified_fields",
    "unverified_items",
]

_MAX_DOCUMENTS_IN_TEXT = 4
# The fields a summary answer and a card tell of (eligibility through the summary), in the order
# the note about unconfirmed facts names them.
_SHOWN_FACTS = ["eligibility", "documents", "fees", "processing_time", "where_to_apply"]
_ALL_FIELDS = [*_SHOWN_FACTS, *sorted(VERIFIABLE_FIELDS - set(_SHOWN_FACTS))]


def unverified_fields(service: Service, fields: Sequence[str] = _ALL_FIELDS) -> list[str]:
    """Those of ``fields`` (in their order) that the catalogue has not confirmed: a field with an
    unverified fact, or one still flagged as a whole in ``to_verify``."""
    unverified = set(service.unverified_fields())
    return [field for field in fields if field in unverified]


# A fine, a deadline or an amount is named as what it is ("the fine"), not by the field it sits in.
_NAMED_KINDS = frozenset({FactKind.FINE, FactKind.DEADLINE, FactKind.AMOUNT})


def unverified_items(service: Service, fields: Sequence[str]) -> list[str]:
    """What to name as unconfirmed among ``fields``: for each unverified fact its field, or its
    kind for a fine, deadline or amount; then fields flagged as a whole in ``to_verify``; each once."""
    items: list[str] = []
    for field in fields:
        items += [
            fact.kind.value if fact.kind in _NAMED_KINDS else field
            for fact in service.facts
            if fact.field == field and not fact.verified
        ]
        if field in service.to_verify:
            items.append(field)
    return list(dict.fromkeys(items))


def service_verify_note(service: Service, fields: Sequence[str], lang: Lang) -> str | None:
    """The sentence naming what of ``fields`` is not confirmed with the agency, or None."""
    items = unverified_items(service, fields)
    return unverified_note(items, lang) if items else None


def last_checked_text(service: Service, lang: Lang) -> str:
    """When the service's facts were last checked against their sources, or that nobody has yet."""
    checked = service.last_checked()
    if checked is None:
        return text("card.unchecked", lang)
    return text("card.reviewed", lang, date=format_date(checked, lang))


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
    checked = service.last_checked()
    if checked is None:
        return text("answers.source_line_unchecked", lang, url=str(service.source_url))
    return text("answers.source_line", lang, url=str(service.source_url), date=format_date(checked, lang))


def _fact_source_lines(facts: Sequence[Fact], lang: Lang) -> list[str]:
    """One line per page the verified ``facts`` were checked against, with its latest check."""
    latest: dict[str, tuple[str, dt.date]] = {}
    for fact in facts:
        if fact.verified and fact.source is not None and fact.source.url is not None and fact.checked is not None:
            url = str(fact.source.url)
            if url not in latest or latest[url][1] < fact.checked:
                latest[url] = (fact.source.title, fact.checked)
    lines = []
    for url, (title, checked) in latest.items():
        name = _title_in(title, lang)
        date = format_date(checked, lang)
        if name is None:
            lines.append(text("answers.fact_source_url_line", lang, url=url, date=date))
        else:
            lines.append(text("answers.fact_source_line", lang, title=name, url=url, date=date))
    return lines


def _title_in(title: str | None, lang: Lang) -> str | None:
    """A source's name as an answer in ``lang`` may show it: an English answer leaves out a Thai
    page's name (its link stays), so English readers get no Thai they may not read."""
    if title is None or (lang == "en" and detect_language(title, default="en") != "en"):
        return None
    return title


def _checked_facts(service: Service, lang: Lang) -> list[dict[str, Any]]:
    return [
        {
            "field": fact.field,
            "kind": fact.kind.value,
            "text": fact.text.get(lang),
            "source_url": str(fact.source.url) if fact.source and fact.source.url else None,
            "source_title": _title_in(fact.source.title if fact.source else None, lang),
            "checked": fact.checked.isoformat() if fact.checked else None,
        }
        for fact in service.facts
        if fact.verified
    ]


def service_card(service: Service, lang: Lang) -> dict[str, Any]:
    """A channel-neutral card; the web widget and LINE Flex render it.

    ``verify_note`` is the sentence naming the unconfirmed facts (or None) and
    ``last_checked_text`` the sentence saying when the facts were checked, so both channels show
    the same words as the text answer. ``unverified`` names the unconfirmed fields (from the facts
    and the old ``to_verify`` flags), for badges; ``to_verify`` is the service's own flags, as
    before. ``last_reviewed`` is the date of the last check (ISO), or None when nobody has checked."""
    checked = service.last_checked()
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
        "last_reviewed": checked.isoformat() if checked else None,
        "last_checked_text": last_checked_text(service, lang),
        "to_verify": list(service.to_verify),
        "unverified": unverified_fields(service),
        "checked_facts": _checked_facts(service, lang),
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
    # The page this field's facts were checked against says more than the service's general one.
    cited = _fact_source_lines([fact for fact in service.facts if fact.field == field], lang)
    lines += cited or [_source_line(service, lang)]
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
