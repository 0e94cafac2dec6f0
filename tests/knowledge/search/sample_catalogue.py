"""A small bilingual catalogue shared by the index and persistence tests."""

from __future__ import annotations

from knowledge.search.index import HybridIndex
from knowledge.search.passages import Passage, SearchHit
from nlu.embedders import Embedder

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


def fresh(embedder: Embedder) -> HybridIndex:
    built = HybridIndex(embedder)
    built.upsert_many(catalogue())
    return built


def ids(hits: list[SearchHit]) -> list[str]:
    return [hit.doc_id for hit in hits]
