"""Retrieval evaluation: R@1, R@5, MRR@10, success@1, success@5 and nDCG@10 of the hybrid index and of each
of its parts.

Metrics are defined in :mod:`knowledge.evaluation.metrics`; files in :mod:`knowledge.evaluation.datasets`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from knowledge.evaluation.chunking import passages_from_text
from knowledge.evaluation.metrics import ndcg_at, recall_at, reciprocal_rank, success_at
from knowledge.search.fusion import MODES
from knowledge.search.index import HybridIndex
from nlu.embedders import Embedder

__all__ = ["build_index", "evaluate_index", "evaluate_retrieval"]


def build_index(corpus: Sequence[dict[str, Any]], embedder: Embedder, **options: Any) -> HybridIndex:
    """Index each document as its text plus chunk and sentence views (:func:`passages_from_text`)."""
    index = HybridIndex(embedder, **options)
    index.upsert_many({doc["id"]: passages_from_text(doc["id"], doc["text"], doc["lang"]) for doc in corpus})
    return index


def evaluate_index(
    index: HybridIndex, queries: Sequence[dict[str, Any]], modes: Sequence[str] = ("dense", "lexical", "hybrid")
) -> dict[str, dict[str, float]]:
    """Per mode: R@1, R@5, MRR@10, success@1, success@5, nDCG@10 (0..1), query count and mean search milliseconds."""
    for mode in modes:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
    if not queries:
        raise ValueError("no queries to evaluate")
    results: dict[str, dict[str, float]] = {}
    for mode in modes:
        r1 = r5 = mrr = s1 = s5 = ndcg = 0.0
        started = time.perf_counter()
        for query in queries:
            hits = index.search(query["text"], k=10, mode=mode)
            r1 += recall_at(hits, query["relevant"], 1)
            r5 += recall_at(hits, query["relevant"], 5)
            mrr += reciprocal_rank(hits, query["relevant"], 10)
            s1 += success_at(hits, query["relevant"], 1)
            s5 += success_at(hits, query["relevant"], 5)
            ndcg += ndcg_at(hits, query["relevant"], 10)
        elapsed = time.perf_counter() - started
        n = len(queries)
        results[mode] = {
            "R@1": round(r1 / n, 4),
            "R@5": round(r5 / n, 4),
            "MRR@10": round(mrr / n, 4),
            "success@1": round(s1 / n, 4),
            "success@5": round(s5 / n, 4),
            "nDCG@10": round(ndcg / n, 4),
            "queries": n,
            "ms_per_query": round(1000 * elapsed / n, 2),
        }
    return results


def evaluate_retrieval(
    corpus: Sequence[dict[str, Any]],
    queries: Sequence[dict[str, Any]],
    embedder: Embedder,
    modes: Sequence[str] = ("dense", "lexical", "hybrid"),
) -> dict[str, dict[str, float]]:
    """Build an index of ``corpus`` and score ``queries`` against it in each mode."""
    return evaluate_index(build_index(corpus, embedder), queries, modes)
