"""Recall@k and reciprocal rank, by hand."""

from __future__ import annotations

import pytest

from knowledge.evaluation.metrics import recall_at, reciprocal_rank
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
