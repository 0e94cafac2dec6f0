"""Incremental BM25F over PyThaiNLP words, plus an embedding bridge for words the index never saw.

Why not rank-bm25: it is static (rebuild on every edit). Here postings and document frequencies are
kept up to date per document, so an editor's change costs the size of that document only.

Scores are normalised into 0..1 by the query's own ceiling (the sum of its words' idf, with an unseen
word counted at the highest idf): "what share of this query's information does the document match".
That makes scores comparable across queries, and it makes a lexical match naturally weak when most
of the query's words are unknown (an English question against Thai text), so fusion can trust it
exactly as much as it deserves.

The :class:`TermBridge` maps query words that occur nowhere in the index (another language, a
misspelling, a transliteration) to the nearest indexed words in the sentence encoder's space, with
weights below one. "river" finds "แม่น้ำ", "pasport" finds "passport".

Nothing here is synchronised: :class:`knowledge.hybrid.HybridIndex` serialises writers against readers.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

__all__ = ["ANALYZERS", "LexicalIndex", "LexicalQuery", "TermBridge", "lexical_terms", "thai_char_ngrams"]

VIEW_SEPARATOR = "#"  # "body#chunk" is a derived view of the "body" text, not new words
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


@dataclass(frozen=True)
class LexicalQuery:
    """Weighted index terms of one query and its score ceiling."""

    weights: Mapping[str, float]  # index term -> weight (1 for the query's own words, <1 for bridged)
    ceiling: float  # sum of idf over the query's distinct words; unseen words count at the highest idf
    unknown: tuple[str, ...]  # query words found nowhere in the index


class LexicalIndex:
    """BM25F: per-field weighted term frequencies, updated one document at a time.

    Documents live in integer *slots* (reused after removal) so scores are a dense numpy vector.
    """

    def __init__(
        self,
        k1: float = 1.2,
        b: float = 0.75,
        field_weights: Mapping[str, float] | None = None,
        default_field_weight: float = 1.0,
        analyzer: str = "words",
    ) -> None:
        if analyzer not in ANALYZERS:
            raise ValueError(f"unknown analyzer {analyzer!r}; choose one of {', '.join(ANALYZERS)}")
        self.analyzer = analyzer
        self.analyze = ANALYZERS[analyzer]
        self.k1 = k1
        self.b = b
        self.field_weights: dict[str, float] = dict(field_weights or {})
        self.default_field_weight = default_field_weight
        self._postings: dict[str, dict[int, float]] = {}
        # Postings as (slots, tf) arrays, built on first use and dropped when the term changes:
        # turning a long dict into arrays on every query was most of a 10k-document search.
        self._arrays: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._slot_of: dict[str, int] = {}
        self._doc_at: list[str | None] = []
        self._doc_terms: list[dict[str, float] | None] = []
        self._free: list[int] = []
        self._length = np.zeros(0, dtype=np.float64)
        self._total_length = 0.0

    # ----- building -----------------------------------------------------------------------------

    def field_weight(self, field: str) -> float:
        """Listed weight, else 0 for a view ("body#chunk" repeats "body"), else the default."""
        if field in self.field_weights:
            return self.field_weights[field]
        return 0.0 if VIEW_SEPARATOR in field else self.default_field_weight

    def document_terms(self, fields: Iterable[tuple[str, str]]) -> dict[str, float]:
        """Weighted term frequencies of one document from ``(field, text)`` pairs; tokenises, so slow-ish."""
        weighted: dict[str, float] = {}
        for field, text in fields:
            weight = self.field_weight(field)
            if weight <= 0:
                continue
            for term, count in Counter(self.analyze(text)).items():
                weighted[term] = weighted.get(term, 0.0) + weight * count
        return weighted

    def add(self, doc_id: str, terms: Mapping[str, float]) -> tuple[list[str], list[str]]:
        """Index ``doc_id`` with precomputed weighted terms, replacing any previous version.

        Returns ``(appeared, vanished)``: terms whose document frequency went from 0 to 1 and to 0.
        """
        vanished = self.remove(doc_id)
        appeared = []
        slot = self._free.pop() if self._free else self._new_slot()
        self._slot_of[doc_id] = slot
        self._doc_at[slot] = doc_id
        clean = {term: float(tf) for term, tf in terms.items() if tf > 0}
        self._doc_terms[slot] = clean
        length = float(sum(clean.values()))
        self._length[slot] = length
        self._total_length += length
        for term, tf in clean.items():
            self._arrays.pop(term, None)
            posting = self._postings.get(term)
            if posting is None:
                posting = self._postings[term] = {}
                appeared.append(term)
            posting[slot] = tf
        before = set(vanished)
        vanished_now = [term for term in vanished if term not in self._postings]
        return [term for term in appeared if term not in before], vanished_now

    def remove(self, doc_id: str) -> list[str]:
        """Forget ``doc_id`` (unknown ids are fine); returns terms no document uses any more."""
        slot = self._slot_of.pop(doc_id, None)
        if slot is None:
            return []
        terms = self._doc_terms[slot] or {}
        vanished = []
        for term in terms:
            self._arrays.pop(term, None)
            posting = self._postings[term]
            del posting[slot]
            if not posting:
                del self._postings[term]
                vanished.append(term)
        self._total_length -= float(self._length[slot])
        self._length[slot] = 0.0
        self._doc_at[slot] = None
        self._doc_terms[slot] = None
        self._free.append(slot)
        return vanished

    def _new_slot(self) -> int:
        slot = len(self._doc_at)
        self._doc_at.append(None)
        self._doc_terms.append(None)
        if slot >= len(self._length):
            grown = np.zeros(max(16, 2 * len(self._length)), dtype=np.float64)
            grown[: len(self._length)] = self._length
            self._length = grown
        return slot

    # ----- reading ------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, term: object) -> bool:
        return term in self._postings

    @property
    def capacity(self) -> int:
        """Length of score vectors (slots, including free ones)."""
        return len(self._doc_at)

    def doc_at(self, slot: int) -> str | None:
        return self._doc_at[slot]

    def slot_of(self, doc_id: str) -> int | None:
        return self._slot_of.get(doc_id)

    def vocabulary(self) -> Iterator[str]:
        return iter(self._postings)

    def document_frequency(self, term: str) -> int:
        return len(self._postings.get(term, ()))

    def idf(self, term: str) -> float:
        """BM25 idf (the always-positive Lucene form); unseen terms get the highest value."""
        n = len(self._slot_of)
        df = self.document_frequency(term)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def prepare(self, words: Sequence[str], bridged: Mapping[str, float] | None = None) -> LexicalQuery:
        """Weights and ceiling for query terms (from :attr:`analyze`) plus optional bridged terms."""
        distinct = list(dict.fromkeys(words))
        weights: dict[str, float] = {}
        unknown = []
        for word in distinct:
            if word in self._postings:
                weights[word] = 1.0
            else:
                unknown.append(word)
        for term, weight in (bridged or {}).items():
            if term in self._postings and weights.get(term, 0.0) < weight:
                weights[term] = weight
        ceiling = sum(self.idf(word) for word in distinct)
        return LexicalQuery(weights=weights, ceiling=ceiling, unknown=tuple(unknown))

    def scores(self, query: LexicalQuery) -> np.ndarray:
        """Normalised BM25F score (0..1) of every slot; free slots score 0."""
        out = np.zeros(self.capacity, dtype=np.float64)
        n = len(self._slot_of)
        if n == 0 or query.ceiling <= 0 or not query.weights:
            return out
        average = self._total_length / n if self._total_length > 0 else 1.0
        k1, b = self.k1, self.b
        norm = k1 * (1.0 - b + b * self._length[: self.capacity] / average)
        for term, weight in query.weights.items():
            arrays = self._arrays.get(term)
            if arrays is None:
                posting = self._postings.get(term)
                if not posting:
                    continue
                arrays = (
                    np.fromiter(posting.keys(), dtype=np.int64, count=len(posting)),
                    np.fromiter(posting.values(), dtype=np.float64, count=len(posting)),
                )
                self._arrays[term] = arrays  # readers may race to fill it: same value, harmless
            slots, tf = arrays
            idf = self.idf(term)
            out[slots] += (weight * idf * (k1 + 1.0)) * tf / (tf + norm[slots])
        out /= query.ceiling
        np.clip(out, 0.0, 1.0, out=out)
        return out

    # ----- persistence --------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """JSON-able statistics; loading rebuilds postings from them without re-tokenising."""
        return {
            "analyzer": self.analyzer,
            "k1": self.k1,
            "b": self.b,
            "field_weights": self.field_weights,
            "default_field_weight": self.default_field_weight,
            "documents": {doc_id: self._doc_terms[slot] for doc_id, slot in sorted(self._slot_of.items())},
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> LexicalIndex:
        index = cls(
            k1=float(state["k1"]),
            b=float(state["b"]),
            field_weights=state.get("field_weights") or {},
            default_field_weight=float(state.get("default_field_weight", 1.0)),
            analyzer=str(state.get("analyzer", "words")),
        )
        for doc_id, terms in state["documents"].items():
            index.add(doc_id, terms)
        return index


class TermBridge:
    """Embeddings of indexed words, to translate unseen query words into indexed ones.

    Rows are never freed (a word that disappears may come back); ``active`` masks words no
    document uses right now. Memory: vocabulary x dimension x 4 bytes.
    """

    def __init__(self, dimension: int, top_k: int = 3, min_similarity: float = 0.5) -> None:
        if not 0.0 <= min_similarity < 1.0:
            raise ValueError("min_similarity must be in [0, 1)")
        self.dimension = dimension
        self.top_k = top_k
        self.min_similarity = min_similarity
        self._row: dict[str, int] = {}
        self._terms: list[str] = []
        self._vectors = np.zeros((0, dimension), dtype=np.float32)
        self._active = np.zeros(0, dtype=bool)

    def __len__(self) -> int:
        return len(self._terms)

    def missing(self, terms: Iterable[str]) -> list[str]:
        """Terms without a vector yet (embed these before :meth:`add`)."""
        return [term for term in dict.fromkeys(terms) if term not in self._row and _bridgeable(term)]

    @staticmethod
    def translatable(words: Iterable[str]) -> list[str]:
        """Words worth looking up (numbers and single characters carry nothing to translate)."""
        return [word for word in dict.fromkeys(words) if _bridgeable(word)]

    def add(self, terms: Sequence[str], vectors: np.ndarray) -> None:
        """Store vectors for new terms (already-known ones are skipped); new terms start inactive."""
        fresh = [(term, vector) for term, vector in zip(terms, vectors, strict=True) if term not in self._row]
        if not fresh:
            return
        start = len(self._terms)
        needed = start + len(fresh)
        if needed > len(self._vectors):
            capacity = max(needed, 2 * len(self._vectors), 256)
            grown = np.zeros((capacity, self.dimension), dtype=np.float32)
            grown[:start] = self._vectors[:start]
            self._vectors = grown
            active = np.zeros(capacity, dtype=bool)
            active[:start] = self._active[:start]
            self._active = active
        for offset, (term, vector) in enumerate(fresh):
            self._row[term] = start + offset
            self._terms.append(term)
            self._vectors[start + offset] = vector

    def set_active(self, terms: Iterable[str], active: bool) -> None:
        for term in terms:
            row = self._row.get(term)
            if row is not None:
                self._active[row] = active

    def expand(self, vectors: np.ndarray) -> dict[str, float]:
        """Indexed terms near each query-word vector, weighted (sim - min)/(1 - min), best per term."""
        out: dict[str, float] = {}
        n = len(self._terms)
        if n == 0 or len(vectors) == 0:
            return out
        similarity = np.asarray(vectors, dtype=np.float32) @ self._vectors[:n].T
        similarity[:, ~self._active[:n]] = -1.0
        k = min(self.top_k, n)
        top = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        for row, columns in enumerate(top):
            for column in columns:
                sim = float(similarity[row, column])
                if sim >= self.min_similarity:
                    weight = (sim - self.min_similarity) / (1.0 - self.min_similarity)
                    term = self._terms[column]
                    out[term] = max(out.get(term, 0.0), min(1.0, weight))
        return out

    # ----- persistence --------------------------------------------------------------------------

    def arrays(self) -> tuple[list[str], np.ndarray]:
        return list(self._terms), self._vectors[: len(self._terms)].copy()

    def restore(self, terms: Sequence[str], vectors: np.ndarray, active: Iterable[str]) -> None:
        if len(vectors) and vectors.shape[1] != self.dimension:
            raise ValueError(f"bridge vectors have dimension {vectors.shape[1]}, expected {self.dimension}")
        self._row, self._terms = {}, []
        self._vectors = np.zeros((0, self.dimension), dtype=np.float32)
        self._active = np.zeros(0, dtype=bool)
        self.add(terms, vectors)
        self.set_active(active, True)


# Function words: bridging them ("how many" -> "มากมาย") adds noise, never meaning.
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
def _stopwords() -> frozenset[str]:
    from pythainlp.corpus import thai_stopwords

    return _ENGLISH_STOPWORDS | frozenset(thai_stopwords())


def _bridgeable(term: str) -> bool:
    """Numbers, one-letter pieces and function words carry no meaning to translate."""
    if len(term) <= 1 or term.replace(".", "").replace(",", "").isdigit():
        return False
    return term not in _stopwords()
