"""Quality floor: the hybrid search finds the right service for real citizen questions.

The labelled set (tests/data/citizen_questions_*.jsonl) has formal, colloquial,
misspelt and unspaced Thai, code-switching and English, against the seed catalogue.
"""

from __future__ import annotations

import pytest

from knowledge.hybrid import HybridIndex
from knowledge.labelled_eval import load_labelled_questions, score_questions
from knowledge.service_search import KeywordBoost, passages_for

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report(seed_services, embedder):
    index = HybridIndex(embedder)
    index.upsert_many({s.id: passages_for(s) for s in seed_services})
    return score_questions(index, load_labelled_questions(), boost=KeywordBoost({s.id: s for s in seed_services}))


def test_the_labelled_set_is_large_varied_and_points_at_real_services(seed_services):
    questions = load_labelled_questions()
    ids = {s.id for s in seed_services}
    assert len(questions) >= 200
    assert {q["lang"] for q in questions} == {"th", "en"}
    assert {"formal", "colloquial", "misspelt", "nospace"} <= {q["style"] for q in questions}
    for question in questions:
        assert set(question["relevant"]) <= ids, question


def test_hybrid_meets_the_floor(report):
    assert report["hybrid"]["R@1"] >= 0.90, report["hybrid"]["misses"]
    assert report["hybrid"]["R@3"] >= 0.97


def test_hybrid_is_at_least_as_good_as_either_part(report):
    for metric in ("R@1", "MRR@10"):
        assert report["hybrid"][metric] >= report["dense"][metric]
        assert report["hybrid"][metric] >= report["lexical"][metric]


def test_thai_and_english_both_hold_up(report):
    groups = report["hybrid"]["R@1_by_group"]
    assert groups["lang:th"] >= 0.85
    assert groups["lang:en"] >= 0.85
