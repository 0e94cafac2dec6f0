"""Recall@k, success@k, reciprocal rank and nDCG@10, by hand."""

from __future__ import annotations

import math

import pytest

from knowledge.evaluation.metrics import ndcg_at, recall_at, reciprocal_rank, success_at
from knowledge.search.passages import Passage, SearchHit


def test_recall_and_reciprocal_rank_by_hand():
    hits = ["a", "b", "c", "d"]
    assert recall_at(hits, ["b"], 1) == 0.0
    assert recall_at(hits, ["b"], 2) == 1.0
    assert recall_at(hits, ["a", "z"], 5) == 0.5  # standard recall: share of relevant documents found
    assert reciprocal_rank(hits, ["c"]) == pytest.approx(1 / 3)
    assert reciprocal_rank(hits, ["d"], k=3) == 0.0
    assert reciprocal_rank([], ["a"]) == 0.0
    passage = Passage("b", "title", "en", "b")
    assert recall_at([SearchHit("b", 0.9, 0.9, 0.0, passage)], ["b"], 1) == 1.0
    with pytest.raises(ValueError, match="at least one relevant"):
        recall_at(hits, [], 1)


def test_success_reaches_one_at_k1_where_recall_cannot():
    # Two services answer the question (first passport and renewal both fit); the first hit is one of them.
    hits = ["passport-renew", "passport-first", "id-card"]
    relevant = ["passport-first", "passport-renew"]
    assert recall_at(hits, relevant, 1) == 0.5
    assert success_at(hits, relevant, 1) == 1.0
    assert success_at(["id-card", "passport-first"], relevant, 1) == 0.0
    assert success_at(["id-card", "passport-first"], relevant, 2) == 1.0


def test_success_when_nothing_relevant_is_found():
    assert success_at(["a", "b", "c"], ["z"], 3) == 0.0
    assert success_at([], ["z"], 5) == 0.0
    with pytest.raises(ValueError, match="at least one relevant"):
        success_at(["a"], [], 1)


def test_ndcg_by_hand_with_one_relevant_document():
    assert ndcg_at(["a", "b", "c"], ["a"]) == 1.0
    assert ndcg_at(["a", "b", "c"], ["b"]) == pytest.approx(1 / math.log2(3))  # 0.6309
    assert ndcg_at(["a", "b", "c"], ["c"]) == pytest.approx(0.5)  # 1 / log2(4)


def test_ndcg_by_hand_with_several_relevant_documents():
    ideal = 1 + 1 / math.log2(3)  # two relevant documents at ranks 1 and 2
    assert ndcg_at(["x", "y", "a"], ["x", "y"]) == pytest.approx(1.0)
    assert ndcg_at(["x", "a", "y"], ["x", "y"]) == pytest.approx((1 + 0.5) / ideal)  # 0.9197
    assert ndcg_at(["a", "x", "b", "y"], ["x", "y"]) == pytest.approx((1 / math.log2(3) + 1 / math.log2(5)) / ideal)
    # Only one of the two relevant documents found, first: less than a perfect ranking.
    assert ndcg_at(["x", "a"], ["x", "y"]) == pytest.approx(1 / ideal)


def test_ndcg_cuts_at_k_and_counts_a_repeated_document_once():
    hits = [f"d{i}" for i in range(10)] + ["x"]
    assert ndcg_at(hits, ["x"]) == 0.0  # rank 11 is beyond nDCG@10
    assert ndcg_at(hits, ["x"], k=11) == pytest.approx(1 / math.log2(12))
    assert ndcg_at(["x", "x", "y"], ["x", "y"]) == pytest.approx(1.0)
    # More relevant documents than k: the ideal ranking fills all k ranks.
    assert ndcg_at(["a", "b"], ["a", "b", "c"], k=2) == pytest.approx(1.0)


def test_ndcg_when_nothing_relevant_is_found():
    assert ndcg_at(["a", "b"], ["z"]) == 0.0
    assert ndcg_at([], ["z"]) == 0.0
    with pytest.raises(ValueError, match="at least one relevant"):
        ndcg_at(["a"], [])
