"""Text to index terms: PyThaiNLP words for both languages, Thai character trigrams, stopwords.

An analyzer is a function ``text -> list of terms``; the same one runs on indexed text and on the
query, so Thai typed without spaces is segmented exactly like the catalogue's Thai.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

__all__ = ["ANALYZERS", "lexical_terms", "stopwords", "thai_char_ngrams"]

_HAS_WORD_CHAR = re.compile(r"\w")
_THAI_RUN = re.compile(r"[\u0e00-\u0e7f]+")
_ASCII_WORD = re.compile(r"[a-z][a-z'-]*")


def _light_stem(word: str) -> str:
    """Fold English plurals and possessives ("passports", "office's"); Thai has no inflection."""
    if len(word) <= 3 or not _ASCII_WORD.fullmatch(word):
        return word
    if word.endswith("'s"):
        word = word[:-2]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def lexical_terms(text: str) -> list[str]:
    """Index terms of ``text``: :func:`nlu.word_list` words (case-folded, Thai segmented), no punctuation.

    Thai typed without spaces is segmented the same way as the indexed text, so it still matches.
    """
    from nlu.tokens import word_list

    terms = []
    for word in word_list(text):
        if _HAS_WORD_CHAR.search(word):
            terms.append(_light_stem(word))
    return terms


def thai_char_ngrams(text: str, n: int = 3) -> list[str]:
    """Character ``n``-grams of the Thai-script runs of ``text`` (other scripts give none).

    Why: Thai has no spaces, so a misspelt word ("หนังสือเดิทาง") is segmented into different
    pieces than the correct one and no word matches; most of its character trigrams still do.
    Latin words are delimited by spaces already, and the word bridge catches their typos; their
    n-grams only added noise against Thai text (measured on XQuAD en->th).
    """
    from nlu.normalize import normalize_text

    grams: list[str] = []
    for run in _THAI_RUN.findall(normalize_text(text)):
        if len(run) <= n:
            grams.append(run)
        else:
            grams.extend(run[i : i + n] for i in range(len(run) - n + 1))
    return grams


ANALYZERS: dict[str, Callable[[str], list[str]]] = {"words": lexical_terms, "thai-char3": thai_char_ngrams}


_ENGLISH_STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just me more most
    my myself no nor not now of off on once only or other our ours ourselves out over own same she should
    so some such than that the their theirs them themselves then there these they this those through to
    too under until up very was we were what when where which while who whom why will with would you
    your yours yourself yourselves many much""".split()  # noqa: SIM905 - a word list reads better as text
)


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Thai and English function words ("how many", "ที่"): they carry no meaning of their own."""
    from pythainlp.corpus import thai_stopwords

    return _ENGLISH_STOPWORDS | frozenset(thai_stopwords())
