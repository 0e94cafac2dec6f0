"""Which life event a message names, from the words in knowledge/seed/life_event_words.yml.

A backstop for the dialogue model: Rasa may recognise that a citizen asks what to do about a life
event ("ลูกเพิ่งคลอด ต้องทำอะไรบ้าง") without tagging which one, and the journey is then one word
away. Data, not code, so an editor adds a phrasing without a release.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge.schema import LifeEvent

__all__ = ["WORDS_FILE", "life_event_in"]

WORDS_FILE = Path(__file__).parent / "seed" / "life_event_words.yml"


@lru_cache(maxsize=4)
def _words(path: Path = WORDS_FILE) -> tuple[tuple[LifeEvent, tuple[str, ...], re.Pattern[str] | None], ...]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    table = []
    for name, words in raw.items():
        event = LifeEvent(name)  # an unknown name fails loudly at first use (and in the tests)
        thai = tuple(str(word) for word in words.get("th") or [])
        english = [re.escape(str(word).lower()) for word in words.get("en") or []]
        pattern = re.compile(r"\b(?:" + "|".join(english) + r")\b") if english else None
        table.append((event, thai, pattern))
    return tuple(table)


def life_event_in(message: str, path: Path = WORDS_FILE) -> LifeEvent | None:
    """The first life event (in the file's order) one of whose words the message holds, or None."""
    lowered = message.lower()
    for event, thai, english in _words(path):
        if any(word in message for word in thai) or (english is not None and english.search(lowered)):
            return event
    return None
