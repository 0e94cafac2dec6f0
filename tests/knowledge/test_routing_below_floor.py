"""When no service reaches the floor, a topic outside the catalogue is named as the answer by the
same rule as otherwise (:func:`knowledge.routing.refers`), not merely for reaching the floor itself."""

from __future__ import annotations

import pytest

from knowledge.referrals import Referral
from knowledge.routing import NoMatch, RoutingPolicy, route
from knowledge.schema import Bilingual
from knowledge.search.passages import Passage, SearchHit
from knowledge.service_search import ReferralMatch, ServiceMatch

POLICY = RoutingPolicy(min_score=0.35, ask_margin=0.015, spread=0.1, referral_margin=-0.1)
TOPIC = Referral(
    id="tour-guide-licence",
    title=Bilingual(th="บัตรมัคคุเทศก์", en="Tour guide licence"),
    refer_to=Bilingual(th="ติดต่อกรมการท่องเที่ยว", en="Contact the Department of Tourism."),
    agency=Bilingual(th="กรมการท่องเที่ยว", en="Department of Tourism"),
)


@pytest.fixture(scope="module")
def weak(seed_services):
    """Five services, none at the floor, about equal: wording many texts share."""
    return [
        ServiceMatch(s, SearchHit(s.id, score, score, score, Passage(s.id, "title", "th", s.id)))
        for s, score in zip(seed_services[:5], [0.31, 0.30, 0.30, 0.29, 0.29], strict=True)
    ]


def _topic(score: float, lead: float, named: bool) -> ReferralMatch:
    hit = SearchHit(TOPIC.doc_id, score, score, score, Passage(TOPIC.doc_id, "title", "th", ""))
    return ReferralMatch(TOPIC, hit, lead=lead, named=named)


def test_a_topic_the_words_neither_name_nor_clearly_lead_to_is_not_the_answer(weak):
    decision = route(weak, POLICY, _topic(0.40, lead=0.05, named=False))
    assert isinstance(decision, NoMatch) and decision.referral is None  # the plain "not covered"


def test_a_topic_that_leads_by_the_spread_or_is_named_in_a_clear_field_is(weak):
    clear_lead = route(weak, POLICY, _topic(0.45, lead=0.14, named=False))
    assert isinstance(clear_lead, NoMatch) and clear_lead.referral is not None
    alone = route(weak[:1], POLICY, _topic(0.40, lead=0.12, named=True))  # one weak service: not flat
    assert isinstance(alone, NoMatch) and alone.referral is not None


def test_with_no_service_at_all_a_named_topic_is_still_the_answer():
    decision = route([], POLICY, _topic(0.50, lead=0.50, named=True))
    assert isinstance(decision, NoMatch) and decision.referral is not None
