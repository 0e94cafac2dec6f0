"""A tiny corpus whose answers are known, shared by the loader and retrieval tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CORPUS = [
    {"id": "id-card", "text": "ต่ออายุบัตรประชาชนที่สำนักงานเขตหรือที่ว่าการอำเภอ", "lang": "th"},
    {"id": "passport", "text": "Apply for or renew a passport at the Department of Consular Affairs.", "lang": "en"},
    {"id": "birth", "text": "แจ้งเกิดภายใน 15 วันนับแต่วันที่เด็กเกิด", "lang": "th"},
    {"id": "tax", "text": "File your personal income tax return online before the end of March.", "lang": "en"},
]
QUERIES = [
    {"text": "ต่ออายุบัตรประชาชน", "relevant": ["id-card"]},
    {"text": "renew passport", "relevant": ["passport"]},
    {"text": "แจ้งเกิดลูก", "relevant": ["birth"]},
    {"text": "income tax return", "relevant": ["tax"]},
]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
