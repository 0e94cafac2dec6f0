"""Quality floor: the hybrid search finds the right service for real citizen questions.

The labelled set (tests/data/citizen_questions_*.jsonl) has formal, colloquial,
misspelt and unspaced Thai, code-switching and English, against the seed catalogue.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.evaluation.labelled_questions import load_labelled_questions, score_questions
from knowledge.search.index import HybridIndex
from knowledge.service_search import KeywordBoost, passages_for

pytestmark = pytest.mark.slow

QUESTIONS_DIR = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="module")
def report(seed_services, embedder):
    index = HybridIndex(embedder)
    index.upsert_many({s.id: passages_for(s) for s in seed_services})
    return score_questions(
        index, load_labelled_questions(QUESTIONS_DIR), boost=KeywordBoost({s.id: s for s in seed_services})
    )


def test_the_labelled_set_is_large_varied_and_points_at_real_services(seed_services):
    questions = load_labelled_questions(QUESTIONS_DIR)
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


def test_a_folder_without_questions_is_an_error_not_an_empty_score(tmp_path):
    with pytest.raises(FileNotFoundError, match="citizen_questions"):
        load_labelled_questions(tmp_path)
