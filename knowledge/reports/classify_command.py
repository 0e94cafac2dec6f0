"""``citizenbot reports classify``: score any labelled file, one JSON object per line.

Contract (issue 18): each input line is ``{"text": ...}`` (other keys are ignored), each output line
is ``{"text", "type", "score"}`` with ``type`` the Traffy Fondue Thai name; ``--choices`` adds the
top choices. A bad line (not JSON, not an object, no string ``text``, over the size limit) is named
on stderr with its line number and skipped, the others are still scored, and the exit status is 1,
so nothing is silently lost and a pipeline notices.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

from knowledge.reports.classifier import ReportTypeClassifier

__all__ = ["MAX_LINE_CHARS", "classify_json_lines"]

MAX_LINE_CHARS = 100_000
_BATCH = 256


def _decoded(raw: str | bytes) -> str:
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None


def _text_of(line: str) -> str:
    """The ``text`` of one input line, or a ValueError saying what is wrong with it."""
    if len(line) > MAX_LINE_CHARS:
        raise ValueError(f"line longer than {MAX_LINE_CHARS} characters")
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON ({error.msg})") from None
    if not isinstance(record, dict):
        raise ValueError('expected a JSON object like {"text": "..."}')
    text = record.get("text")
    if not isinstance(text, str):
        raise ValueError('missing "text" (a string)')
    return text


def classify_json_lines(
    lines: Iterable[str | bytes], out: TextIO, err: TextIO, classifier: ReportTypeClassifier, with_choices: bool = False
) -> int:
    """Classify every good line of ``lines`` (text, or bytes read as UTF-8) into ``out``.

    Returns the exit status: 0 when every line was good, 1 when any was skipped.
    """
    failed = 0
    batch: list[str] = []

    def flush() -> None:
        for text, result in zip(batch, classifier.classify_many(batch), strict=True):
            row: dict[str, object] = {"text": text, "type": result.type.th, "score": result.score}
            if not text.strip():
                row.update(type=classifier.taxonomy.other.th, score=0.0)
            elif with_choices:
                row["choices"] = [{"type": choice.type.th, "score": choice.score} for choice in result.choices]
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        batch.clear()

    for number, raw in enumerate(lines, start=1):
        try:
            line = _decoded(raw).strip().lstrip("\ufeff")
            if not line:
                continue
            batch.append(_text_of(line))
        except ValueError as error:
            failed += 1
            err.write(f"line {number}: {error}; skipped\n")
            continue
        if len(batch) >= _BATCH:
            flush()
    if batch:
        flush()
    out.flush()
    return 1 if failed else 0
