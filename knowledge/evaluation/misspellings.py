"""Misspelt Thai made by rule, to measure the search on mistakes nobody wrote by hand.

Each rule is one of the mistakes citizens make when they spell by ear or type on a phone: a wrong
or missing tone mark, a final consonant swapped for one that sounds the same (น/ล/ร/ณ, ด/ต/ส/ท,
บ/ป/พ, ก/ค/ข) or dropped, an initial swapped for a homophone (ค/ข, ส/ศ/ษ/ซ, ท/ธ/ถ), a short vowel
for a long one, a silent letter left out. The same seed gives the same mistakes.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Container, Iterator

__all__ = ["RULES", "misspell_text", "misspellings"]

_CONSONANTS = frozenset("กขฃคฅฆงจฉชซฌญฎฏฐฑฒณดตถทธนบปผฝพฟภมยรลวศษสหฬอฮ")
_VOWEL_SIGNS = frozenset("ะัาำิีึืุู็่้๊๋")
_TONES = "่้๊๋"
_KARAN = "์"
# Letters that sound the same; the rare ones (ฎ ฏ ฐ ฑ ฒ ฬ ฌ) are left out: nobody types them by mistake.
_FINAL_SOUNDS = ("นณลร", "ดตทสศษจชธ", "บปพภ", "กคข")
_INITIAL_SOUNDS = ("ขค", "สศษซ", "ทธถ", "พภ", "นณ", "ยญ", "รล")
_VOWEL_LENGTH = {"ิ": "ี", "ี": "ิ", "ึ": "ื", "ื": "ึ", "ุ": "ู", "ู": "ุ"}
# A consonant that belongs to the vowel after these signs: เ-ีย, เ-ือ, -ัว.
_PART_OF_VOWEL = {"ย": "ี", "อ": "ื", "ว": "ั"}


def _syllables(word: str) -> list[str]:
    from pythainlp.tokenize import syllable_tokenize

    return [piece for piece in syllable_tokenize(word, engine="dict") if piece]


def _final_in_syllable(syllable: str) -> int | None:
    """Where the consonant that closes ``syllable`` is ("บัตร" -> 2, "คม" -> 1, "ทะ" -> None)."""
    end = len(syllable)
    while end > 1 and syllable[end - 1] == _KARAN:  # "ณิชย์": the silent "ย์" is no final
        end -= 2
    silent_r = end >= 3 and syllable[end - 1] == "ร" and syllable[end - 2] in _CONSONANTS
    if silent_r and syllable[end - 3] in _VOWEL_SIGNS:  # "บัตร", "สมัคร": a silent ร after the final
        end -= 1
    if end < 2:
        return None
    last = end - 1
    char, before = syllable[last], syllable[last - 1]
    if char not in _CONSONANTS or _PART_OF_VOWEL.get(char) == before:
        return None
    if before in _VOWEL_SIGNS or before in _CONSONANTS:
        return last
    return None


def _final_positions(word: str) -> list[int]:
    """Consonants that close a syllable of ``word`` (PyThaiNLP's syllables, then a few rules)."""
    positions, offset = [], 0
    for syllable in _syllables(word):
        found = _final_in_syllable(syllable)
        if found is not None:
            positions.append(offset + found)
        offset += len(syllable)
    return positions if offset == len(word) else []


def _tone(word: str) -> Iterator[str]:
    for i, char in enumerate(word):
        if char in _TONES:
            yield word[:i] + word[i + 1 :]
            for other in "่้":
                if other != char:
                    yield word[:i] + other + word[i + 1 :]


def _final_swap(word: str) -> Iterator[str]:
    for i in _final_positions(word):
        for group in _FINAL_SOUNDS:
            if word[i] in group:
                yield from (word[:i] + other + word[i + 1 :] for other in group if other != word[i])


def _final_drop(word: str) -> Iterator[str]:
    if len(word) >= 4:
        yield from (word[:i] + word[i + 1 :] for i in _final_positions(word))


def _initial_swap(word: str) -> Iterator[str]:
    finals = set(_final_positions(word))
    for i, char in enumerate(word):
        if char in _CONSONANTS and i not in finals:
            for group in _INITIAL_SOUNDS:
                if char in group:
                    yield from (word[:i] + other + word[i + 1 :] for other in group if other != char)


def _vowel_length(word: str) -> Iterator[str]:
    for i, char in enumerate(word):
        if char in _VOWEL_LENGTH:
            yield word[:i] + _VOWEL_LENGTH[char] + word[i + 1 :]


def _silent_letter(word: str) -> Iterator[str]:
    for i, char in enumerate(word):
        if char == _KARAN and i > 0:
            yield word[: i - 1] + word[i + 1 :]  # "พาณิชย์" -> "พาณิช"
            yield word[:i] + word[i + 1 :]  # "พาณิชย์" -> "พาณิชย"
    for i in _final_positions(word):
        if word[i + 1 : i + 2] == "ร":  # "บัตรทอง" -> "บัตทอง"
            yield word[: i + 1] + word[i + 2 :]


RULES: dict[str, Callable[[str], Iterator[str]]] = {
    "tone": _tone,
    "final-swap": _final_swap,
    "final-drop": _final_drop,
    "initial-swap": _initial_swap,
    "vowel-length": _vowel_length,
    "silent-letter": _silent_letter,
}


def misspellings(word: str) -> dict[str, list[str]]:
    """Every rule's misspellings of ``word`` (rules that do not apply are left out)."""
    out = {}
    for name, rule in RULES.items():
        variants = sorted({variant for variant in rule(word) if variant and variant != word})
        if variants:
            out[name] = variants
    return out


def misspell_text(
    text: str, rng: random.Random, vocabulary: Container[str] = (), words: int = 1
) -> tuple[str, str] | None:
    """``text`` with ``words`` Thai words misspelt by random rules: ``(new text, rules)``, or None if none fits.

    Only words of three or more Thai letters are misspelt, and with ``vocabulary`` only words in it
    (the catalogue's own words: a mistake in a word the catalogue never uses tells nothing). Rules
    are joined by "+" when there are several.
    """
    from knowledge.search.analyzers import stopwords
    from nlu.tokens import tokenize_with_offsets

    candidates = [
        word
        for word in tokenize_with_offsets(text)
        if len(word.text) >= 3
        and all("\u0e01" <= char <= "\u0e4e" for char in word.text)
        and word.text not in stopwords()
        and (not vocabulary or word.norm in vocabulary)
    ]
    rng.shuffle(candidates)
    changes: list[tuple[int, int, str, str]] = []  # start, end, misspelt word, rule
    for word in candidates:
        options = misspellings(word.text)
        if options:
            rule = rng.choice(sorted(options))
            changes.append((word.start, word.end, rng.choice(options[rule]), rule))
            if len(changes) == words:
                break
    if not changes:
        return None
    for start, end, variant, _ in sorted(changes, reverse=True):
        text = text[:start] + variant + text[end:]
    return text, "+".join(rule for *_, rule in sorted(changes))
