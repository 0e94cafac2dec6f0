"""Misspelt Thai found anyway: suspects, corrections into the index's words, and the real catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.evaluation.labelled_questions import load_labelled_questions
from knowledge.search.index import HybridIndex
from knowledge.search.passages import Passage
from knowledge.search.spelling import DEFAULT_SPELLING, SpellingBridge, SpellingConfig
from knowledge.service_search import KeywordBoost, passages_for
from nlu.embedders import Embedder
from tests.knowledge.search.sample_catalogue import fresh, ids

QUESTIONS = Path(__file__).resolve().parents[2] / "data"

# ----- the bridge alone, over a small vocabulary ---------------------------------------------------

# word -> documents using it; a piece at least three documents use is a word in its own right
FREQUENCY = {
    "บัตรประชาชน": 5,
    "บัตร": 9,
    "หาย": 6,
    "ทะเบียนบ้าน": 4,
    "ทะเบียน": 7,
    "ใบ": 9,
    "แจ้ง": 9,
    "ใบแดง": 1,
    "ย้าย": 5,
    "เดินทาง": 3,
    "หนังสือ": 8,
}


def _bridge(**options: object) -> SpellingBridge:
    bridge = SpellingBridge(SpellingConfig(**options))  # type: ignore[arg-type]
    bridge.vocabulary.add(FREQUENCY)
    return bridge


def _corrected(bridge: SpellingBridge, text: str) -> str:
    query = bridge.read(text)
    return bridge.rewrite(query, bridge.corrections(query, lambda word: FREQUENCY.get(word, 0)))


def test_a_word_that_sounds_alike_replaces_the_misspelling():
    bridge = _bridge()
    assert _corrected(bridge, "บัตรประชาชลหายครับ") == "บัตรประชาชนหายครับ"
    assert _corrected(bridge, "ทะเบียนบ้ารหาย ทำไง") == "ทะเบียนบ้านหาย ทำไง"


def test_a_word_one_letter_away_replaces_a_garbled_word():
    assert _corrected(_bridge(), "ทำหนังสือเดิทาง") == "ทำหนังสือเดินทาง"
    assert _corrected(_bridge(max_edits=0), "ทำหนังสือเดิทาง") == "ทำหนังสือเดิทาง"  # sound alone misses it


def test_a_phrase_of_known_words_is_left_alone():
    # "ใบแดง" sounds like "ใบแจ้ง", but "ใบ" and "แจ้ง" are the catalogue's own words side by side.
    assert _corrected(_bridge(), "ได้ใบแจ้งย้ายแล้ว") == "ได้ใบแจ้งย้ายแล้ว"


def test_correct_text_latin_and_empty_queries_are_unchanged():
    bridge = _bridge()
    for text in ("บัตรประชาชนหาย", "lost my ID card", "", "ๆ ๆ"):
        assert _corrected(bridge, text) == text


def test_suspects_join_up_to_max_join_pieces_of_one_thai_run():
    query = _bridge(max_join=2).read("บัตรประชาชล passport หาย")
    assert all(suspect.last - suspect.first <= 2 for suspect in query.suspects)
    assert {suspect.run for suspect in query.suspects} <= {0, 1}
    assert not any("passport" in suspect.text for suspect in query.suspects)
    assert all(len(suspect.text) >= 3 for suspect in query.suspects)


def test_expanding_keeps_the_query_and_adds_the_words():
    bridge = _bridge(correct_query=False)
    query = bridge.read("บัตรประชาชลหาย")
    weights = SpellingBridge.weights(bridge.corrections(query, lambda word: FREQUENCY.get(word, 0)))
    assert weights["บัตรประชาชน"] == pytest.approx(0.6)


@pytest.mark.parametrize(
    "options",
    [{"sound_engines": ("soundex",)}, {"sound_weight": 1.5}, {"max_edits": -1}, {"max_join": 0}],
)
def test_bad_settings_are_refused(options):
    with pytest.raises(ValueError):
        SpellingConfig(**options)


def test_nothing_to_match_with_turns_it_off():
    assert not SpellingConfig(sound_engines=(), max_edits=0).enabled
    assert DEFAULT_SPELLING.enabled and DEFAULT_SPELLING.correct_query


# ----- the index -----------------------------------------------------------------------------------


def test_the_index_searches_the_corrected_query(embedder: Embedder):
    index = fresh(embedder)
    assert index.spelling == DEFAULT_SPELLING
    assert index.spell("ต่ออายุบัตรประชาชลที่ไหน") == "ต่ออายุบัตรประชาชนที่ไหน"
    assert ids(index.search("ทำหนังสือเดิรทาง", k=1)) == ["passport"]
    # the whole misspelt word is replaced, not its first pieces ("ผู้สูงอา" + "ยู", "เร" + "ีอ")
    assert index.spell("เบี้ยยังชีพผู้สูงอายู") == "เบี้ยยังชีพผู้สูงอายุ"
    assert index.spell("ท่าเทียบเรีอ") == "ท่าเทียบเรือ"
    index.configure_spelling(None)
    assert index.spelling is None
    assert index.spell("ต่ออายุบัตรประชาชลที่ไหน") == "ต่ออายุบัตรประชาชลที่ไหน"


def test_an_update_teaches_the_index_new_words_to_correct_into(embedder: Embedder):
    index = fresh(embedder)
    assert index.spell("จดทะเบียนสมลส") == "จดทะเบียนสมลส"  # the catalogue has no "สมรส" yet
    index.upsert("marriage", [Passage("marriage", "title", "th", "จดทะเบียนสมรส")])
    assert index.spell("จดทะเบียนสมลส") == "จดทะเบียนสมรส"
    index.remove("marriage")
    assert index.spell("จดทะเบียนสมลส") == "จดทะเบียนสมลส"


def test_a_saved_index_corrects_the_same_after_loading(embedder: Embedder, tmp_path: Path):
    index = fresh(embedder)
    index.save(tmp_path / "idx")
    loaded = HybridIndex.load(tmp_path / "idx", embedder)
    assert loaded.spell("ต่ออายุบัตรประชาชล") == index.spell("ต่ออายุบัตรประชาชล") == "ต่ออายุบัตรประชาชน"
    assert HybridIndex.load(tmp_path / "idx", embedder, spelling=None).spell("บัตรประชาชล") == "บัตรประชาชล"


# ----- the real catalogue --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalogue(embedder: Embedder, seed_services) -> tuple[HybridIndex, KeywordBoost]:
    index = HybridIndex(embedder)
    index.upsert_many({service.id: passages_for(service) for service in seed_services})
    return index, KeywordBoost({service.id: service for service in seed_services})


def _first(catalogue: tuple[HybridIndex, KeywordBoost], query: str) -> str:
    index, boost = catalogue
    return boost.rerank(index.search(query, k=30), index.spell(query))[0].doc_id


@pytest.mark.parametrize(
    ("query", "service"),
    [
        ("ต่อภาสีรถยนต์ที่ไหน", "vehicle-tax-renewal"),  # ษ typed as ส
        ("เบิกค่าทำสพจากประกันสังคมได้เท่าไหร่", "social-security-funeral-grant"),  # ศ typed as ส
        ("ประกันสังขมคลอดบุตรเบิกได้เท่าไหร่", "social-security-maternity-benefit"),
        ("บัตรประชาชลหาย ทำใหม่ที่ไหน", "id-card-replacement-lost-damaged"),
        ("ทำหนังสือเดิรทางครั้งแรกต้องใช้อะไร", "passport-first-issue"),
        ("ทะเบียนบ้ารหายทั้งเล่ม", "house-registration-book-replacement"),
    ],
)
def test_misspelt_questions_find_the_right_service(catalogue, query, service):
    assert _first(catalogue, query) == service


def _score(catalogue: tuple[HybridIndex, KeywordBoost], query: str, service: str) -> float:
    index, boost = catalogue
    hits = boost.rerank(index.search(query, k=30), index.spell(query))
    return next(hit.score for hit in hits if hit.doc_id == service)


def test_the_correction_is_what_finds_it(catalogue):
    index, _ = catalogue
    query = "ต่อภาสีรถยนต์ที่ไหน"
    assert index.spell(query) == "ต่อภาษีรถยนต์ที่ไหน"
    corrected = _score(catalogue, query, "vehicle-tax-renewal")
    index.configure_spelling(None)
    try:
        plain = _score(catalogue, query, "vehicle-tax-renewal")
    finally:
        index.configure_spelling(DEFAULT_SPELLING)
    assert corrected > plain + 0.05  # the catalogue's own word "ภาษี" now matches


def test_correctly_spelt_questions_rank_as_before(catalogue):
    index, boost = catalogue
    questions = [q["text"] for q in load_labelled_questions(QUESTIONS) if q.get("style") != "misspelt"]
    with_spelling = [[hit.doc_id for hit in boost.rerank(index.search(q, k=30), index.spell(q))[:3]] for q in questions]
    index.configure_spelling(None)
    try:
        without = [[hit.doc_id for hit in boost.rerank(index.search(q, k=30), q)[:3]] for q in questions]
    finally:
        index.configure_spelling(DEFAULT_SPELLING)
    changed = [q for q, a, b in zip(questions, with_spelling, without, strict=True) if a[0] != b[0]]
    assert not changed
    # a correctly spelt question is almost never rewritten (an abbreviation like "ใบรบ" may be)
    rewritten = [q for q in questions if index.spell(q) != q]
    assert len(rewritten) <= len(questions) // 50
