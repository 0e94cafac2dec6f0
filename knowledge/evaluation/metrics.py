"""Retrieval metrics, floats in 0..1 (0.94 means 94 %).

Recall@k is the standard IR recall: the share of a query's relevant documents found in the top k
(with one relevant document, as in XQuAD, it is 1 or 0 per query). With several relevant documents
recall@1 cannot reach 1, so success@k says whether *any* relevant document is in the top k (what a
citizen notices: the right service is among the first k). MRR@10 is the mean of 1/rank of the first
relevant document, 0 beyond rank 10. nDCG@10 (binary relevance, log2 discount) rewards placing all
the relevant documents high, 1 when they fill the first ranks.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from knowledge.search.passages import SearchHit

__all__ = ["ndcg_at", "recall_at", "reciprocal_rank", "success_at"]


def _ids(hits: Sequence[str | SearchHit]) -> list[str]:
    """Document ids in rank order, each once: a repeated document gains nothing the second time."""
    seen: dict[str, None] = {}
    for hit in hits:
        seen.setdefault(hit.doc_id if isinstance(hit, SearchHit) else hit, None)
    return list(seen)


def _wanted(relevant: Iterable[str], metric: str) -> set[str]:
    wanted = set(relevant)
    if not wanted:
        raise ValueError(f"{metric} needs at least one relevant document")
    return wanted


def recall_at(hits: Sequence[str | SearchHit], relevant: Iterable[str], k: int) -> float:
    """Share of ``relevant`` documents among the first ``k`` hits (0..1)."""
    wanted = _wanted(relevant, "recall")
    return len(wanted.intersection(_ids(hits)[:k])) / len(wanted)


def success_at(hits: Sequence[str | SearchHit], relevant: Iterable[str], k: int) -> float:
    """1 if any ``relevant`` document is among the first ``k`` hits, else 0."""
    wanted = _wanted(relevant, "success")
    return 1.0 if wanted.intersection(_ids(hits)[:k]) else 0.0


def reciprocal_rank(hits: Sequence[str | SearchHit], relevant: Iterable[str], k: int = 10) -> float:
    """1/rank of the first relevant hit within the first ``k``, else 0."""
    wanted = set(relevant)
    for rank, doc_id in enumerate(_ids(hits)[:k], start=1):
        if doc_id in wanted:
            return 1.0 / rank
    return 0.0


def ndcg_at(hits: Sequence[str | SearchHit], relevant: Iterable[str], k: int = 10) -> float:
    """Discounted gain of the relevant hits in the first ``k`` over the best possible ranking's.

    Gain 1 per relevant document at rank r, discounted by log2(r + 1); the ideal ranking puts
    min(len(relevant), k) relevant documents first.
    """
    wanted = _wanted(relevant, "nDCG")
    gained = sum(1.0 / math.log2(rank + 1) for rank, doc_id in enumerate(_ids(hits)[:k], start=1) if doc_id in wanted)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(wanted), k) + 1))
    return gained / ideal
