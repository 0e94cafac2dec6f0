"""HybridIndex with the real multilingual encoder, faiss and PyThaiNLP: ranking, updates, threads, files."""

from __future__ import annotations

import threading
import time

import pytest

from knowledge.hybrid import HybridIndex, IndexMismatchError, Passage, SearchHit, passages_from_text
from nlu.embedders import Embedder, SentenceTransformerEmbedder, gt_minilm_model_path

SERVICES: dict[str, dict[str, tuple[str, str]]] = {
    "id-card-renewal": {
        "title": ("ต่ออายุบัตรประชาชน", "Renew a national ID card"),
        "summary": (
            "บัตรประจำตัวประชาชนหมดอายุ ยื่นคำขอทำบัตรใหม่ได้ที่สำนักงานเขตหรือที่ว่าการอำเภอ",
            "When your ID card expires, apply for a new one at a district office.",
        ),
    },
    "passport": {
        "title": ("ทำหนังสือเดินทาง", "Apply for a passport"),
        "summary": (
            "ยื่นขอหนังสือเดินทางที่กรมการกงสุล นำบัตรประชาชนตัวจริงไปด้วย",
            "Apply at the Department of Consular Affairs and bring your ID card.",
        ),
    },
    "birth-registration": {
        "title": ("แจ้งเกิด", "Register a birth"),
        "summary": (
            "แจ้งเกิดภายใน 15 วันที่สำนักงานเขตหรือเทศบาล",
            "Register a newborn within 15 days at the district office or municipality.",
        ),
    },
    "driving-licence": {
        "title": ("ต่ออายุใบขับขี่", "Renew a driving licence"),
        "summary": (
            "ใบขับขี่หมดอายุ ต่ออายุได้ที่สำนักงานขนส่ง ต้องผ่านการอบรม",
            "Renew your driving licence at a Department of Land Transport office after a short course.",
        ),
    },
    "elderly-allowance": {
        "title": ("เบี้ยยังชีพผู้สูงอายุ", "Old-age allowance"),
        "summary": (
            "ผู้ที่อายุ 60 ปีขึ้นไปลงทะเบียนรับเบี้ยยังชีพรายเดือนได้ที่เทศบาลหรือ อบต.",
            "People aged 60 or over register for the monthly allowance at the municipality.",
        ),
    },
}
# Thai only: an English question can reach it through the encoder and the word bridge alone.
PIER = [
    Passage("pier-permit", "title", "th", "ขออนุญาตสร้างท่าเทียบเรือริมแม่น้ำ"),
    Passage("pier-permit", "summary", "th", "ขออนุญาตก่อสร้างสิ่งล่วงล้ำลำแม่น้ำ ยื่นคำขอที่กรมเจ้าท่า"),
]


def passages_of(doc_id: str) -> list[Passage]:
    return [
        Passage(doc_id, field, lang, text)
        for field, pair in SERVICES[doc_id].items()
        for lang, text in zip(("th", "en"), pair, strict=True)
    ]


def catalogue() -> dict[str, list[Passage]]:
    return {doc_id: passages_of(doc_id) for doc_id in SERVICES} | {"pier-permit": PIER}


@pytest.fixture(scope="module")
def index(embedder: Embedder) -> HybridIndex:
    built = HybridIndex(embedder)
    built.upsert_many(catalogue())
    return built


def fresh(embedder: Embedder) -> HybridIndex:
    built = HybridIndex(embedder)
    built.upsert_many(catalogue())
    return built


def ids(hits: list[SearchHit]) -> list[str]:
    return [hit.doc_id for hit in hits]


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


def test_single_upsert_is_fast_with_a_thousand_documents(embedder):
    places = ["เขตบางรัก", "เชียงใหม่", "ขอนแก่น", "ภูเก็ต", "Hat Yai", "Korat", "Udon", "Rayong"]
    actions = ["ต่ออายุ", "ยื่นคำขอ", "แจ้ง", "ลงทะเบียน", "renew", "apply for", "register", "cancel"]
    things = ["ใบอนุญาต", "บัตร", "ทะเบียนบ้าน", "ภาษี", "permit", "licence", "tax refund", "certificate"]
    docs = {}
    for n in range(1000):
        doc_id = f"svc-{n}"
        title = f"{actions[n % 8]} {things[(n // 8) % 8]} {places[(n // 64) % 8]} {n}"
        docs[doc_id] = [Passage(doc_id, "title", "th", title), Passage(doc_id, "summary", "en", f"service {n}")]
    index = HybridIndex(embedder)
    index.upsert_many(docs)
    assert len(index) == 1000
    timings = []
    for attempt in range(3):
        started = time.perf_counter()
        index.upsert("svc-5", [Passage("svc-5", "title", "th", f"ขอใบอนุญาตตั้งร้านค้าริมทาง รอบที่ {attempt}")])
        timings.append(time.perf_counter() - started)
    assert sorted(timings)[1] < 1.0
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


def test_save_load_roundtrip(embedder, tmp_path):
    index = fresh(embedder)
    queries = ["ต่ออายุบัตรประชาชน", "river pier", "elderly monthly money", "แจ้งเกิด"]
    before = {q: [(h.doc_id, round(h.score, 5), h.passage) for h in index.search(q, k=4)] for q in queries}
    index.save(tmp_path / "idx")
    loaded = HybridIndex.load(tmp_path / "idx", embedder)
    assert len(loaded) == len(index)
    for query in queries:
        assert [(h.doc_id, round(h.score, 5), h.passage) for h in loaded.search(query, k=4)] == before[query]
    # the loaded index keeps working: new ids never collide with saved ones
    loaded.upsert("passport", [Passage("passport", "title", "th", "ทำพาสปอร์ตเล่มใหม่")])
    assert len(loaded._dense) == len(loaded._passages)
    assert ids(loaded.search("ทำพาสปอร์ตเล่มใหม่", k=1)) == ["passport"]
    # atomic versions: CURRENT names one complete directory; at most the previous one is kept
    loaded.save(tmp_path / "idx")
    loaded.save(tmp_path / "idx")
    current = (tmp_path / "idx" / "CURRENT").read_text().strip()
    versions = sorted(p.name for p in (tmp_path / "idx").iterdir() if p.is_dir())
    assert current in versions and len(versions) == 2
    assert not [p for p in (tmp_path / "idx").iterdir() if p.name.startswith(".")]


def test_load_refuses_another_embedder(embedder, tmp_path):
    index = HybridIndex(embedder)
    index.upsert("passport", passages_of("passport"))
    index.save(tmp_path / "idx")
    other = SentenceTransformerEmbedder(str(gt_minilm_model_path()))
    with pytest.raises(IndexMismatchError, match="use-multilingual-v3"):
        HybridIndex.load(tmp_path / "idx", other)
    with pytest.raises(FileNotFoundError, match="CURRENT"):
        HybridIndex.load(tmp_path / "nothing-here", embedder)


def test_passages_from_text_views():
    assert passages_from_text("d", "แจ้งเกิด", "th") == [Passage("d", "body", "th", "แจ้งเกิด")]
    assert passages_from_text("d", "  ", "th") == []
    long_thai = " ".join(["แจ้งเกิดภายในสิบห้าวันที่สำนักงานเขต"] * 6)
    views = passages_from_text("d", long_thai, "th")
    fields = [p.field for p in views]
    assert fields[0] == "body" and "body#chunk" in fields and fields.count("body#sentence") == 6
    assert all(len(p.text) <= 100 for p in views if p.field == "body#chunk")
    english = passages_from_text("d", "One sentence here. " * 10, "en")
    assert sum(p.field == "body#sentence" for p in english) == 10
