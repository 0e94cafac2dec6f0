"""The staleness check: facts checked too long ago, without a source, or not yet verified (issue 12)."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from knowledge.fact_review import format_report, review_facts
from knowledge.schema import FactStatus, Service

TODAY = dt.date(2026, 12, 1)


def _service(seed_services, service_id: str, facts: list[dict]) -> Service:
    raw = copy.deepcopy(seed_services[0].model_dump(mode="json"))
    checks = [f["checked"] for f in facts if f.get("checked")]
    raw.update(id=service_id, facts=facts, to_verify=[], last_reviewed=max(checks) if checks else None)
    return Service.model_validate(raw)


def _fact(checked: str | None, source: bool = True, kind: str = "fee") -> dict:
    raw: dict = {"field": "fees", "kind": kind, "text": {"th": "ฟรี", "en": "Free."}}
    if source:
        raw["source"] = {"url": "https://www.bora.dopa.go.th/faq/id-card", "title": "DOPA FAQ"}
    raw["status"] = "verified" if checked else "unverified"
    if checked:
        raw["checked"] = checked
    return raw


@pytest.fixture
def services(seed_services) -> list[Service]:
    return [
        _service(seed_services, "fresh", [_fact("2026-11-20")]),
        _service(seed_services, "old", [_fact("2026-11-20"), _fact("2024-05-01")]),
        _service(seed_services, "unsourced", [_fact(None, source=False, kind="deadline"), _fact(None)]),
        _service(seed_services, "empty", []),
    ]


def test_old_unsourced_and_unverified_facts_are_listed_per_service(services):
    report = review_facts(services, max_age_days=365, today=TODAY)
    by_id = {s.service_id: s for s in report.services}
    assert set(by_id) == {"old", "unsourced", "empty"}  # "fresh" has nothing to check
    (old,) = by_id["old"].facts
    assert old.location == "facts[1]" and old.reasons == ("too_old",) and old.age_days == 944
    assert [f.reasons for f in by_id["unsourced"].facts] == [("no_source", "unverified"), ("unverified",)]
    assert by_id["empty"].has_no_facts
    counts = report.to_dict()["counts"]
    assert counts == {"too_old": 1, "no_source": 1, "unverified": 2, "services_without_facts": 1}


def test_the_age_is_configurable(services):
    assert review_facts(services, max_age_days=5, today=TODAY).count("too_old") == 3
    assert review_facts(services, max_age_days=10_000, today=TODAY).count("too_old") == 0
    assert review_facts(services, max_age_days=0, today=TODAY).count("too_old") == 3
    assert review_facts(services, max_age_days=11, today=TODAY).count("too_old") == 1


def test_an_age_beyond_the_calendar_means_nothing_is_too_old(services):
    # Found by schemathesis: ?older_than_days=10**20 overflowed the date arithmetic (a 500).
    assert review_facts(services, max_age_days=10**20, today=TODAY).count("too_old") == 0


def test_a_negative_age_is_refused(services):
    with pytest.raises(ValueError, match="0 or more"):
        review_facts(services, max_age_days=-1)


def test_the_text_report_names_service_fact_and_reason(services):
    text = format_report(review_facts(services, max_age_days=365, today=TODAY))
    assert "old (" in text and "facts[1] fees/fee [too_old]" in text and "944 days ago" in text
    assert "facts[0] fees/deadline [no_source, unverified]" in text
    assert "no facts yet" in text


def test_every_seed_fact_is_sourced_and_checked_or_explicitly_unverified(seed_services):
    """Nothing in the shipped catalogue is silently unsourced; the stale list is information only."""
    for service in seed_services:
        for position, fact in enumerate(service.facts):
            where = f"{service.id}: facts[{position}]"
            if fact.status == FactStatus.VERIFIED:
                assert fact.source is not None and fact.source.url is not None, f"{where}: verified without a source"
                assert fact.checked is not None, f"{where}: verified without a check date"
            else:
                assert fact.checked is None, f"{where}: unverified but carries a check date"
    report = review_facts(seed_services)
    print(format_report(report))  # shown with pytest -s: what editors should check next
    assert report.services_checked == len(seed_services)
