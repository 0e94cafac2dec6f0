"""The six corrections of issue 12 hold in the seed catalogue, each backed by a fact with its source.

Written against docs/catalogue-facts.md (the fact format); the seed content is audited service by
service, so these fail until that audit is in. Each correction must hold twice: in the service's
prose, which the citizen reads, and in a fact, which says where it is stated and when it was checked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

import pytest

from knowledge.catalogue_files import load_seed
from knowledge.schema import Fact, FactKind, FactStatus, Service


@pytest.fixture(scope="module")
def catalogue() -> dict[str, Service]:
    return {service.id: service for service in load_seed()}


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def prose(service: Service, *fields: str) -> str:
    """What a citizen reads of ``fields`` (all answer fields by default), both languages."""
    data = service.model_dump(mode="json")
    names = fields or (
        "summary",
        "eligibility",
        "documents",
        "fees",
        "processing_time",
        "where_to_apply",
        "steps",
        "faq",
    )
    return "\n".join(text for name in names for text in _strings(data.get(name)))


def number(value: int | str, text: str) -> bool:
    """``value`` as a figure of its own in ``text`` (so 105 is not found in 1050 or 2105)."""
    return re.search(rf"(?<![\d.]){re.escape(str(value))}(?![\d])", text.replace(",", "")) is not None


def percent(value: int, text: str) -> bool:
    return re.search(rf"(?<!\d){value}\s*(%|per ?cent|เปอร์เซ็นต์)|ร้อยละ\s*{value}(?!\d)", text) is not None


def percent_now(value: int, text: str) -> bool:
    """``value`` % stated as the rate now: a clause that names it as the former rate
    ("it was 50%", "เดิมร้อยละ 50") does not count."""
    return any(
        percent(value, clause) and not re.search(r"\bwas\b|previous|used to|until|เดิม|ก่อน", clause, re.I)
        for clause in re.split(r"[;()\n]|\. ", text)
    )


def facts(service: Service, *, kind: FactKind | None = None, field: str | None = None) -> list[Fact]:
    return [f for f in service.facts if (kind is None or f.kind == kind) and (field is None or f.field == field)]


def fact_text(fact: Fact) -> str:
    return f"{fact.text.th}\n{fact.text.en}"


def assert_checked_against_a_deep_page(service: Service, fact: Fact) -> None:
    where = f"{service.id}: {fact.kind} fact {fact.text.en!r}"
    assert fact.status == FactStatus.VERIFIED, f"{where} must be verified (issue 12 checked it)"
    assert fact.source is not None and fact.source.url is not None, f"{where} has no source"
    path = str(fact.source.url).split("://", 1)[-1].partition("/")[2].strip("/")
    assert path, f"{where}: the source is a home page ({fact.source.url}); cite the page that states it"
    assert fact.checked is not None and fact.checked <= dt.date.today() + dt.timedelta(days=1)
    assert service.last_reviewed is not None and service.last_reviewed >= fact.checked, (
        f"{service.id}: last_reviewed must be the latest check ({fact.checked})"
    )


def test_1_unemployment_benefit_pays_60_percent_for_180_days_after_dismissal(catalogue):
    service = catalogue["unemployment-benefit"]
    amounts = facts(service, kind=FactKind.AMOUNT)
    dismissed = [f for f in amounts if percent(60, fact_text(f)) and number(180, fact_text(f))]
    resigned = [f for f in amounts if percent(30, fact_text(f)) and number(90, fact_text(f))]
    assert dismissed, "an amount fact: dismissed workers get 60 % of wages for up to 180 days"
    assert resigned, "an amount fact: resigning or end of contract stays 30 % for up to 90 days"
    assert_checked_against_a_deep_page(service, dismissed[0])
    text = prose(service)
    assert percent(60, text) and number(180, text), "the prose must say 60 % for 180 days"
    assert not percent_now(50, text), "the old 50 % must be gone from what the citizen reads"
    assert not any(percent_now(50, fact_text(f)) for f in service.facts if f.status == FactStatus.VERIFIED)


def test_2_the_temporary_driving_licence_costs_205_baht_for_a_car_and_105_for_a_motorcycle(catalogue):
    service = catalogue["driving-licence-temporary"]
    fees = [f for f in facts(service, kind=FactKind.FEE) if number(205, fact_text(f))]
    assert fees, "a fee fact: 205 baht for a car (and 105 baht for a motorcycle)"
    assert any(number(105, fact_text(f)) for f in facts(service, kind=FactKind.FEE))
    assert_checked_against_a_deep_page(service, fees[0])
    text = prose(service, "fees")
    assert number(205, text) and number(105, text)
    assert not number(55, text), "the old 55 baht (motorcycle) must be gone"


def test_3_a_lost_driving_licence_must_be_replaced_within_15_days_and_its_fee_is_stated(catalogue):
    service = catalogue["driving-licence-replacement"]
    deadlines = [f for f in facts(service, kind=FactKind.DEADLINE) if number(15, fact_text(f))]
    assert deadlines, "a deadline fact: replace a lost licence within 15 days"
    assert_checked_against_a_deep_page(service, deadlines[0])
    assert number(15, prose(service)), "the prose must tell the citizen the 15 days"
    assert facts(service, kind=FactKind.FEE), "a fee fact (unverified unless a source was read)"
    fees = prose(service, "fees")
    assert "varies" not in fees.lower() and "แตกต่าง" not in fees and "แล้วแต่" not in fees
    assert re.search(r"\d", service.fees.en), "the fee is a known amount, not 'varies'"


def test_4_renewing_an_id_card_is_free_and_a_late_application_is_fined_at_most_100_baht(catalogue):
    service = catalogue["id-card-renewal"]
    free = [
        f
        for f in facts(service, kind=FactKind.FEE)
        if re.search(r"free|no fee|ไม่มีค่าธรรมเนียม|ไม่เสีย", fact_text(f), re.I)
    ]
    fines = [f for f in facts(service, kind=FactKind.FINE) if number(100, fact_text(f))]
    assert free, "a fee fact: renewing is free"
    assert fines, "a fine fact: at most 100 baht when applying later than 60 days after expiry"
    assert number(60, fact_text(fines[0])) or any(
        number(60, fact_text(f)) for f in facts(service, kind=FactKind.DEADLINE)
    )
    assert_checked_against_a_deep_page(service, free[0])
    assert_checked_against_a_deep_page(service, fines[0])
    fees = prose(service, "fees")
    assert number(100, fees) and not number(200, fees), "the fine is at most 100 baht, not 200"


def test_5_the_elderly_allowance_names_the_2023_income_rule_and_says_its_criteria_are_pending(catalogue):
    service = catalogue["elderly-allowance"]
    income = [
        f
        for f in facts(service, field="eligibility")
        if re.search(r"income|รายได้", fact_text(f), re.I) and f.kind == FactKind.ELIGIBILITY
    ]
    assert income, "an eligibility fact about the August 2023 rule: no or insufficient income"
    pending = [f for f in income if f.status == FactStatus.UNVERIFIED]
    assert pending, "the rule's criteria were still pending when checked: that fact is unverified"
    assert all(f.note for f in pending), "say in the note what is pending and why"
    assert any(
        (f.source is not None and f.source.date == dt.date(2023, 8, 12)) or re.search(r"2566|2023", fact_text(f))
        for f in income
    ), "name the rule: Ministry of Interior regulation B.E. 2566, effective 12 Aug 2023"
    eligibility = prose(service, "eligibility", "summary")
    assert re.search(r"รายได้", eligibility) and re.search(r"income", eligibility, re.I)
    assert "eligibility" in service.unverified_fields(), "the bot must tell citizens the criteria are unconfirmed"


def test_6_replacing_a_lost_id_card_needs_no_house_registration_copy(catalogue):
    service = catalogue["id-card-replacement-lost-damaged"]
    for document in service.documents:
        assert "ทะเบียนบ้าน" not in document.th, f"documents list a house registration: {document.th}"
        assert "house registration" not in document.en.lower(), f"documents list a house registration: {document.en}"
    no_copy = [
        f for f in facts(service, field="documents") if re.search(r"house registration|ทะเบียนบ้าน", fact_text(f), re.I)
    ]
    assert no_copy, "a document fact: no house-registration copy is required (DOPA call-centre page)"
    assert_checked_against_a_deep_page(service, no_copy[0])


# Where a law sets a deadline and a fine, the catalogue carries both (issue 12, point 2).
DEADLINE_AND_FINE = [
    ("birth-registration",),
    ("death-registration",),
    ("house-registration-move-out", "house-registration-move-in", "house-registration-destination-move"),
    ("id-card-first-issue",),
    ("id-card-renewal",),
    ("id-card-replacement-lost-damaged",),
    ("driving-licence-replacement",),
    ("vehicle-tax-renewal",),
]


@pytest.mark.parametrize("service_ids", DEADLINE_AND_FINE, ids=lambda ids: ids[0])
def test_services_with_a_legal_deadline_carry_a_deadline_and_a_fine_fact(catalogue, service_ids):
    carrying = [
        service_id
        for service_id in service_ids
        if facts(catalogue[service_id], kind=FactKind.DEADLINE) and facts(catalogue[service_id], kind=FactKind.FINE)
    ]
    assert carrying, f"{' or '.join(service_ids)}: a deadline fact and a fine fact (unverified if no source was read)"


def test_every_corrected_service_dates_its_review_by_its_facts(catalogue):
    for service_id in (
        "unemployment-benefit",
        "driving-licence-temporary",
        "driving-licence-replacement",
        "id-card-renewal",
        "elderly-allowance",
        "id-card-replacement-lost-damaged",
    ):
        service = catalogue[service_id]
        assert service.facts, f"{service_id}: no facts"
        assert service.last_reviewed == service.last_checked(), f"{service_id}: last_reviewed is not the latest check"
