"""The routing decision on a question's best matches: answer, ask back between close ones, or none."""

from __future__ import annotations

import pytest

from knowledge.referrals import Referral
from knowledge.routing import Answer, AskBack, NoMatch, RoutingPolicy, offered_score, route, stands_out
from knowledge.schema import Bilingual
from knowledge.search.passages import Passage, SearchHit
from knowledge.service_search import ReferralMatch, ServiceMatch

POLICY = RoutingPolicy(min_score=0.4, ask_margin=0.03)


@pytest.fixture(scope="module")
def services(seed_services):
    return {s.id: s for s in seed_services}


@pytest.fixture(scope="module")
def matches(services):
    """Matches as the search returns them, best first, from ``(service id, score)`` pairs."""

    def build(*scored: tuple[str, float]) -> list[ServiceMatch]:
        return [
            ServiceMatch(services[sid], SearchHit(sid, score, score, score, Passage(sid, "title", "th", sid)))
            for sid, score in scored
        ]

    return build


def _ids(found: list[ServiceMatch]) -> list[str]:
    return [m.service.id for m in found]


def test_a_clear_best_match_is_the_answer_and_the_others_above_the_floor_are_related(matches):
    found = matches(("vehicle-tax-renewal", 0.66), ("income-tax-efiling", 0.45), ("traffic-fine-payment", 0.30))
    decision = route(found, POLICY)
    assert isinstance(decision, Answer)
    assert decision.match.service.id == "vehicle-tax-renewal"
    assert _ids(decision.related) == ["income-tax-efiling"]  # 0.30 is below the floor: not offered


def test_close_candidates_are_asked_back_best_first(matches):
    found = matches(("passport-renewal", 0.76), ("passport-first-issue", 0.74), ("passport-for-minor", 0.57))
    decision = route(found, POLICY)
    assert isinstance(decision, AskBack)
    assert _ids(decision.candidates) == ["passport-renewal", "passport-first-issue"]


def test_an_ask_back_offers_at_most_max_choices(matches):
    found = matches(
        ("house-registration-move-in", 0.81),
        ("house-registration-move-out", 0.80),
        ("house-registration-destination-move", 0.80),
        ("house-registration-copy", 0.79),
    )
    decision = route(found, POLICY)
    assert isinstance(decision, AskBack)
    assert len(decision.candidates) == POLICY.max_choices == 3


def test_a_family_named_without_the_detail_that_picks_one_is_asked_back(matches):
    driving = ["foreign-driving-licence-conversion", "driving-licence-replacement", "driving-licence-temporary"]
    driving += ["driving-licence-renewal", "international-driving-permit"]
    family = matches(*[(sid, 0.71 - 0.01 * i) for i, sid in enumerate(driving)])
    decision = route(family, RoutingPolicy(min_score=0.4, ask_margin=0.005, spread=0.1))
    assert isinstance(decision, AskBack) and _ids(decision.candidates) == driving[:3]
    assert isinstance(route(family, RoutingPolicy(min_score=0.4, ask_margin=0.005, spread=0.0)), Answer)


def test_below_the_floor_nothing_is_the_answer(matches):
    found = matches(("food-sale-licence", 0.38), ("factory-licence", 0.37))
    decision = route(found, POLICY)
    assert isinstance(decision, NoMatch)
    assert decision.nearest is not None and decision.nearest.service.id == "food-sale-licence"
    assert offered_score(decision) == 0.0
    assert isinstance(route([], POLICY), NoMatch)


def test_a_close_second_below_the_floor_is_no_reason_to_ask(matches):
    decision = route(matches(("elderly-allowance", 0.41), ("disability-allowance", 0.39)), POLICY)
    assert isinstance(decision, Answer) and decision.related == []


def test_the_offered_score_is_the_best_shown(matches):
    assert offered_score(route(matches(("elderly-allowance", 0.9)), POLICY)) == 0.9
    close = route(matches(("passport-renewal", 0.76), ("passport-first-issue", 0.75)), POLICY)
    assert offered_score(close) == 0.76


def test_wording_many_services_share_does_not_stand_out(matches):
    shared = ["fda-product-registration", "land-title-transfer-sale", "partnership-registration"]
    shared += ["commercial-registration", "company-registration"]
    generic = matches(*[(sid, 0.55 - 0.01 * i) for i, sid in enumerate(shared)])
    named = matches(
        ("elderly-allowance", 0.86),
        ("disability-allowance", 0.54),
        ("social-security-old-age-benefit", 0.35),
        ("national-savings-fund", 0.34),
        ("newborn-child-support-grant", 0.33),
    )
    assert not stands_out(generic, lead=0.1, depth=5)
    assert stands_out(named, lead=0.1, depth=5)
    assert stands_out(named[:3], lead=0.1, depth=5)  # fewer than five: a short list stands out


@pytest.mark.parametrize(
    "policy",
    [
        {"min_score": 1.2, "ask_margin": 0.0},
        {"min_score": 0.4, "ask_margin": -0.1},
        {"min_score": 0.4, "ask_margin": 0.0, "max_choices": 1},
        {"min_score": 0.4, "ask_margin": 0.0, "spread": -0.1},
        {"min_score": 0.4, "ask_margin": 0.0, "depth": 1},
    ],
)
def test_an_unusable_policy_is_refused(policy):
    with pytest.raises(ValueError, match="unusable routing policy"):
        RoutingPolicy(**policy)


def _topic(score: float) -> ReferralMatch:
    topic = Referral(
        id="firearm-licence",
        title=Bilingual(th="ใบอนุญาตมีและใช้อาวุธปืน", en="Firearm licence"),
        refer_to=Bilingual(th="ยื่นที่ที่ว่าการอำเภอ", en="Apply at the district office."),
        agency=Bilingual(th="กรมการปกครอง", en="Department of Provincial Administration"),
    )
    return ReferralMatch(topic, SearchHit(topic.doc_id, score, score, score, Passage(topic.doc_id, "title", "th", "")))


def test_a_topic_outside_the_catalogue_that_fits_better_is_no_match_with_who_handles_it(matches):
    found = matches(("driving-licence-renewal", 0.55), ("factory-licence", 0.50))
    decision = route(found, POLICY, _topic(0.62))
    assert isinstance(decision, NoMatch)
    assert decision.referral is not None and decision.referral.referral.id == "firearm-licence"
    assert decision.nearest is not None and decision.nearest.service.id == "driving-licence-renewal"


def test_a_topic_that_fits_less_well_than_a_service_leaves_the_answer_alone(matches):
    found = matches(("driving-licence-renewal", 0.70), ("factory-licence", 0.50))
    decision = route(found, POLICY, _topic(0.60))
    assert isinstance(decision, Answer) and decision.match.service.id == "driving-licence-renewal"


def test_the_referral_margin_lets_a_close_topic_win_or_makes_it_beat_the_service_by_a_lead(matches):
    found = matches(("driving-licence-renewal", 0.64))
    assert isinstance(route(found, RoutingPolicy(0.4, 0.03, referral_margin=0.05), _topic(0.60)), NoMatch)
    assert isinstance(route(found, RoutingPolicy(0.4, 0.03, referral_margin=-0.05), _topic(0.66)), Answer)


def test_a_topic_below_the_floor_is_not_offered_as_a_referral(matches):
    decision = route(matches(("driving-licence-renewal", 0.30)), POLICY, _topic(0.35))
    assert isinstance(decision, NoMatch) and decision.referral is None


def test_wording_many_texts_share_is_not_taken_for_a_topic_outside_the_catalogue(matches):
    # "ค่าธรรมเนียมเท่าไหร่": every service about equal, a topic's short example question a little ahead
    flat = matches(
        ("land-title-transfer-sale", 0.49),
        ("partnership-registration", 0.47),
        ("fda-product-registration", 0.46),
        ("commercial-registration", 0.44),
        ("company-registration", 0.43),
    )
    policy = RoutingPolicy(0.3, 0.015, spread=0.1, referral_margin=0.05)
    assert not isinstance(route(flat, policy, _topic(0.53)), NoMatch)
    far_ahead = route(flat, policy, _topic(0.75))  # a topic the words really name leads them all
    assert isinstance(far_ahead, NoMatch) and far_ahead.referral is not None


def test_a_topic_the_words_do_not_name_needs_a_clear_lead(matches):
    # "ขอ passport ใหม่ทำไง" against "transferring a visa to a new passport": close in meaning only
    found = matches(("passport-first-issue", 0.62), ("passport-lost-replacement", 0.56), ("passport-renewal", 0.53))
    policy = RoutingPolicy(0.3, 0.015, spread=0.1, referral_margin=0.05)
    unnamed = ReferralMatch(_topic(0.68).referral, _topic(0.68).hit, lead=0.06, named=False)
    assert isinstance(route(found, policy, unnamed), Answer)
    named = ReferralMatch(_topic(0.68).referral, _topic(0.68).hit, lead=0.06, named=True)
    assert isinstance(route(found, policy, named), NoMatch)
