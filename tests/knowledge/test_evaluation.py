"""Retrieval metrics and the JSON Lines loaders, on a tiny corpus whose answers are known."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from knowledge.evaluation import (
    evaluate_retrieval,
    load_corpus,
    load_queries,
    recall_at,
    reciprocal_rank,
)
from knowledge.hybrid import Passage, SearchHit

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


def test_recall_and_reciprocal_rank_by_hand():
    hits = ["a", "b", "c", "d"]
    assert recall_at(hits, ["b"], 1) == 0.0
    assert recall_at(hits, ["b"], 2) == 1.0
    assert recall_at(hits, ["a", "z"], 5) == 0.5  # standard recall: share of relevant documents found
    assert reciprocal_rank(hits, ["c"]) == pytest.approx(1 / 3)
    assert reciprocal_rank(hits, ["d"], k=3) == 0.0
    assert reciprocal_rank([], ["a"]) == 0.0
    passage = Passage("b", "title", "en", "b")
    assert recall_at([SearchHit("b", 0.9, 0.9, 0.0, passage)], ["b"], 1) == 1.0
    with pytest.raises(ValueError, match="at least one relevant"):
        recall_at(hits, [], 1)


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


def test_evaluate_retrieval_on_known_answers(embedder):
    results = evaluate_retrieval(CORPUS, QUERIES, embedder)
    assert set(results) == {"dense", "lexical", "hybrid"}
    for mode, metrics in results.items():
        assert metrics["queries"] == 4
        assert 0.0 <= metrics["R@1"] <= metrics["R@5"] <= 1.0, mode
        assert 0.0 <= metrics["MRR@10"] <= 1.0
    assert results["hybrid"] | {"ms_per_query": 0} == {
        "R@1": 1.0,
        "R@5": 1.0,
        "MRR@10": 1.0,
        "queries": 4,
        "ms_per_query": 0,
    }
    assert results["lexical"]["R@1"] == 1.0


def test_evaluate_rejects_unknown_modes(embedder):
    with pytest.raises(ValueError, match="unknown mode 'bm25'"):
        evaluate_retrieval(CORPUS, QUERIES, embedder, modes=("bm25",))
