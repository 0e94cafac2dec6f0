"""What the search indexes (passages of a document) and what it returns (one hit per document)."""

from __future__ import annotations

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


@dataclass(frozen=True)
class SearchHit:
    doc_id: str
    score: float  # fused score, higher is better, about 0..1 and comparable across queries
    dense_score: float  # best cosine of the doc's passages (0.0 in lexical mode: not computed)
    lexical_score: float  # normalised BM25F, 0..1 (0.0 in dense mode: not computed)
    passage: Passage  # the passage that matched best
