"""Grouping the unanswered messages, so staff read "lost ID card: 14 times" instead of 14 rows.

Two passes. First, messages that are the same once normalised (:func:`nlu.normalize.normalize_text`,
case, spaces and punctuation) are one group: free, and it already folds most repeats. Then, with the
project's own sentence encoder (the catalogue's, :mod:`nlu.embedders`), groups whose leading
messages mean the same (cosine at least :data:`SIMILARITY`) are merged: "บัตรประชาชนหายทำยังไง" and
"ทำบัตรประชาชนหาย ต้องทำอย่างไร" are one question, and so is "where to register marriage" with
"จดทะเบียนสมรสที่ไหน" (the encoder is multilingual). Normalised text alone cannot see either.

The clustering is a single pass over the groups, most frequent first (ties by text): each joins the
earlier leader it is most similar to, when similar enough, or leads a group of its own. No randomness, no
iteration to convergence: the same messages give the same groups, with the same ids, every time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from backoffice.analytics.queries import UnansweredMessage
from nlu.embedders import Embedder
from nlu.normalize import normalize_text

__all__ = [
    "MAX_EMBEDDED",
    "MAX_EXAMPLES",
    "SIMILARITY",
    "UnansweredGroup",
    "group_id",
    "group_messages",
    "normalised_key",
]

# Chosen on paraphrases with the built-in USE encoder: rewordings of one question score 0.73-0.89,
# different questions under 0.4 (tests/backoffice/analytics/test_grouping.py keeps both sides).
SIMILARITY = 0.7
MAX_EXAMPLES = 5
# The encoder is the catalogue's, shared with citizens' searches behind one lock: at most this many
# groups (the largest) are embedded per request, a small batch at a time, so a search waits one batch
# at most; smaller groups keep their by-text grouping.
MAX_EMBEDDED = 1000
_BATCH = 32
_PUNCTUATION = re.compile(r"[\W_]+", re.UNICODE)
# Thai vowels and tone marks are combining characters ("Mn"), which \W counts as non-word: keep them.
_KEEP = frozenset("Mn")


def normalised_key(message: str) -> str:
    """What two messages that differ only in case, spacing, punctuation or elongation share."""
    cleaned = normalize_text(message).casefold()
    kept = "".join(char if char.isalnum() or unicodedata.category(char) in _KEEP else " " for char in cleaned)
    return " ".join(_PUNCTUATION.sub(" ", kept).split())


def group_id(key: str) -> str:
    """A short stable id for the group a normalised message leads."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


@dataclass
class UnansweredGroup:
    id: str
    key: str  # the leading message, normalised
    count: int = 0
    first_seen: dt.datetime | None = None
    last_seen: dt.datetime | None = None
    outcomes: Counter[str] = field(default_factory=Counter)
    channels: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)
    messages: Counter[str] = field(default_factory=Counter)

    def add(self, message: UnansweredMessage) -> None:
        self.count += 1
        self.first_seen = message.at if self.first_seen is None else min(self.first_seen, message.at)
        self.last_seen = message.at if self.last_seen is None else max(self.last_seen, message.at)
        self.outcomes[message.outcome] += 1
        self.channels[message.channel] += 1
        self.languages[message.language] += 1
        self.messages[message.message] += 1

    def merge(self, other: UnansweredGroup) -> None:
        self.count += other.count
        seen = [t for t in (self.first_seen, other.first_seen, self.last_seen, other.last_seen) if t is not None]
        self.first_seen, self.last_seen = (min(seen), max(seen)) if seen else (None, None)
        for mine, theirs in (
            (self.outcomes, other.outcomes),
            (self.channels, other.channels),
            (self.languages, other.languages),
            (self.messages, other.messages),
        ):
            mine.update(theirs)

    def examples(self, limit: int = MAX_EXAMPLES) -> list[str]:
        """The group's distinct messages, most frequent first (ties by text)."""
        ranked = sorted(self.messages.items(), key=lambda item: (-item[1], item[0]))
        return [message for message, _count in ranked[:limit]]


def _by_text(messages: Sequence[UnansweredMessage]) -> list[UnansweredGroup]:
    groups: dict[str, UnansweredGroup] = {}
    for message in messages:
        key = normalised_key(message.message)
        if not key:
            continue
        if key not in groups:
            groups[key] = UnansweredGroup(group_id(key), key)
        groups[key].add(message)
    return sorted(groups.values(), key=lambda group: (-group.count, group.key))


def group_messages(
    messages: Sequence[UnansweredMessage], encoder: Embedder | None = None, similarity: float = SIMILARITY
) -> list[UnansweredGroup]:
    """The messages in groups, largest first (ties by leading text). Without ``encoder``, by
    normalised text only."""
    groups = _by_text(messages)
    if encoder is None or len(groups) < 2:
        return groups
    embedded, rest = groups[:MAX_EMBEDDED], groups[MAX_EMBEDDED:]
    texts = [group.examples(1)[0] for group in embedded]
    vectors = np.concatenate(
        [np.asarray(encoder.embed(texts[i : i + _BATCH]), dtype=np.float32) for i in range(0, len(texts), _BATCH)]
    )
    leaders: list[int] = []
    merged: list[UnansweredGroup] = []
    for index, group in enumerate(embedded):
        if leaders:
            scores = vectors[leaders] @ vectors[index]
            best = int(np.argmax(scores))
            if float(scores[best]) >= similarity:
                merged[best].merge(group)
                continue
        leaders.append(index)
        merged.append(group)
    return sorted([*merged, *rest], key=lambda group: (-group.count, group.key))
