"""Retrieval metrics, floats in 0..1 (0.94 means 94 %).

Recall@k is the standard IR recall: the share of a query's relevant documents found in the top k
(with one relevant document, as in XQuAD, it is 1 or 0 per query). MRR@10 is the mean of 1/rank of
the first relevant document, 0 beyond rank 10.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from knowledge.search.passages import SearchHit

__all__ = ["recall_at", "reciprocal_rank"]


def _ids(hits: Sequence[str | SearchHit]) -> list[str]:
    return [hit.doc_id if isinstance(hit, SearchHit) else hit for hit in hits]


def recall_at(hits: Sequence[str | SearchHit], relevant: Iterable[str], k: int) -> float:
    """Share of ``relevant`` documents among the first ``k`` hits (0..1)."""
    wanted = set(relevant)
    if not wanted:
        raise ValueError("recall needs at least one relevant document")
    return len(wanted.intersection(_ids(hits)[:k])) / len(wanted)


def reciprocal_rank(hits: Sequence[str | SearchHit], relevant: Iterable[str], k: int = 10) -> float:
    """1/rank of the first relevant hit within the first ``k``, else 0."""
    wanted = set(relevant)
    for rank, doc_id in enumerate(_ids(hits)[:k], start=1):
        if doc_id in wanted:
            return 1.0 / rank
    return 0.0
