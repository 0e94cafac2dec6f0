"""The persona question set (tests/data/persona_questions): its test split is frozen and well formed.

The test split is for reporting only, never for tuning; its checksum is recorded in SHA256SUMS so that
it cannot change silently. See tests/data/persona_questions/README.md for how the set was written.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from tests.knowledge.evaluation.frozen_sets import frozen_split_problem, rows

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "persona_questions"
SPLITS = ("dev", "test")
KINDS = {"formal", "colloquial", "misspelt", "nospace", "codeswitch", "english", "sibling", "out_of_catalogue"}
MIN_TEST_QUESTIONS_PER_KIND = 15


def _rows(split: str) -> list[dict[str, Any]]:
    return rows(DATA_DIR, split)


def test_test_split_is_frozen():
    problem = frozen_split_problem(DATA_DIR)
    assert problem is None, problem


def test_relevant_ids_exist_in_seed_catalogue(seed_services):
    catalogue = {service.id for service in seed_services}
    unknown = {
        (row["id"], service_id)
        for split in SPLITS
        for row in _rows(split)
        for service_id in row["relevant"]
        if service_id not in catalogue
    }
    assert not unknown, f"relevant ids not in the seed catalogue: {sorted(unknown)}"


def test_ids_and_texts_are_unique_across_splits():
    rows = [row for split in SPLITS for row in _rows(split)]
    repeated_ids = [key for key, count in Counter(row["id"] for row in rows).items() if count > 1]
    repeated_texts = [key for key, count in Counter(row["text"] for row in rows).items() if count > 1]
    assert not repeated_ids, f"ids used more than once: {repeated_ids}"
    assert not repeated_texts, f"texts used more than once: {repeated_texts}"


def test_rows_are_well_formed():
    for split in SPLITS:
        for row in _rows(split):
            assert row["kind"] in KINDS, row
            assert row["lang"] in {"th", "en"}, row
            assert isinstance(row["persona"], str) and row["persona"], row
            assert (row["kind"] == "out_of_catalogue") == (row["relevant"] == []), row


def test_every_kind_has_enough_test_questions():
    counts = Counter(row["kind"] for row in _rows("test"))
    short = {kind: counts[kind] for kind in KINDS if counts[kind] < MIN_TEST_QUESTIONS_PER_KIND}
    assert not short, f"kinds with fewer than {MIN_TEST_QUESTIONS_PER_KIND} test questions: {short}"
