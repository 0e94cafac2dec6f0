"""Incremental BM25F over PyThaiNLP words and over Thai character trigrams."""

from __future__ import annotations

from typing import Any

import pytest

from knowledge.search.analyzers import lexical_terms, thai_char_ngrams
from knowledge.search.bm25 import LexicalIndex

DOCS = {
    "id-card": [("title", "ต่ออายุบัตรประชาชน"), ("summary", "บัตรประจำตัวประชาชนหมดอายุ ยื่นคำขอที่สำนักงานเขต")],
    "passport": [("title", "Passport renewal"), ("summary", "Renew passports at the Department of Consular Affairs")],
    "birth": [("title", "แจ้งเกิด"), ("summary", "แจ้งเกิดภายใน 15 วัน ที่สำนักงานเขตหรือเทศบาล")],
}


def build(docs: dict[str, list[tuple[str, str]]] = DOCS, **options: Any) -> LexicalIndex:
    index = LexicalIndex(**options)
    for doc_id, fields in docs.items():
        index.add(doc_id, index.document_terms(fields))
    return index


def ranked(index: LexicalIndex, query: str) -> list[tuple[str, float]]:
    scores = index.scores(index.prepare(lexical_terms(query)))
    pairs = [(str(index.doc_at(slot)), float(score)) for slot, score in enumerate(scores) if score > 0]
    return sorted(pairs, key=lambda pair: -pair[1])


def test_thai_typed_without_spaces_matches():
    index = build()
    hits = ranked(index, "อยากต่ออายุบัตรประชาชนต้องทำยังไง")
    assert hits[0][0] == "id-card"
    assert ranked(index, "แจ้งเกิดลูก")[0][0] == "birth"


def test_scores_are_normalised_by_the_query_ceiling():
    index = build()
    full = ranked(index, "passport renewal")
    half = ranked(index, "passport renewal zebra giraffe")
    assert full[0][0] == half[0][0] == "passport"
    assert 0 < half[0][1] < full[0][1] <= 1.0
    assert ranked(index, "zebra giraffe") == []


def test_incremental_updates_equal_a_fresh_build():
    index = build()
    index.add("birth", index.document_terms([("title", "something else entirely")]))
    index.add("birth", index.document_terms(DOCS["birth"]))  # back to the original
    index.add("temp", index.document_terms([("title", "ชั่วคราว temporary")]))
    assert [doc for doc, _ in ranked(index, "temporary")] == ["temp"]  # caches the term's postings
    index.remove("temp")
    assert ranked(index, "temporary") == []  # ...and the cache follows the removal
    index.add("temp2", index.document_terms([("title", "another thing")]))  # reuses the freed slot
    assert [doc for doc, _ in ranked(index, "another")] == ["temp2"]
    index.remove("temp2")
    index.remove("never-added")
    fresh = build()
    assert len(index) == len(fresh) == 3
    for query in ["แจ้งเกิด", "passport", "สำนักงานเขต", "temporary"]:
        assert dict(ranked(index, query)) == pytest.approx(dict(ranked(fresh, query)))
    assert "temporary" not in index and index.document_frequency("สำนักงานเขต") == 2


def test_add_and_remove_report_vocabulary_changes():
    index = LexicalIndex()
    appeared, vanished = index.add("a", {"alpha": 1.0, "beta": 1.0})
    assert sorted(appeared) == ["alpha", "beta"] and vanished == []
    appeared, vanished = index.add("a", {"beta": 2.0, "gamma": 1.0})
    assert appeared == ["gamma"] and vanished == ["alpha"]
    assert index.remove("a") == ["beta", "gamma"]


def test_field_weights_and_views():
    index = build(
        {
            "in-title": [("title", "driving licence")],
            "in-summary": [("summary", "driving licence")],
            "view-only": [("summary#chunk", "driving licence")],
        },
        field_weights={"title": 2.0},
    )
    hits = ranked(index, "driving licence")
    assert [doc for doc, _ in hits] == ["in-title", "in-summary"]  # views are not counted again


def test_state_roundtrip():
    index = build()
    again = LexicalIndex.from_state(index.state())
    assert ranked(again, "สำนักงานเขต") == ranked(index, "สำนักงานเขต")


def test_thai_character_trigrams_catch_misspelt_thai():
    chars = LexicalIndex(analyzer="thai-char3")
    for doc_id, fields in DOCS.items():
        chars.add(doc_id, chars.document_terms(fields))
    words = build()
    misspelt = "ต่ออายุบัดประชาชน"  # บัด for บัตร: newmm cuts it into other words
    assert "บัตรประชาชน" not in lexical_terms(misspelt)
    scores = chars.scores(chars.prepare(thai_char_ngrams(misspelt)))
    assert chars.doc_at(int(scores.argmax())) == "id-card"
    assert LexicalIndex.from_state(chars.state()).analyzer == "thai-char3"
    assert words.analyzer == "words"
    with pytest.raises(ValueError, match="unknown analyzer"):
        LexicalIndex(analyzer="stemmed")
