"""Incremental BM25F: the lexical channels of the hybrid search (words, Thai character trigrams).

Why not rank-bm25: it is static (rebuild on every edit). Here postings and document frequencies are
kept up to date per document, so an editor's change costs the size of that document only.

Scores are normalised into 0..1 by the query's own ceiling (the sum of its words' idf, with an unseen
word counted at the highest idf): "what share of this query's information does the document match".
That makes scores comparable across queries, and it makes a lexical match naturally weak when most
of the query's words are unknown (an English question against Thai text), so fusion can trust it
exactly as much as it deserves.

Nothing here is synchronised: :class:`knowledge.search.index.HybridIndex` serialises writers against readers.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from knowledge.search.analyzers import ANALYZERS
from knowledge.search.passages import VIEW_SEPARATOR

__all__ = ["LexicalIndex", "LexicalQuery"]


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
