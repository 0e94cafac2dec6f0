"""The corpus and query files of retrieval evaluation (JSON Lines, UTF-8, blank lines ignored).

* corpus: ``{"id": "doc-1", "text": "...", "lang": "th"}``
* queries: ``{"text": "...", "relevant": ["doc-1"]}`` (other keys such as "id" are kept)

A malformed line is reported with its file and line number.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["LANGS", "load_corpus", "load_queries", "read_json_lines"]

LANGS = ("th", "en")


def read_json_lines(path: Path | str) -> Iterable[tuple[int, dict[str, Any]]]:
    """Each non-blank line as ``(line number, object)``; ``ValueError`` naming the line otherwise."""
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}:{number}: not valid JSON ({error.msg})") from error
            if not isinstance(row, dict):
                raise ValueError(f"{path}:{number}: expected a JSON object, got {type(row).__name__}")
            yield number, row


def _text_field(path: Path | str, number: int, row: dict[str, Any], key: str) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{path}:{number}: {key!r} must be a non-empty string")
    return value


def load_corpus(path: Path | str) -> list[dict[str, Any]]:
    """Documents ``{"id", "text", "lang"}``; ids must be unique, lang "th" or "en"."""
    corpus = []
    seen: set[str] = set()
    for number, row in read_json_lines(path):
        doc_id = _text_field(path, number, row, "id")
        _text_field(path, number, row, "text")
        if row.get("lang") not in LANGS:
            raise ValueError(f"{path}:{number}: 'lang' must be one of {LANGS}, got {row.get('lang')!r}")
        if doc_id in seen:
            raise ValueError(f"{path}:{number}: duplicate id {doc_id!r}")
        seen.add(doc_id)
        corpus.append(row)
    return corpus


def load_queries(path: Path | str) -> list[dict[str, Any]]:
    """Queries ``{"text", "relevant": [ids]}`` with at least one relevant id."""
    queries = []
    for number, row in read_json_lines(path):
        _text_field(path, number, row, "text")
        relevant = row.get("relevant")
        if (
            not isinstance(relevant, list)
            or not relevant
            or not all(isinstance(item, str) and item for item in relevant)
        ):
            raise ValueError(f"{path}:{number}: 'relevant' must be a non-empty list of document ids")
        queries.append(row)
    return queries
