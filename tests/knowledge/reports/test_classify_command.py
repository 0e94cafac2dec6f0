"""`citizenbot reports classify`: JSON lines in, {"text", "type", "score"} out, bad lines named."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CITIZENBOT = Path(sys.executable).with_name("citizenbot")


def _run(stdin: bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHAINLP_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [str(CITIZENBOT), "reports", "classify", *args],
        input=stdin,
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def test_good_lines_are_scored_and_bad_lines_are_named_without_losing_the_rest() -> None:
    lines = [
        json.dumps({"text": "ไฟทางดับทั้งซอย", "id": 7}, ensure_ascii=False).encode(),
        b"{not json",
        b"\xff\xfe\x00 binary",
        json.dumps({"id": 3}).encode(),
        b"",
        json.dumps({"text": "Rubbish has not been collected for a week"}).encode(),
        json.dumps(["a list"]).encode(),
        json.dumps({"text": ""}).encode(),
    ]
    done = _run(b"\n".join(lines) + b"\n")
    assert done.returncode == 1
    out = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [set(row) for row in out] == [{"text", "type", "score"}] * 3
    assert [row["type"] for row in out] == ["ไฟฟ้า", "ความสะอาด", "อื่นๆ"]
    assert out[0]["text"] == "ไฟทางดับทั้งซอย" and 0 < out[0]["score"] <= 1 and out[2]["score"] == 0.0
    errors = done.stderr.decode()
    for number, why in ((2, "not JSON"), (3, "not UTF-8"), (4, 'missing "text"'), (7, "expected a JSON object")):
        assert f"line {number}: {why}" in errors


def test_all_good_input_exits_zero_and_choices_are_optional() -> None:
    done = _run('{"text": "ท่อระบายน้ำอุดตัน"}\n'.encode(), "--choices")
    assert done.returncode == 0, done.stderr.decode()
    row = json.loads(done.stdout)
    assert row["type"] == "ท่อระบายน้ำ"
    assert len(row["choices"]) == 3 and row["choices"][0]["type"] == "ท่อระบายน้ำ"
