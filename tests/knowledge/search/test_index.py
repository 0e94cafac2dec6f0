"""HybridIndex with the real multilingual encoder, faiss and PyThaiNLP: ranking, updates, threads."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
import pytest

from knowledge.search.analyzers import lexical_terms
from knowledge.search.index import HybridIndex
from knowledge.search.passages import Passage
from nlu.embedders import Embedder
from tests.knowledge.search.sample_catalogue import catalogue, fresh, ids, passages_of


@pytest.fixture(scope="module")
def index(embedder: Embedder) -> HybridIndex:
    built = HybridIndex(embedder)
    built.upsert_many(catalogue())
    return built


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ต่ออายุบัตรประชาชนต้องใช้อะไรบ้าง", "id-card-renewal"),  # Thai without spaces
        ("How do I renew my passport?", "passport"),
        ("แจ้งเกิดลูกได้ที่ไหน", "birth-registration"),
        ("my driving license expired", "driving-licence"),
        ("เงินคนแก่รายเดือน", "elderly-allowance"),  # colloquial, shares no word with the text
        ("permit to build a pier on the river", "pier-permit"),  # English question, Thai-only service
    ],
)
def test_finds_the_right_service(index, query, expected):
    hits = index.search(query, k=3)
    assert ids(hits)[0] == expected
    assert expected in ids(index.search(query, k=3, mode="dense"))


def test_hits_are_one_per_document_best_first(index):
    hits = index.search("ต่ออายุ renew", k=10)
    assert len(ids(hits)) == len(set(ids(hits))) >= 3
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    for hit in hits:
        assert hit.passage.doc_id == hit.doc_id
        assert 0.0 <= hit.lexical_score <= 1.0
        assert -1.0 <= hit.dense_score <= 1.0
        assert -0.5 < hit.score <= 1.0
    assert len(index) == 6


def test_lexical_mode_picks_the_matching_passage(index):
    hits = index.search("กรมการกงสุล", k=3, mode="lexical")
    assert ids(hits)[0] == "passport"
    assert hits[0].passage.text.startswith("ยื่นขอหนังสือเดินทางที่กรมการกงสุล")
    assert hits[0].dense_score == 0.0 and hits[0].score == hits[0].lexical_score > 0


def test_bridge_and_character_trigrams_reach_other_language_and_misspellings(index):
    # "river" appears in no document; the bridge maps it to "แม่น้ำ".
    assert ids(index.search("river", k=1, mode="lexical")) == ["pier-permit"]
    assert ids(index.search("pasport", k=1, mode="lexical")) == ["passport"]
    # Thai misspelling: no word matches, the character trigrams do.
    assert ids(index.search("ทำหนังสือเดิทาง", k=1, mode="lexical")) == ["passport"]
    assert ids(index.search("ทำหนังสือเดิทาง", k=1)) == ["passport"]


def test_score_separates_related_from_unrelated(index):
    related = [index.search(q, k=1)[0].score for q in ("ต่ออายุบัตรประชาชน", "register a birth", "ใบขับขี่หาย")]
    unrelated = [index.search(q, k=1)[0].score for q in ("สูตรต้มยำกุ้งน้ำข้น", "best pizza in Naples")]
    assert max(unrelated) < min(related)


def test_empty_queries_and_bad_arguments(index):
    assert index.search("") == []
    assert index.search("   \n") == []
    assert index.search("แจ้งเกิด", k=0) == []
    with pytest.raises(ValueError, match="hybrid, dense, lexical"):
        index.search("แจ้งเกิด", mode="semantic")
    with pytest.raises(ValueError, match="given for document"):
        index.upsert("passport", passages_of("birth-registration"))


def test_upsert_replaces_and_remove_forgets(embedder):
    index = fresh(embedder)
    index.upsert("passport", [Passage("passport", "title", "en", "Fishing licence for small boats")])
    assert index.passages("passport") == [Passage("passport", "title", "en", "Fishing licence for small boats")]
    assert "passport" not in ids(index.search("หนังสือเดินทาง", k=6, mode="lexical"))
    assert ids(index.search("fishing licence", k=1)) == ["passport"]
    assert len(index._dense) == len(index._passages)  # remove-then-add: no stale vectors

    index.remove("passport")
    index.remove("passport")  # unknown now: no error
    index.remove("never-existed")
    assert len(index) == 5 and "passport" not in index
    assert "passport" not in ids(index.search("fishing licence", k=10))

    index.upsert("birth-registration", [])  # no passages: gone
    assert "birth-registration" not in index
    assert "birth-registration" not in ids(index.search("แจ้งเกิด", k=10))
    assert len(index._dense) == len(index._passages)


class RecordingEmbedder:
    """The real encoder, keeping a note of every text it is asked to embed."""

    def __init__(self, real: Embedder) -> None:
        self.real = real
        self.texts: list[str] = []

    @property
    def name(self) -> str:
        return self.real.name

    @property
    def dimension(self) -> int:
        return self.real.dimension

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.texts.extend(texts)
        return self.real.embed(texts)


def test_single_upsert_embeds_only_that_document_among_a_thousand(embedder):
    # An edit is searchable at once because it costs the size of that document, not the catalogue's.
    # How long it takes is measured by benchmarks/search_scale.py ("upsert_one_doc_ms").
    places = ["เขตบางรัก", "เชียงใหม่", "ขอนแก่น", "ภูเก็ต", "Hat Yai", "Korat", "Udon", "Rayong"]
    actions = ["ต่ออายุ", "ยื่นคำขอ", "แจ้ง", "ลงทะเบียน", "renew", "apply for", "register", "cancel"]
    things = ["ใบอนุญาต", "บัตร", "ทะเบียนบ้าน", "ภาษี", "permit", "licence", "tax refund", "certificate"]
    docs = {}
    for n in range(1000):
        doc_id = f"svc-{n}"
        title = f"{actions[n % 8]} {things[(n // 8) % 8]} {places[(n // 64) % 8]} {n}"
        docs[doc_id] = [Passage(doc_id, "title", "th", title), Passage(doc_id, "summary", "en", f"service {n}")]
    recording = RecordingEmbedder(embedder)
    index = HybridIndex(recording)
    index.upsert_many(docs)
    assert len(index) == 1000
    for attempt in range(3):
        text = f"ขอใบอนุญาตตั้งร้านค้าริมทาง รอบที่ {attempt}"
        recording.texts.clear()
        index.upsert("svc-5", [Passage("svc-5", "title", "th", text)])
        # The new passage, then only those of its words the index had never seen (for the word bridge).
        assert recording.texts[:1] == [text]
        assert set(recording.texts[1:]) <= set(lexical_terms(text))
    assert index.passages("svc-6") == docs["svc-6"]  # the other documents are untouched
    assert ids(index.search("ขอใบอนุญาตตั้งร้านค้าริมทาง", k=1)) == ["svc-5"]
    assert len(index) == 1000 and len(index._dense) == len(index._passages)


def test_concurrent_searches_during_updates(embedder):
    index = fresh(embedder)
    versions = {
        "a": [Passage("flip", "title", "th", "จดทะเบียนสมรส"), Passage("flip", "title", "en", "Register a marriage")],
        "b": [Passage("flip", "title", "th", "จดทะเบียนหย่า"), Passage("flip", "title", "en", "Register a divorce")],
    }
    known_texts = {p.text for ps in catalogue().values() for p in ps} | {p.text for ps in versions.values() for p in ps}
    errors: list[BaseException] = []
    stop = threading.Event()
    searches = [0]

    def reader() -> None:
        queries = ["จดทะเบียนสมรส", "register a divorce", "ต่ออายุบัตรประชาชน", "passport"]
        try:
            while not stop.is_set():
                for query in queries:
                    for mode in ("hybrid", "dense", "lexical"):
                        hits = index.search(query, k=10, mode=mode)
                        assert len(ids(hits)) == len(set(ids(hits)))
                        for hit in hits:
                            assert hit.passage.doc_id == hit.doc_id
                            assert hit.passage.text in known_texts
                        if mode == "hybrid" and query == "ต่ออายุบัตรประชาชน":
                            assert ids(hits)[0] == "id-card-renewal"
                        searches[0] += 1
        except BaseException as error:  # surfaced below
            errors.append(error)

    def writer() -> None:
        try:
            for round_ in range(12):
                index.upsert("flip", versions["ab"[round_ % 2]])
                index.remove("birth-registration")
                index.upsert("birth-registration", passages_of("birth-registration"))
        except BaseException as error:
            errors.append(error)

    readers = [threading.Thread(target=reader) for _ in range(3)]
    for thread in readers:
        thread.start()
    writing = threading.Thread(target=writer)
    writing.start()
    writing.join(timeout=60)
    stop.set()
    for thread in readers:
        thread.join(timeout=30)
    assert not errors, errors
    assert searches[0] > 20
    assert len(index) == 7 and len(index._dense) == len(index._passages)
    assert ids(index.search("จดทะเบียนหย่า", k=1)) == ["flip"]
