"""The one table of citizen-facing texts, in Thai and English, and how to compose them.

The wording lives in ``citizen_texts.yml``; the actions, the conversation core, LINE and
the web widget (through the gateway) all take their sentences from it, so a citizen reads
the same words on every channel. It sits between ``knowledge`` and ``actions``: it may use
the catalogue's types, and everything above may use it.
"""

from __future__ import annotations

from nlu.language import Lang
from texts.limits import MAX_QUICK_REPLIES
from texts.table import LANGUAGES
from texts.widget import widget_strings
from texts.wording import (
    bilingual,
    field_name,
    format_date,
    join_list,
    life_event_name,
    text,
    unverified_note,
    verify_note,
)

__all__ = [
    "LANGUAGES",
    "MAX_QUICK_REPLIES",
    "Lang",
    "bilingual",
    "field_name",
    "format_date",
    "join_list",
    "life_event_name",
    "text",
    "unverified_note",
    "verify_note",
    "widget_strings",
]
