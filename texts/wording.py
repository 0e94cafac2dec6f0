"""Looking up and composing citizen-facing sentences from the one table, in Thai or English."""

from __future__ import annotations

from collections.abc import Sequence

from knowledge.schema import LifeEvent
from nlu.language import Lang
from texts.table import table

__all__ = ["bilingual", "field_name", "join_list", "life_event_name", "text", "verify_note"]

# Typography, not wording: Thai separates listed items with a space, English with a comma.
_LIST_SEPARATOR: dict[Lang, str] = {"th": " ", "en": ", "}


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


def life_event_name(event: LifeEvent, lang: Lang) -> str:
    return text(f"life_event.{event.value}", lang)
