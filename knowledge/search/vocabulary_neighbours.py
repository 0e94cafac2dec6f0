"""The index's own Thai words, findable by sound and by a small edit distance.

A citizen's misspelt word is rarely in the catalogue, but the word meant is: "บัตรประชาชล" sounds
like "บัตรประชาชน" (same PyThaiNLP soundex key), "เดิทาง" is one letter from "เดินทาง". Looking for
near words among the index's own vocabulary (not a general dictionary) keeps every correction a
word that can actually match a document.

Memory: one key per word and engine, and the deletion variants of each word (about ``length`` of
them for one edit, ``length**2 / 2`` more for two). Nothing here is synchronised:
:class:`knowledge.search.index.HybridIndex` serialises writers against readers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from nlu.edit_distance import deletions, edit_distance
from nlu.phonetic import SOUNDEX_ENGINES, sound_key

__all__ = ["Neighbour", "VocabularyNeighbours", "edits_allowed"]

_Key = TypeVar("_Key", str, tuple[str, str])
_THAI_WORD = re.compile(r"[\u0e01-\u0e4e]+")
# Two edits only for long words: in a short word two edits reach unrelated words ("ภาษี" -> "ภาพ").
_TWO_EDITS_FROM = 7
# A word that sounds alike may differ by two letters from six characters on ("พาสปอต" -> "พาสปอร์ต");
# below that, two letters turn one word into another ("สื่อ" and "ซื้อ").
_TWO_SOUND_EDITS_FROM = 6


@dataclass(frozen=True)
class Neighbour:
    """An indexed word near a query word: how many edits away, and whether it sounds the same."""

    word: str
    distance: int
    sounds_alike: bool


def edits_allowed(length: int, max_edits: int) -> int:
    """Edits tolerated in a word of ``length`` characters: 1, or 2 from seven characters on."""
    if max_edits <= 0:
        return 0
    return min(max_edits, 2 if length >= _TWO_EDITS_FROM else 1)


class VocabularyNeighbours:
    """Thai words of the index, keyed by sound (one key per soundex engine) and by deletion variants."""

    def __init__(
        self,
        sound_engines: Iterable[str] = (),
        max_edits: int = 1,
        min_chars: int = 3,
        sound_max_edits: int = 2,
    ) -> None:
        engines = tuple(sound_engines)
        for engine in engines:
            if engine not in SOUNDEX_ENGINES:
                raise ValueError(f"unknown soundex engine {engine!r}; choose one of {', '.join(SOUNDEX_ENGINES)}")
        if max_edits < 0 or sound_max_edits < 0:
            raise ValueError("edit distances must be 0 or more")
        self.sound_engines = engines
        self.max_edits = max_edits
        self.min_chars = min_chars
        self.sound_max_edits = sound_max_edits
        self._words: set[str] = set()
        self._by_sound: dict[tuple[str, str], set[str]] = {}
        self._by_deletion: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self._words)

    def __contains__(self, word: object) -> bool:
        return word in self._words

    def eligible(self, word: str) -> bool:
        """Thai and long enough to be told apart from others.

        Function words stay in: PyThaiNLP's Thai stopwords hold "เกิด" and "ได้", which citizens misspell too.
        """
        return len(word) >= self.min_chars and bool(_THAI_WORD.fullmatch(word))

    def add(self, words: Iterable[str]) -> None:
        for word in words:
            if word in self._words or not self.eligible(word):
                continue
            self._words.add(word)
            for key in self._sound_keys(word):
                self._by_sound.setdefault(key, set()).add(word)
            for variant in self._variants(word):
                self._by_deletion.setdefault(variant, set()).add(word)

    def remove(self, words: Iterable[str]) -> None:
        for word in words:
            if word not in self._words:
                continue
            self._words.discard(word)
            for key in self._sound_keys(word):
                _discard(self._by_sound, key, word)
            for variant in self._variants(word):
                _discard(self._by_deletion, variant, word)

    def near(self, word: str) -> list[Neighbour]:
        """Indexed words that sound like ``word`` or are a few edits from it (never ``word`` itself)."""
        if not self.eligible(word):
            return []
        allowed = edits_allowed(len(word), self.max_edits)
        found: dict[str, Neighbour] = {}
        if allowed:
            seen: set[str] = set()
            for variant in deletions(word, allowed):
                seen.update(self._by_deletion.get(variant, ()))
            seen.discard(word)
            for candidate in seen:
                distance = edit_distance(word, candidate)
                if distance <= allowed:
                    found[candidate] = Neighbour(candidate, distance, sounds_alike=False)
        alike: set[str] = set()
        for key in self._sound_keys(word):
            alike.update(self._by_sound.get(key, ()))
        alike.discard(word)
        for candidate in alike:
            # Soundex keys are short: a sound match must also be spelt nearly alike.
            distance = found[candidate].distance if candidate in found else edit_distance(word, candidate)
            if distance <= min(self.sound_max_edits, 1 if len(word) < _TWO_SOUND_EDITS_FROM else 2):
                found[candidate] = Neighbour(candidate, distance, sounds_alike=True)
        return sorted(found.values(), key=lambda n: (not n.sounds_alike, n.distance, n.word))

    def _sound_keys(self, word: str) -> list[tuple[str, str]]:
        return [(engine, key) for engine in self.sound_engines if (key := sound_key(word, engine))]

    def _variants(self, word: str) -> set[str]:
        # A word is found from a query word up to two edits longer, so it keeps variants for the
        # largest distance any query word may use against it.
        depth = edits_allowed(len(word) + self.max_edits, self.max_edits)
        return deletions(word, depth) if depth else set()


def _discard(table: dict[_Key, set[str]], key: _Key, word: str) -> None:
    bucket = table.get(key)
    if bucket is not None:
        bucket.discard(word)
        if not bucket:
            del table[key]
