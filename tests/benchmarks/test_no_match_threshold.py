"""The no-match benchmark's scoring and choice, on hand-made matches (no index), and its guard of the test split."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest

from knowledge.referrals import Referral
from knowledge.routing import RoutingPolicy
from knowledge.schema import Bilingual
from knowledge.search.passages import Passage, SearchHit
from knowledge.service_search import Lookup, ReferralMatch, ServiceMatch

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("no_match_threshold", ROOT / "benchmarks" / "no_match_threshold.py")
assert _spec and _spec.loader
bench = importlib.util.module_from_spec(_spec)
sys.modules["no_match_threshold"] = bench
_spec.loader.exec_module(bench)

POLICY = RoutingPolicy(min_score=0.4, ask_margin=0.02)


@pytest.fixture(scope="module")
def matches(seed_services):
    services = {s.id: s for s in seed_services}

    def build(*scored: tuple[str, float], topic: float | None = None) -> Lookup:
        found = [
            ServiceMatch(services[sid], SearchHit(sid, score, score, score, Passage(sid, "title", "th", sid)))
            for sid, score in scored
        ]
        if topic is None:
            return Lookup(found)
        referral = Referral(
            id="firearm-licence",
            title=Bilingual(th="ใบอนุญาตอาวุธปืน", en="Firearm licence"),
            refer_to=Bilingual(th="ที่ว่าการอำเภอ", en="The district office."),
            agency=Bilingual(th="กรมการปกครอง", en="DOPA"),
        )
        hit = SearchHit(referral.doc_id, topic, topic, topic, Passage(referral.doc_id, "title", "th", ""))
        return Lookup(found, ReferralMatch(referral, hit))

    return build


def _question(*relevant: str) -> object:
    return bench.Question("...", frozenset(relevant), "formal")


def test_the_frozen_test_split_is_refused(tmp_path):
    frozen = tmp_path / "test.jsonl"
    frozen.write_text('{"text": "x", "relevant": []}\n', encoding="utf-8")
    with pytest.raises(SystemExit, match="frozen"):
        bench.load_questions(frozen)


def test_each_question_lands_in_what_a_citizen_would_see(matches):
    tax = matches(("vehicle-tax-renewal", 0.66), ("income-tax-efiling", 0.45))
    assert bench.outcome(_question("vehicle-tax-renewal"), tax, POLICY) == bench.IN_RIGHT
    assert bench.outcome(_question("income-tax-efiling"), tax, POLICY) == bench.IN_WRONG
    assert bench.outcome(_question(), tax, POLICY) == bench.OUT_CARD
    close = matches(("passport-renewal", 0.76), ("passport-first-issue", 0.75))
    assert bench.outcome(_question("passport-first-issue"), close, POLICY) == bench.IN_ASK_RIGHT
    assert bench.outcome(_question("passport-for-minor"), close, POLICY) == bench.IN_ASK_WRONG
    assert bench.outcome(_question(), close, POLICY) == bench.OUT_ASKED
    weak = matches(("food-sale-licence", 0.30))
    assert bench.outcome(_question("food-sale-licence"), weak, POLICY) == bench.IN_NOT_FOUND
    assert bench.outcome(_question(), weak, POLICY) == bench.OUT_DECLINED
    referred = matches(("driving-licence-renewal", 0.55), topic=0.60)  # a topic outside the catalogue fits best
    assert bench.outcome(_question(), referred, POLICY) == bench.OUT_DECLINED
    assert bench.outcome(_question("driving-licence-renewal"), referred, POLICY) == bench.IN_NOT_FOUND


def test_merit_counts_a_wrong_card_against_a_right_one():
    counts = Counter({bench.IN_RIGHT: 10, bench.IN_WRONG: 2, bench.OUT_DECLINED: 3, bench.OUT_CARD: 1})
    counts.update({bench.IN_NOT_FOUND: 4, bench.IN_ASK_RIGHT: 5, bench.OUT_ASKED: 6})  # count zero
    assert bench.merit(counts) == 10 + 3 - 2 - 1


def test_the_choice_is_the_most_merit_then_the_lowest_threshold_then_the_widest_ask_back():
    def counts(right: int) -> Counter[str]:
        return Counter({bench.IN_RIGHT: right})

    grid = {(0.3, 0.0, 0.0, 0.0): counts(5), (0.35, 0.02, 0.1, 0.0): counts(7), (0.35, 0.01, 0.1, 0.0): counts(7)}
    grid |= {(0.4, 0.05, 0.1, 0.0): counts(7), (0.35, 0.02, 0.05, 0.0): counts(7), (0.45, 0.0, 0.0, 0.0): counts(6)}
    grid |= {(0.35, 0.02, 0.1, -0.05): counts(7), (0.35, 0.02, 0.1, 0.05): counts(7)}
    assert bench.choose(grid) == (0.35, 0.02, 0.1, -0.05)  # among equals, the fewest referrals


def test_the_ask_back_settings_can_be_kept_while_the_thresholds_are_chosen():
    grid = {(0.3, 0.0, 0.0, 0.0): Counter({bench.IN_RIGHT: 9}), (0.35, 0.015, 0.1, 0.0): Counter({bench.IN_RIGHT: 7})}
    grid[(0.4, 0.015, 0.1, 0.0)] = Counter({bench.IN_RIGHT: 6})
    assert bench.choose(grid) == (0.3, 0.0, 0.0, 0.0)
    assert bench.choose(grid, ask_back=(0.015, 0.1)) == (0.35, 0.015, 0.1, 0.0)
