"""Facts with provenance (issue 12): what the schema refuses, and what it must keep loading."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
import yaml
from pydantic import ValidationError

from knowledge.catalogue_files import CatalogueFileError, dump_services, parse_services
from knowledge.schema import Fact, FactKind, FactStatus, Service
from knowledge.store import CatalogueStore

TODAY = dt.date.today()
SOURCE = {"url": "https://www.bora.dopa.go.th/faq/id-card", "title": "DOPA: ID card questions"}


def fact(**changes: object) -> dict:
    raw: dict = {
        "field": "fees",
        "kind": "fee",
        "text": {"th": "ต่ออายุบัตรไม่มีค่าธรรมเนียม", "en": "Renewing the card is free."},
        "status": "verified",
        "source": dict(SOURCE),
        "checked": (TODAY - dt.timedelta(days=3)).isoformat(),
    }
    raw.update(changes)
    return {key: value for key, value in raw.items() if value is not None}


def service_with(seed_services, facts: list[dict], **changes: object) -> dict:
    raw = copy.deepcopy(seed_services[0].model_dump(mode="json", exclude_none=True))
    raw["facts"] = facts
    raw["to_verify"] = []
    raw.pop("last_reviewed", None)
    raw.update(changes)
    return raw


def problems(raw: dict) -> str:
    with pytest.raises(CatalogueFileError) as error:
        parse_services([raw])
    return str(error.value)


@pytest.mark.parametrize("kind", ["fee", "fine", "deadline", "amount", "eligibility"])
def test_a_verified_fee_deadline_or_amount_without_a_source_is_refused_naming_the_fact(seed_services, kind):
    raw = service_with(seed_services, [fact(), fact(kind=kind, source=None)])
    found = problems(raw)
    assert "facts[1].source" in found and "source.url" in found
    assert "facts[0]" not in found


def test_a_verified_fact_needs_a_url_not_only_a_title(seed_services):
    raw = service_with(seed_services, [fact(source={"title": "Royal Gazette"})])
    assert "facts[0].source" in problems(raw)


@pytest.mark.parametrize("kind", ["fee", "deadline", "amount"])
def test_a_verified_fact_without_a_check_date_is_refused(seed_services, kind):
    raw = service_with(seed_services, [fact(kind=kind, checked=None)])
    found = problems(raw)
    assert "facts[0].checked" in found and "verified fact needs checked" in found


def test_an_unverified_fact_must_not_carry_a_check_date(seed_services):
    raw = service_with(seed_services, [fact(), fact(status="unverified", checked="2026-01-05")])
    found = problems(raw)
    assert "facts[1].checked" in found and "unverified fact must not carry checked" in found


def test_a_check_in_the_future_is_refused(seed_services):
    raw = service_with(seed_services, [fact(checked=(TODAY + dt.timedelta(days=5)).isoformat())])
    found = problems(raw)
    assert "facts[0].checked" in found and "in the future" in found


def test_last_reviewed_later_than_the_latest_check_is_refused(seed_services):
    checks = [TODAY - dt.timedelta(days=40), TODAY - dt.timedelta(days=10)]
    raw = service_with(
        seed_services,
        [fact(checked=checks[0].isoformat()), fact(checked=checks[1].isoformat())],
        last_reviewed=TODAY.isoformat(),
    )
    found = problems(raw)
    assert "last_reviewed" in found and f"facts[1].checked {checks[1].isoformat()}" in found


def test_last_reviewed_without_any_verified_fact_is_refused(seed_services):
    raw = service_with(seed_services, [fact(status="unverified", checked=None)], last_reviewed="2026-11-23")
    assert "no fact is verified" in problems(raw)


def test_last_reviewed_in_the_future_is_refused(seed_services):
    raw = service_with(seed_services, [], last_reviewed=(TODAY + dt.timedelta(days=30)).isoformat())
    assert "last_reviewed" in problems(raw) and "future" in problems(raw)


def test_unknown_field_kind_and_status_are_named(seed_services):
    raw = service_with(seed_services, [fact(field="colour", kind="price", status="maybe")])
    found = problems(raw)
    assert "facts[0].field" in found and "facts[0].kind" in found and "facts[0].status" in found


def test_status_is_never_guessed(seed_services):
    bare = fact()
    del bare["status"]
    assert "facts[0].status: Field required" in problems(service_with(seed_services, [bare]))


def test_a_sourced_checked_fact_and_an_explicitly_unverified_one_are_accepted(seed_services):
    checked = TODAY - dt.timedelta(days=2)
    raw = service_with(
        seed_services,
        [
            fact(checked=checked.isoformat(), source={**SOURCE, "date": "2025-06-28"}),
            fact(kind="fine", status="unverified", checked=None, source=None, note="Check the fine on DOPA's page."),
        ],
        last_reviewed=checked.isoformat(),
    )
    (service,) = parse_services([raw])
    assert [f.status for f in service.facts] == [FactStatus.VERIFIED, FactStatus.UNVERIFIED]
    assert service.facts[0].source is not None and service.facts[0].source.date == dt.date(2025, 6, 28)
    assert service.last_checked() == checked
    assert service.unverified_fields() == ["fees"]
    # An export imports back unchanged, facts included.
    assert parse_services(yaml.safe_load(dump_services([service]))) == [service]


def test_a_service_without_verified_facts_has_no_review_date(seed_services):
    (service,) = parse_services([service_with(seed_services, [fact(status="unverified", checked=None)])])
    assert service.last_reviewed is None and service.last_checked() is None


def test_the_fact_model_alone_names_its_fields():
    with pytest.raises(ValidationError) as error:
        Fact.model_validate(fact(checked=None))
    assert error.value.errors()[0]["loc"] == ("checked",)
    assert Fact.model_validate(fact()).kind == FactKind.FEE


def test_services_stored_before_facts_existed_still_load_unchanged(tmp_path, seed_services):
    """A user's SQLite store holds JSON without "facts", with last_reviewed and to_verify set."""
    store = CatalogueStore(f"sqlite:///{tmp_path / 'catalogue.db'}")
    try:
        store.import_services(seed_services[:2], "seed")
        legacy = copy.deepcopy(seed_services[0].model_dump(mode="json"))
        legacy.pop("facts", None)
        legacy.update(last_reviewed="2026-11-23", to_verify=["fees", "documents"])
        with store.engine.begin() as connection:
            connection.exec_driver_sql(
                "UPDATE services SET data = ? WHERE id = ?",
                (json.dumps(legacy, ensure_ascii=False, sort_keys=True), legacy["id"]),
            )
        loaded = store.get(legacy["id"])
        assert loaded.facts == [] and loaded.last_reviewed == dt.date(2026, 11, 23)
        assert loaded.to_verify == ["fees", "documents"] and loaded.unverified_fields() == ["fees", "documents"]
        assert loaded.last_checked() == dt.date(2026, 11, 23)  # the editor's own review date stands
        assert {s.id for s in store.list_services()} == {s.id for s in seed_services[:2]}
        history = store.history(legacy["id"])
        assert history and all(isinstance(record.service, Service) for record in history)
    finally:
        store.close()
