"""What the search indexes (passages of a document) and what it returns (one hit per document)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["VIEW_SEPARATOR", "Passage", "SearchHit"]

VIEW_SEPARATOR = "#"  # "body#chunk" is a derived view of the "body" text, not new words


@dataclass(frozen=True)
class Passage:
    """One searchable text of a document (a title, a summary, one FAQ question, a chunk...)."""

    doc_id: str
    field: str  # e.g. "title", "summary", "keywords", "faq"; "body#chunk" marks a view of "body"
    lang: str  # "th" | "en"
    text: str


class SearchHit:
    """One document found for a query: its scores, and the passage of it that matched best.

    The passage is found on first use when the index hands over a way to find it (``find_passage``):
    the bot ranks some 25 candidates per question, re-ranks them and reads none of their passages,
    and picking each one's best passage was a quarter of a search's CPU (benchmarks/turn_cpu.py).
    Immutable by convention, like the frozen dataclass it replaces; :meth:`rescored` makes a copy.
    """

    __slots__ = ("_find_passage", "_passage", "dense_score", "doc_id", "lexical_score", "score")

    def __init__(
        self,
        doc_id: str,
        score: float,  # fused score, higher is better, about 0..1 and comparable across queries
        dense_score: float,  # best cosine of the doc's passages (0.0 in lexical mode: not computed)
        lexical_score: float,  # normalised BM25F, 0..1 (0.0 in dense mode: not computed)
        passage: Passage | None = None,
        *,
        find_passage: Callable[[], Passage] | None = None,
    ) -> None:
        if (passage is None) == (find_passage is None):
            raise TypeError("SearchHit needs either its passage or find_passage, not both")
        self.doc_id = doc_id
        self.score = score
        self.dense_score = dense_score
        self.lexical_score = lexical_score
        self._passage = passage
        self._find_passage = find_passage

    @property
    def passage(self) -> Passage:
        """The passage that matched best (found now if it was not yet)."""
        if self._passage is None:
            assert self._find_passage is not None  # __init__ demands one of the two
            self._passage, self._find_passage = self._find_passage(), None
        return self._passage

    def rescored(self, score: float) -> SearchHit:
        """The same hit with another fused score (re-ranking); its passage is still found lazily."""
        if self._passage is not None:
            return SearchHit(self.doc_id, score, self.dense_score, self.lexical_score, self._passage)
        return SearchHit(self.doc_id, score, self.dense_score, self.lexical_score, find_passage=self._find_passage)

    def _key(self) -> tuple[str, float, float, float, Passage]:
        return (self.doc_id, self.score, self.dense_score, self.lexical_score, self.passage)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SearchHit) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"SearchHit(doc_id={self.doc_id!r}, score={self.score!r}, dense_score={self.dense_score!r}, "
            f"lexical_score={self.lexical_score!r})"
        )
