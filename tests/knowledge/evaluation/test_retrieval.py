"""Retrieval evaluation of the hybrid index and its parts, on a tiny corpus whose answers are known."""

from __future__ import annotations

import pytest

from knowledge.evaluation.retrieval import evaluate_retrieval
from tests.knowledge.evaluation.sample_corpus import CORPUS, QUERIES


def test_evaluate_retrieval_on_known_answers(embedder):
    results = evaluate_retrieval(CORPUS, QUERIES, embedder)
    assert set(results) == {"dense", "lexical", "hybrid"}
    for mode, metrics in results.items():
        assert metrics["queries"] == 4
        assert 0.0 <= metrics["R@1"] <= metrics["R@5"] <= 1.0, mode
        assert 0.0 <= metrics["MRR@10"] <= 1.0
        assert metrics["R@1"] <= metrics["success@1"] <= metrics["success@5"] <= 1.0, mode
        assert 0.0 <= metrics["nDCG@10"] <= 1.0
    assert results["hybrid"] | {"ms_per_query": 0} == {
        "R@1": 1.0,
        "R@5": 1.0,
        "MRR@10": 1.0,
        "success@1": 1.0,
        "success@5": 1.0,
        "nDCG@10": 1.0,
        "queries": 4,
        "ms_per_query": 0,
    }
    assert results["lexical"]["R@1"] == 1.0


def test_evaluate_rejects_unknown_modes(embedder):
    with pytest.raises(ValueError, match="unknown mode 'bm25'"):
        evaluate_retrieval(CORPUS, QUERIES, embedder, modes=("bm25",))
