"""The report-type classifier as a citizen and an officer see it: the right type, or honest choices."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.reports.classifier import ReportTypeClassifier, default_classifier, load_training_examples
from knowledge.reports.types import OTHER_TYPE
from tests.knowledge.evaluation.frozen_sets import rows

DATA = Path(__file__).resolve().parents[2] / "data" / "report_texts"


def test_top1_on_the_frozen_test_split_meets_the_goal_of_80_percent() -> None:
    classifier = default_classifier()
    test = [row for row in rows(DATA, "test") if row["type"] != OTHER_TYPE]
    results = classifier.classify_many([row["text"] for row in test])
    hits = sum(result.type.th == row["type"] for row, result in zip(test, results, strict=True))
    assert hits / len(test) >= 0.80, f"top-1 {hits}/{len(test)}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ไฟถนนดับ มืดทั้งซอย", "ไฟฟ้า"),
        ("ฝาท่อหายกลางซอย อันตรายมาก", "ท่อระบายน้ำ"),
        ("Big pothole on the road, my car tyre burst", "ถนน"),
        ("หมาจรไล่กัดเด็กนักเรียน", "สัตว์"),
        ("น้ำทวมซอยบ้านยายจ้ะ", "น้ำท่วม"),  # misspelt, as an elderly resident types it
    ],
)
def test_clear_descriptions_get_their_type_with_a_confident_score(text: str, expected: str) -> None:
    result = default_classifier().classify(text)
    assert result.type.th == expected
    assert result.sure
    assert 0.0 < result.score <= 1.0


def test_an_unclear_description_offers_the_top_three_choices() -> None:
    result = default_classifier().classify("มีปัญหาแถวบ้านครับ")
    assert not result.sure
    assert len(result.choices) == 3
    assert [choice.score for choice in result.choices] == sorted((c.score for c in result.choices), reverse=True)
    assert result.choices[0].type == result.type


def test_an_empty_or_blank_description_is_the_catch_all_with_score_zero() -> None:
    for text in ("", "   \u200b "):
        result = default_classifier().classify(text)
        assert (result.type.th, result.score, result.sure) == (OTHER_TYPE, 0.0, False)


def test_a_huge_description_is_classified_from_its_beginning() -> None:
    result = default_classifier().classify("ท่อประปาแตกน้ำพุ่งกลางถนน " + "ก" * 200_000)
    assert result.type.th == "ประปา"


def test_training_without_examples_for_a_type_is_refused() -> None:
    examples = load_training_examples()
    del examples["สะพาน"]
    with pytest.raises(ValueError, match="no training examples for: สะพาน"):
        ReportTypeClassifier.train(examples)
