"""The persona dialogue set (tests/data/persona_dialogues): its test split is frozen and well formed.

The test split is for reporting only, never for tuning; its checksum is recorded in SHA256SUMS so that
it cannot change silently. See tests/data/persona_dialogues/README.md for how the set was written.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

from knowledge.evaluation.dialogues import load_dialogues, service_ids
from tests.knowledge.evaluation.frozen_sets import frozen_split_problem, rows

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "persona_dialogues"
SPLITS = ("dev", "test")
MIN_DIALOGUES, MIN_TURNS = 40, 120


def _rows(split: str) -> list[dict[str, Any]]:
    return rows(DATA_DIR, split)


def test_test_split_is_frozen():
    problem = frozen_split_problem(DATA_DIR)
    assert problem is None, problem


def test_every_dialogue_reads_and_names_only_catalogue_services(seed_services):
    catalogue = {service.id for service in seed_services}
    for split in SPLITS:
        dialogues = load_dialogues(DATA_DIR / f"{split}.jsonl")  # checks every turn's shape
        unknown = service_ids(dialogues) - catalogue
        assert not unknown, f"{split}: service ids not in the seed catalogue: {sorted(unknown)}"


def test_ids_are_unique_across_splits():
    ids = [row["id"] for split in SPLITS for row in _rows(split)]
    assert [key for key, count in Counter(ids).items() if count > 1] == []


def test_the_set_is_large_enough_and_split_40_60():
    counts = {split: len(_rows(split)) for split in SPLITS}
    turns = sum(len(row["turns"]) for split in SPLITS for row in _rows(split))
    assert sum(counts.values()) >= MIN_DIALOGUES and turns >= MIN_TURNS
    assert 0.35 <= counts["dev"] / sum(counts.values()) <= 0.45


def test_the_split_follows_its_rule():
    """Within each dialogue language, by sha256 of the id: positions 0 and 2 of every 5 are dev (README)."""
    rows = [row for split in SPLITS for row in _rows(split)]
    expected: dict[str, set[str]] = {"dev": set(), "test": set()}
    for lang in sorted({row["lang"] for row in rows}):
        ranked = sorted(
            (r for r in rows if r["lang"] == lang), key=lambda r: hashlib.sha256(r["id"].encode()).hexdigest()
        )
        for position, row in enumerate(ranked):
            expected["dev" if position % 5 in (0, 2) else "test"].add(row["id"])
    assert {split: {row["id"] for row in _rows(split)} for split in SPLITS} == expected


def test_the_test_split_has_every_kind_of_turn():
    types = Counter(turn.type for dialogue in load_dialogues(DATA_DIR / "test.jsonl") for turn in dialogue.turns)
    wanted = {
        "open",
        "follow_up",
        "sibling",
        "switch",
        "lang_change",
        "widget_switch",
        "out_of_catalogue",
        "pick",
        "closing",
    }
    assert wanted <= set(types), f"turn types missing from the test split: {sorted(wanted - set(types))}"
