"""Retrieval evaluation: R@k and MRR@10 of the hybrid index and of each of its parts.

All metrics are floats in 0..1 (0.94 means 94 %). Recall@k is the standard IR recall: the share of a
query's relevant documents found in the top k (with one relevant document, as in XQuAD, it is
1 or 0 per query). MRR@10 is the mean of 1/rank of the first relevant document, 0 beyond rank 10.

File formats (JSON Lines, UTF-8, blank lines ignored):

* corpus: ``{"id": "doc-1", "text": "...", "lang": "th"}``
* queries: ``{"text": "...", "relevant": ["doc-1"]}`` (other keys such as "id" are kept)
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from knowledge.hybrid import MODES, HybridIndex, SearchHit, passages_from_text
from nlu.embedders import Embedder

__all__ = [
    "build_index",
    "evaluate_index",
    "evaluate_retrieval",
    "load_corpus",
    "load_queries",
    "recall_at",
    "reciprocal_rank",
]

LANGS = ("th", "en")


def _read_jsonl(path: Path | str) -> Iterable[tuple[int, dict[str, Any]]]:
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}:{number}: not valid JSON ({error.msg})") from error
            if not isinstance(row, dict):
                raise ValueError(f"{path}:{number}: expected a JSON object, got {type(row).__name__}")
            yield number, row


def _text_field(path: Path | str, number: int, row: dict[str, Any], key: str) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{path}:{number}: {key!r} must be a non-empty string")
    return value


def load_corpus(path: Path | str) -> list[dict[str, Any]]:
    """Documents ``{"id", "text", "lang"}``; ids must be unique, lang "th" or "en"."""
    corpus = []
    seen: set[str] = set()
    for number, row in _read_jsonl(path):
        doc_id = _text_field(path, number, row, "id")
        _text_field(path, number, row, "text")
        if row.get("lang") not in LANGS:
            raise ValueError(f"{path}:{number}: 'lang' must be one of {LANGS}, got {row.get('lang')!r}")
        if doc_id in seen:
            raise ValueError(f"{path}:{number}: duplicate id {doc_id!r}")
        seen.add(doc_id)
        corpus.append(row)
    return corpus


def load_queries(path: Path | str) -> list[dict[str, Any]]:
    """Queries ``{"text", "relevant": [ids]}`` with at least one relevant id."""
    queries = []
    for number, row in _read_jsonl(path):
        _text_field(path, number, row, "text")
        relevant = row.get("relevant")
        if (
            not isinstance(relevant, list)
            or not relevant
            or not all(isinstance(item, str) and item for item in relevant)
        ):
            raise ValueError(f"{path}:{number}: 'relevant' must be a non-empty list of document ids")
        queries.append(row)
    return queries


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


def build_index(corpus: Sequence[dict[str, Any]], embedder: Embedder, **options: Any) -> HybridIndex:
    """Index each document as its text plus chunk and sentence views (:func:`passages_from_text`)."""
    index = HybridIndex(embedder, **options)
    index.upsert_many({doc["id"]: passages_from_text(doc["id"], doc["text"], doc["lang"]) for doc in corpus})
    return index


def evaluate_index(
    index: HybridIndex, queries: Sequence[dict[str, Any]], modes: Sequence[str] = ("dense", "lexical", "hybrid")
) -> dict[str, dict[str, float]]:
    """Per mode: R@1, R@5, MRR@10 (0..1), query count and mean search milliseconds."""
    for mode in modes:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
    if not queries:
        raise ValueError("no queries to evaluate")
    results: dict[str, dict[str, float]] = {}
    for mode in modes:
        r1 = r5 = mrr = 0.0
        started = time.perf_counter()
        for query in queries:
            hits = index.search(query["text"], k=10, mode=mode)
            r1 += recall_at(hits, query["relevant"], 1)
            r5 += recall_at(hits, query["relevant"], 5)
            mrr += reciprocal_rank(hits, query["relevant"], 10)
        elapsed = time.perf_counter() - started
        n = len(queries)
        results[mode] = {
            "R@1": round(r1 / n, 4),
            "R@5": round(r5 / n, 4),
            "MRR@10": round(mrr / n, 4),
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
