"""Looking up and composing citizen-facing sentences from the one table, in Thai or English."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from knowledge.schema import LifeEvent
from nlu.language import Lang
from texts.table import table

__all__ = [
    "bilingual",
    "field_name",
    "format_date",
    "format_opening",
    "join_list",
    "life_event_name",
    "text",
    "unverified_note",
    "verify_note",
]

# Typography, not wording: Thai separates listed items with a space, English with a comma.
_LIST_SEPARATOR: dict[Lang, str] = {"th": " ", "en": ", "}
# The calendar, not wording: Thai dates count the Buddhist era, 543 years ahead of the Common Era.
_YEAR_OFFSET: dict[Lang, int] = {"th": 543, "en": 0}
_MONTH_KEYS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def text(key: str, lang: Lang, **values: object) -> str:
    """The entry ``key`` ("group.key") in ``lang``, its ``{placeholders}`` filled from ``values``."""
    return table()[key][lang].format(**values)


def bilingual(key: str, **values: object) -> str:
    """Thai first, then English: for moments when we do not know the citizen's language yet."""
    return f"{text(key, 'th', **values)}\n\n{text(key, 'en', **values)}"


def field_name(field: str, lang: Lang) -> str:
    """A catalogue field's label inside a sentence: "the fees", not "the Fees", in English."""
    label = text(f"answers.{field}", lang)
    return label.lower() if lang == "en" else label


def join_list(items: Sequence[str], lang: Lang) -> str:
    """Items as a sentence lists them: "a, b and c" in English, "ก ข และค" in Thai."""
    if len(items) < 2:
        return "".join(items)
    return text("answers.list_and", lang, items=_LIST_SEPARATOR[lang].join(items[:-1]), last=items[-1])


def verify_note(fields: Sequence[str], lang: Lang) -> str:
    """The caution for catalogue facts still to be verified, naming those ``fields``
    (``"fees"``, ``"documents"`` ...); the same sentence on every channel."""
    if not fields:
        raise ValueError("a verify note names at least one field")
    return text("answers.verify_note", lang, fields=join_list([field_name(field, lang) for field in fields], lang))


def unverified_note(items: Sequence[str], lang: Lang) -> str:
    """The sentence naming what the catalogue has not confirmed with the agency, e.g.
    "ค่าธรรมเนียมยังไม่ได้ตรวจสอบกับหน่วยงาน ..." / "The fee has not been confirmed with the agency; ...".

    ``items`` are Service fields ("fees", "documents" ...) or the kinds of fact named on their own
    ("fine", "deadline", "amount"), each with an ``answers.unverified_<item>`` entry."""
    if not items:
        raise ValueError("an unverified note names at least one item")
    names = join_list([text(f"answers.unverified_{item}", lang) for item in items], lang)
    sentence = text("answers.unverified_one" if len(items) == 1 else "answers.unverified_many", lang, fields=names)
    return sentence[:1].upper() + sentence[1:]


def format_date(date: dt.date, lang: Lang) -> str:
    """A date as a citizen reads it: "1 ธ.ค. 2569" (Buddhist era) in Thai, "1 Dec 2026" in English.

    :Example:

        >>> format_date(dt.date(2026, 12, 1), "th")
        '1 ธ.ค. 2569'
        >>> format_date(dt.date(2026, 12, 1), "en")
        '1 Dec 2026'
    """
    month = text(f"date.{_MONTH_KEYS[date.month - 1]}", lang)
    return f"{date.day} {month} {date.year + _YEAR_OFFSET[lang]}"


_WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def format_opening(when: dt.datetime, lang: Lang) -> str:
    """When the hand-off desk opens, as a citizen reads it (in ``when``'s own time zone).

    :Example:

        >>> format_opening(dt.datetime(2026, 12, 7, 8, 30), "th")
        'วันจันทร์ที่ 7 ธ.ค. 2569 เวลา 08:30 น.'
        >>> format_opening(dt.datetime(2026, 12, 7, 8, 30), "en")
        'Monday 7 Dec 2026, 08:30'
    """
    weekday = text(f"handoff.weekday_{_WEEKDAY_KEYS[when.weekday()]}", lang)
    return text(
        "handoff.opening", lang, weekday=weekday, date=format_date(when.date(), lang), time=when.strftime("%H:%M")
    )


def life_event_name(event: LifeEvent, lang: Lang) -> str:
    return text(f"life_event.{event.value}", lang)
