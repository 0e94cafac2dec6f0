"""Misspelt Thai in a query, mapped to the index's own words by sound and by edit distance.

Word segmentation breaks a misspelt word into pieces that match nothing ("บัตรประชาชล" becomes
"บัตร" + "ประชา" + "ชล"), so the suspects are runs of up to ``max_join`` consecutive pieces of one
Thai run whose joined text the index has never seen. Each suspect is looked up among the indexed
words (:class:`~knowledge.search.vocabulary_neighbours.VocabularyNeighbours`): by default
(``correct_query``) the best word replaces the suspect in the text every channel searches, the
sentence encoder's included; otherwise the words join the lexical channels with weights below one,
as the word bridge's translations do. Rules keep correctly spelt text as it is (see
:meth:`SpellingBridge.corrections`): on the labelled questions, 1 in 269 correctly spelt ones is
rewritten at all, and none ranks differently.

Text work (:meth:`SpellingBridge.read`) needs no lock; lookups read the vocabulary, which
:class:`knowledge.search.index.HybridIndex` updates under its writer lock.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from knowledge.search.vocabulary_neighbours import VocabularyNeighbours
from nlu.normalize import normalize_text
from nlu.phonetic import SOUNDEX_ENGINES

__all__ = ["DEFAULT_SPELLING", "Correction", "SpellingBridge", "SpellingConfig", "Suspect", "ThaiQuery"]

# Thai letters, vowels and tone marks; not the repetition mark ๆ nor ฯ, which end a word.
_THAI_RUN = re.compile(r"[\u0e01-\u0e2e\u0e30-\u0e3a\u0e40-\u0e45\u0e47-\u0e4e]+")
# Vowel signs, tone marks and following vowels: no Thai word begins with one.
_NOT_A_WORD_START = re.compile(r"[\u0e30-\u0e3a\u0e45\u0e47-\u0e4e]")
# A piece of a suspect that this many documents use is a word in its own right, not a typo's debris.
_COMMON = 3
_ABBREVIATION_CHARS = 3


@dataclass(frozen=True)
class SpellingConfig:
    """What the search does about misspelt Thai; see ``benchmarks/misspelling.py`` for the figures."""

    sound_engines: tuple[str, ...] = ("lk82",)  # PyThaiNLP soundex engines; () turns sound matching off
    max_edits: int = 1  # edits to an indexed word (2 only for words of 7+ characters); 0 turns it off
    sound_weight: float = 0.6  # query weight of a word that sounds like the suspect
    edit_weight: float = 0.4  # query weight of a word one edit away (halved at two edits)
    sound_max_edits: int = 2  # a word that sounds alike must also be spelt within this many edits
    max_join: int = 4  # consecutive segmenter pieces that may form one misspelt word
    min_chars: int = 3  # shorter suspects have too many neighbours to choose from
    max_candidates: int = 2  # indexed words per suspect, nearest first
    chars: bool = True  # also add the words' Thai character trigrams to that channel
    correct_query: bool = True  # rewrite the query with the nearest words (False: add them, lexically only)
    spare_dictionary_words: bool = True  # a word of PyThaiNLP's Thai dictionary is taken as meant

    def __post_init__(self) -> None:
        for engine in self.sound_engines:
            if engine not in SOUNDEX_ENGINES:
                raise ValueError(f"unknown soundex engine {engine!r}; choose one of {', '.join(SOUNDEX_ENGINES)}")
        for name in ("sound_weight", "edit_weight"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in [0, 1]")
        if min(self.max_edits, self.sound_max_edits, self.max_candidates) < 0 or self.max_join < 1:
            raise ValueError("max_edits, sound_max_edits and max_candidates must be 0 or more, max_join 1 or more")

    @property
    def enabled(self) -> bool:
        return bool(self.sound_engines or self.max_edits) and self.max_candidates > 0


DEFAULT_SPELLING = SpellingConfig()


@dataclass(frozen=True)
class Suspect:
    """Pieces ``first:last`` of Thai run ``run`` joined into ``text``: maybe one misspelt word."""

    text: str
    run: int
    first: int
    last: int


@dataclass(frozen=True)
class ThaiQuery:
    """A query's Thai runs as segmented pieces, and the suspects among them."""

    text: str  # the normalised query
    runs: tuple[tuple[str, ...], ...]
    suspects: tuple[Suspect, ...]


@dataclass(frozen=True)
class Correction:
    suspect: Suspect
    word: str  # the indexed word meant
    weight: float  # its weight in the query
    distance: int  # edits from the suspect to the word


class SpellingBridge:
    """Suspects of a query mapped to indexed words; holds the vocabulary those are looked up in."""

    def __init__(self, config: SpellingConfig) -> None:
        self.config = config
        self.vocabulary = VocabularyNeighbours(
            config.sound_engines, config.max_edits, config.min_chars, config.sound_max_edits
        )

    def update(self, words: Iterable[str], present: Callable[[str], bool]) -> None:
        """Bring the vocabulary in step for ``words`` whose document frequency changed."""
        words = list(words)
        self.vocabulary.remove(word for word in words if not present(word))
        self.vocabulary.add(word for word in words if present(word))

    def read(self, text: str) -> ThaiQuery:
        """Segment the Thai runs of ``text`` and list every join of up to ``max_join`` pieces as a suspect.

        A join never ends before a piece that cannot begin a word ("เร" + "ีอ" of "เรีอ"): that
        piece is the rest of the misspelt word, and a correction of the first half would leave it.
        """
        from nlu.tokens import word_list

        normalised = normalize_text(text)
        runs = tuple(tuple(word_list(run, case_folding=False)) for run in _THAI_RUN.findall(normalised))
        suspects = []
        for number, (run, pieces) in enumerate(zip(_THAI_RUN.findall(normalised), runs, strict=True)):
            if "".join(pieces) != run:  # the pieces must rebuild the run for :meth:`rewrite`
                continue
            for first in range(len(pieces)):
                if _NOT_A_WORD_START.match(pieces[first]):
                    continue
                for last in range(first + 1, min(first + self.config.max_join, len(pieces)) + 1):
                    if last < len(pieces) and _NOT_A_WORD_START.match(pieces[last]):
                        continue
                    joined = "".join(pieces[first:last])
                    if len(joined) >= self.config.min_chars:
                        suspects.append(Suspect(joined, number, first, last))
        return ThaiQuery(normalised, runs, tuple(suspects))

    def corrections(
        self, query: ThaiQuery, frequency: Callable[[str], int], seen: Callable[[str], bool] | None = None
    ) -> list[Correction]:
        """Indexed words for the suspects that are no word.

        ``frequency``: how many documents use a word (0: unknown); ``seen``: does this text occur in
        the indexed text. A short suspect the catalogue's text contains is an abbreviation it uses
        ("กอช", cut into "กอ" + "ช" everywhere, so in no vocabulary), not a typo; a longer one is a
        citizen's spelling an editor quoted, and the word spelt right still matches better.

        Segmentation tells a typo from a phrase. A misspelt word falls apart into fragments (one
        letter, or pieces few documents use: "ภา" + "สี", "ทะเบียน" + "บ้า" + "ร"); words that many
        documents use side by side ("ใบ" + "แจ้ง", "ลา" + "ออก") are a phrase, and the word that sounds
        like them ("ใบแดง", "นาออก") means something else. So a suspect needs a fragment, and a
        correction keeps the suspect's real words ("บัตร" in "บัตรประชาชล" -> "บัตรประชาชน").
        Of the indexed words near a suspect, those that sound alike come first, then the nearer,
        then the more common in the catalogue.
        """
        config = self.config
        found = []
        for suspect in query.suspects:
            abbreviation = len(suspect.text) <= _ABBREVIATION_CHARS and seen is not None and seen(suspect.text)
            if abbreviation or self._is_a_word(suspect.text, frequency):
                continue
            pieces = query.runs[suspect.run][suspect.first : suspect.last]
            words = [piece for piece in pieces if len(piece) > 1 and frequency(piece) >= _COMMON]
            if len(pieces) > 1 and len(words) == len(pieces):
                continue
            # A word merely near, not sounding alike, needs a stronger sign of a typo: a piece that is
            # no Thai word at all ("ใด" + "รับรอง" is a phrase; "ใบรับรอง" is one letter away).
            garbled = len(pieces) == 1 or any(piece not in _dictionary() for piece in pieces)
            parts = _inner_joins(pieces)  # "ทำใบขับขี่" -> "ใบขับขี่" only drops a piece: no correction
            near = [
                n
                for n in self.vocabulary.near(suspect.text)
                if (n.sounds_alike or garbled) and n.word not in parts and all(word in n.word for word in words)
            ]
            near.sort(key=lambda n: (not n.sounds_alike, n.distance, -frequency(n.word)))
            for neighbour in near[: config.max_candidates]:
                weight = config.sound_weight if neighbour.sounds_alike else config.edit_weight / neighbour.distance
                if weight > 0:
                    found.append(Correction(suspect, neighbour.word, weight, neighbour.distance))
        return found

    def _is_a_word(self, text: str, frequency: Callable[[str], int]) -> bool:
        """Indexed, or (``spare_dictionary_words``) a word of PyThaiNLP's Thai dictionary."""
        return frequency(text) > 0 or (self.config.spare_dictionary_words and text in _dictionary())

    @staticmethod
    def weights(corrections: Iterable[Correction]) -> dict[str, float]:
        """Each corrected word once, at its best weight."""
        out: dict[str, float] = {}
        for correction in corrections:
            out[correction.word] = max(out.get(correction.word, 0.0), correction.weight)
        return out

    @staticmethod
    def rewrite(query: ThaiQuery, corrections: Iterable[Correction]) -> str:
        """The query with the best correction of each suspect put in.

        Of overlapping suspects, the one whose word sounds alike wins, then the longer, then the nearer.
        """
        chosen: dict[int, list[Correction]] = {}
        ranked = sorted(corrections, key=lambda c: (-c.weight, -len(c.suspect.text), c.distance))
        for correction in ranked:
            taken = chosen.setdefault(correction.suspect.run, [])
            span = range(correction.suspect.first, correction.suspect.last)
            if all(other.suspect.last <= span.start or other.suspect.first >= span.stop for other in taken):
                taken.append(correction)
        if not chosen:
            return query.text
        runs = iter([_rebuild(pieces, chosen.get(number, [])) for number, pieces in enumerate(query.runs)])
        return _THAI_RUN.sub(lambda match: next(runs) or match.group(0), query.text)


@lru_cache(maxsize=1)
def _dictionary() -> frozenset[str]:
    """PyThaiNLP's Thai words: "สื่อ" is a word of its own, not a misspelt "ซื้อ" the catalogue knows."""
    from pythainlp.corpus import thai_words

    return frozenset(thai_words())


def _inner_joins(pieces: tuple[str, ...]) -> set[str]:
    """Joins of every shorter run of consecutive ``pieces``."""
    count = len(pieces)
    return {"".join(pieces[i:j]) for i in range(count) for j in range(i + 1, count + 1) if j - i < count}


def _rebuild(pieces: tuple[str, ...], corrections: Iterable[Correction]) -> str | None:
    """One Thai run with non-overlapping corrections put in; None when there are none."""
    by_start = {correction.suspect.first: correction for correction in corrections}
    if not by_start:
        return None
    parts, position = [], 0
    while position < len(pieces):
        replacement = by_start.get(position)
        if replacement is None:
            parts.append(pieces[position])
            position += 1
        else:
            parts.append(replacement.word)
            position = replacement.suspect.last
    return "".join(parts)
