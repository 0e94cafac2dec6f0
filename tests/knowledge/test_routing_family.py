"""Asking back when a question names a family of siblings and nothing that picks one of them.

Unit tests on hand-made matches (what the question's words are, and which of them each service's
texts use), then the real search: the words each match carries come from the catalogue itself.
"""

from __future__ import annotations

import dataclasses

import pytest

from gateway.settings import SearchSettings
from knowledge.routing import Answer, AskBack, RoutingPolicy, alike, route
from knowledge.search.passages import Passage, SearchHit
from knowledge.service_search import ServiceMatch

POLICY = RoutingPolicy(min_score=0.3, ask_margin=0.015, spread=0.1, family_window=0.3, family_extra=2)


@pytest.fixture(scope="module")
def services(seed_services):
    return {s.id: s for s in seed_services}


@pytest.fixture(scope="module")
def match(services):
    def build(sid: str, score: float, words: set[str] | None, other_words: int = 0) -> ServiceMatch:
        hit = SearchHit(sid, score, score, score, Passage(sid, "title", "th", sid))
        return ServiceMatch(services[sid], hit, None if words is None else frozenset(words), other_words)

    return build


def _ids(decision) -> list[str]:
    return [m.service.id for m in decision.candidates]


def test_a_family_name_alone_is_asked_back_with_the_family_even_when_one_sibling_leads(match):
    found = [
        match("id-card-renewal", 0.72, {"บัตรประชาชน"}, other_words=1),
        match("id-card-first-issue", 0.55, {"บัตรประชาชน"}),
        match("id-card-replacement-lost-damaged", 0.53, {"บัตรประชาชน"}),
        match("thaid-digital-id", 0.50, set()),  # its texts do not use the question's word: not family
    ]
    decision = route(found, POLICY)
    assert isinstance(decision, AskBack) and decision.family
    assert _ids(decision) == ["id-card-renewal", "id-card-first-issue", "id-card-replacement-lost-damaged"]


def test_a_word_only_the_best_uses_tells_it_apart(match):
    found = [
        match("passport-renewal", 0.76, {"พาสปอร์ต", "ต่อพาสปอร์ต"}),
        match("passport-first-issue", 0.74 - 0.1, {"พาสปอร์ต"}),
    ]
    decision = route(found, POLICY)
    assert isinstance(decision, Answer) and decision.match.service.id == "passport-renewal"


def test_a_question_that_tells_its_situation_is_answered_even_in_the_family_words(match):
    # Every word the best's texts use, a sibling's use too; but the question says four more words.
    found = [
        match("house-registration-destination-move", 0.70, {"ทะเบียนบ้าน", "แจ้ง"}, other_words=4),
        match("house-registration-move-out", 0.62, {"ทะเบียนบ้าน", "แจ้ง", "ออก"}),
    ]
    assert isinstance(route(found, POLICY), Answer)
    assert isinstance(route(found, dataclasses.replace(POLICY, family_extra=4)), AskBack)


def test_a_sibling_beyond_the_window_or_below_the_floor_is_not_offered(match):
    found = [
        match("driving-licence-renewal", 0.80, {"ใบขับขี่"}),
        match("driving-licence-temporary", 0.45, {"ใบขับขี่"}),  # 0.35 behind: outside the window
        match("driving-licence-replacement", 0.25, {"ใบขับขี่"}),  # below min_score
    ]
    assert isinstance(route(found, POLICY), Answer)


def test_no_words_known_or_a_zero_window_leaves_the_rule_off(match):
    unknown = [match("id-card-renewal", 0.72, None), match("id-card-first-issue", 0.6, None)]
    assert isinstance(route(unknown, POLICY), Answer)
    known = [match("id-card-renewal", 0.72, {"บัตร"}), match("id-card-first-issue", 0.6, {"บัตร"})]
    assert isinstance(route(known, dataclasses.replace(POLICY, family_window=0.0)), Answer)
    assert not alike(match("id-card-renewal", 0.72, set()), match("id-card-first-issue", 0.6, set()), POLICY)


def test_the_family_offered_is_at_most_depth_long(match):
    family = [
        "driving-licence-replacement",
        "driving-licence-temporary",
        "international-driving-permit",
        "foreign-driving-licence-conversion",
        "driving-licence-renewal",
    ]
    found = [match(sid, 0.7 - i * 0.01, {"ใบขับขี่"}) for i, sid in enumerate(family)]
    decision = route(found, dataclasses.replace(POLICY, depth=4))
    assert isinstance(decision, AskBack) and _ids(decision) == family[:4]


def test_an_unusable_family_setting_is_refused():
    with pytest.raises(ValueError, match="unusable routing policy"):
        RoutingPolicy(min_score=0.3, ask_margin=0.0, family_window=-0.1)
    with pytest.raises(ValueError, match="unusable routing policy"):
        RoutingPolicy(min_score=0.3, ask_margin=0.0, family_extra=-1)


# --- the real search and the shipped settings ------------------------------------------------------

SHIPPED = SearchSettings().thresholds().policy


def _routed(catalogue, question: str):
    found = catalogue.lookup(question, k=5)
    return route(found.matches, SHIPPED, found.referral)


@pytest.mark.parametrize(
    ("question", "family"),
    [
        ("ขอถามเรื่องบัตรประชาชนหน่อยครับ", {"id-card-renewal", "id-card-first-issue"}),
        ("I have a question about my ID card", {"id-card-renewal", "id-card-first-issue"}),
        ("เรื่องใบขับขี่ครับ", {"driving-licence-renewal", "driving-licence-temporary"}),
        ("ประกันสังคมค่ะ", {"social-security-section-40"}),
        ("house registration", {"house-registration-move-in", "house-registration-move-out"}),
    ],
)
def test_a_question_naming_only_a_family_is_asked_back_with_its_siblings(catalogue, question, family):
    decision = _routed(catalogue, question)
    assert isinstance(decision, AskBack), decision
    assert family <= set(_ids(decision)), _ids(decision)


@pytest.mark.parametrize(
    ("question", "service"),
    [
        ("ต่อพาสปอร์ต", "passport-renewal"),
        ("How do I renew my passport?", "passport-renewal"),
        ("บัตรประชาชนหาย", "id-card-replacement-lost-damaged"),
        ("บัตรประชาชนหมดอายุ", "id-card-renewal"),
        ("ทำบัตรประชาชนครั้งแรก", "id-card-first-issue"),
        ("ต่อใบขับขี่", "driving-licence-renewal"),
        ("passport lost", "passport-lost-replacement"),
    ],
)
def test_a_question_with_the_word_that_picks_a_sibling_is_answered(catalogue, question, service):
    decision = _routed(catalogue, question)
    assert isinstance(decision, Answer), decision
    assert decision.match.service.id == service


def test_every_match_says_which_of_the_questions_words_its_texts_use(catalogue):
    found = catalogue.lookup("บัตรประชาชนหาย", k=5).matches
    lost = next(m for m in found if m.service.id == "id-card-replacement-lost-damaged")
    renewal = next(m for m in found if m.service.id == "id-card-renewal")
    assert lost.words is not None and {"บัตรประชาชน", "หาย"} <= lost.words
    assert renewal.words is not None and "หาย" not in renewal.words
