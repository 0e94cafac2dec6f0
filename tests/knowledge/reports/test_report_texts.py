"""The labelled persona set: frozen test split, enough texts per type, never used for training."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from knowledge.reports.classifier import load_training_examples
from knowledge.reports.types import OTHER_TYPE, load_taxonomy
from tests.knowledge.evaluation.frozen_sets import frozen_split_problem, rows

DATA = Path(__file__).resolve().parents[2] / "data" / "report_texts"


def test_the_test_split_is_frozen() -> None:
    assert frozen_split_problem(DATA) is None, frozen_split_problem(DATA)


def test_every_type_has_at_least_fifteen_texts_split_over_dev_and_test() -> None:
    taxonomy = load_taxonomy()
    dev, test = rows(DATA, "dev"), rows(DATA, "test")
    counts = Counter(taxonomy.require(row["type"]).th for row in dev + test)
    for problem_type in taxonomy:
        if problem_type.th != OTHER_TYPE:
            assert counts[problem_type.th] >= 15, problem_type.th
    assert {row["id"] for row in dev}.isdisjoint({row["id"] for row in test})
    assert {row["lang"] for row in dev + test} == {"th", "en"}
    assert len({row["persona"] for row in test}) >= 6


def test_no_evaluation_text_is_a_training_example() -> None:
    training = {text.casefold() for texts in load_training_examples().values() for text in texts}
    evaluation = {row["text"].casefold() for split in ("dev", "test") for row in rows(DATA, split)}
    assert not training & evaluation
