"""What the frozen evaluation sets' tests share: reading a split and checking it against SHA256SUMS."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from knowledge.evaluation.datasets import read_json_lines

__all__ = ["frozen_split_problem", "rows"]


def rows(data_dir: Path, split: str) -> list[dict[str, Any]]:
    return [row for _, row in read_json_lines(data_dir / f"{split}.jsonl")]


def _recorded_sums(data_dir: Path) -> dict[str, str]:
    sums = {}
    for line in (data_dir / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            sums[name.lstrip("*")] = digest
    return sums


def frozen_split_problem(data_dir: Path, name: str = "test.jsonl") -> str | None:
    """Why ``data_dir/name`` no longer matches its recorded checksum, or None when it does."""
    actual = hashlib.sha256((data_dir / name).read_bytes()).hexdigest()
    if actual == _recorded_sums(data_dir).get(name):
        return None
    where = f"tests/data/{data_dir.name}"
    return (
        f"{where}/{name} is frozen: its sha256 no longer matches SHA256SUMS. "
        "Do not edit, re-split or tune on the test split; restore it from git. A new or corrected set "
        f"needs a new file (and its own checksum) plus a note in {where}/README.md."
    )
