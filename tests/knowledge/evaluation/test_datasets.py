"""The JSON Lines corpus and query loaders: valid files read back, a bad line is named."""

from __future__ import annotations

import json
import re

import pytest

from knowledge.evaluation.datasets import load_corpus, load_queries
from tests.knowledge.evaluation.sample_corpus import CORPUS, QUERIES, write_jsonl


def test_loaders_read_valid_files(tmp_path):
    write_jsonl(tmp_path / "corpus.jsonl", CORPUS)
    (tmp_path / "queries.jsonl").write_text(
        "\n".join(json.dumps(q, ensure_ascii=False) for q in QUERIES) + "\n\n", encoding="utf-8"
    )
    assert load_corpus(tmp_path / "corpus.jsonl") == CORPUS
    assert load_queries(tmp_path / "queries.jsonl") == QUERIES


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "x", "text": "t", "lang": "th"', "not valid JSON"),
        ('["x", "t", "th"]', "expected a JSON object"),
        ('{"id": "", "text": "t", "lang": "th"}', "'id' must be a non-empty string"),
        ('{"id": "x", "lang": "th"}', "'text' must be a non-empty string"),
        ('{"id": "x", "text": "t", "lang": "fr"}', "'lang' must be one of"),
        ('{"id": "id-card", "text": "t", "lang": "th"}', "duplicate id 'id-card'"),
    ],
)
def test_malformed_corpus_line_is_named(tmp_path, line, message):
    path = tmp_path / "corpus.jsonl"
    path.write_text(json.dumps(CORPUS[0], ensure_ascii=False) + "\n\n" + line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(f"corpus.jsonl:3: {message}")):
        load_corpus(path)


@pytest.mark.parametrize("relevant", ['"id-card"', "[]", "[1]", '[""]'])
def test_malformed_query_line_is_named(tmp_path, relevant):
    path = tmp_path / "queries.jsonl"
    path.write_text('{"text": "ok", "relevant": ["a"]}\n{"text": "q", "relevant": ' + relevant + "}\n")
    with pytest.raises(ValueError, match=r"queries\.jsonl:2: 'relevant' must be a non-empty list"):
        load_queries(path)
