"""Thai/English word segmentation with exact character offsets.

PyThaiNLP's ``newmm`` splits Thai into words and passes Latin words through.
We segment a normalised copy (see :mod:`nlu.normalize`) and map every word back
to the original text, so ``text[start:end]`` is always the word as typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from nlu.normalize import normalize_with_spans

__all__ = ["DEFAULT_ENGINE", "WordSpan", "tokenize_with_offsets", "word_list"]

DEFAULT_ENGINE = "newmm"
_ENGINES = frozenset({"newmm", "newmm-safe", "longest", "mm"})


@dataclass(frozen=True, slots=True)
class WordSpan:
    """One word: ``text`` is verbatim from the input, ``norm`` is the matching form."""

    text: str
    start: int
    end: int
    norm: str


@lru_cache(maxsize=1)
def _word_tokenize():  # type: ignore[no-untyped-def]
    # Imported lazily: loading the dictionary takes a moment.
    from pythainlp.tokenize import word_tokenize

    return word_tokenize


def tokenize_with_offsets(text: str, engine: str = DEFAULT_ENGINE, case_folding: bool = False) -> list[WordSpan]:
    """Split ``text`` into words with their offsets; whitespace is never a word.

    :Example:

        >>> [w.text for w in tokenize_with_offsets("ทำบัตรประชาชน ที่ไหน")]
        ['ทำ', 'บัตรประชาชน', 'ที่ไหน']
        >>> [(w.text, w.start, w.end) for w in tokenize_with_offsets("renew passport")]
        [('renew', 0, 5), ('passport', 6, 14)]
        >>> tokenize_with_offsets("")
        []
    """
    if engine not in _ENGINES:
        raise ValueError(f"unknown tokenizer engine {engine!r}; choose one of {sorted(_ENGINES)}")
    if not text:
        return []
    normalised, spans = normalize_with_spans(text)
    pieces = _word_tokenize()(normalised, engine=engine, keep_whitespace=False)
    words: list[WordSpan] = []
    cursor = 0
    for piece in pieces:
        found = normalised.find(piece, cursor)
        if found < 0:  # newmm never rewrites text; guard anyway
            continue
        cursor = found + len(piece)
        if not piece.strip():
            continue
        # A piece may carry surrounding spaces; keep only the word itself.
        stripped_left = len(piece) - len(piece.lstrip())
        core = piece.strip()
        first = found + stripped_left
        last = first + len(core) - 1
        start, end = spans[first][0], spans[last][1]
        norm = core.casefold() if case_folding else core
        words.append(WordSpan(text=text[start:end], start=start, end=end, norm=norm))
    return words


def word_list(text: str, engine: str = DEFAULT_ENGINE, case_folding: bool = True) -> list[str]:
    """Normalised words of ``text``, for search and matching.

    :Example:

        >>> word_list("ขอ Passport ใหม่ครับบบ")
        ['ขอ', 'passport', 'ใหม่', 'ครับ']
    """
    return [word.norm for word in tokenize_with_offsets(text, engine, case_folding)]
