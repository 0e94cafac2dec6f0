"""The word bridge: query words the index never saw, mapped to the nearest indexed words.

A query word that occurs nowhere in the index (another language, a misspelling, a transliteration)
is looked up in the sentence encoder's space among the indexed words, and the nearest ones join the
query with weights below one. "river" finds "แม่น้ำ", "pasport" finds "passport".

Nothing here is synchronised: :class:`knowledge.search.index.HybridIndex` serialises writers against readers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from knowledge.search.analyzers import stopwords

__all__ = ["TermBridge"]


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


def _bridgeable(term: str) -> bool:
    """Numbers, one-letter pieces and function words carry no meaning to translate.

    Bridging a function word ("how many" -> "มากมาย") adds noise, never meaning.
    """
    if len(term) <= 1 or term.replace(".", "").replace(",", "").isdigit():
        return False
    return term not in stopwords()
