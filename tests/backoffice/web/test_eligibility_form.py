"""The eligibility rules in the service form: every seed service's rules come back unchanged, an edit
lands in ``eligibility_rules``, empty fields mean no rules, and each problem is named on its field."""

from __future__ import annotations

from typing import Any

from backoffice.web.service_form import blank_values, form_values, service_from_form
from knowledge.catalogue_files import load_seed
from knowledge.eligibility import Situation
from knowledge.schema import Service
from tests.backoffice.web.test_service_form import form_of


def with_rules(service: Service, **fields: Any) -> dict[str, Any]:
    values = form_values(service)
    values.update({f"eligibility_rules.{name.replace('__', '.')}": value for name, value in fields.items()})
    return values


def without_rules() -> Service:
    return next(service for service in load_seed() if service.eligibility_rules is None)


def test_the_form_shows_the_rules_and_gives_them_back_unchanged() -> None:
    ruled = [service for service in load_seed() if service.eligibility_rules is not None]
    assert ruled
    for service in ruled:
        values = form_values(service)
        rules = service.eligibility_rules
        assert values["eligibility_rules.min_age"] == ("" if rules.min_age is None else str(rules.min_age))
        assert values["eligibility_rules.situations"] == [situation.value for situation in rules.situations]
        result = service_from_form(service, form_of(values))
        assert result.errors == {} and result.service == service, service.id


def test_rules_written_in_the_form_are_saved_with_provinces_in_the_catalogues_thai() -> None:
    service = without_rules()
    values = with_rules(
        service,
        min_age="60",
        max_age="64",
        nationality="thai",
        situations=["retired"],
        any_situation=["low_income", "caring_for_elderly"],
        provinces="Chiang Mai\nจังหวัดน่าน\n  กทม  ",
        source__url="https://www.dop.go.th/th/laws",
        source__title="กรมกิจการผู้สูงอายุ",
        status="verified",
        note="Income test not covered",
    )
    result = service_from_form(service, form_of(values))
    assert result.errors == {}
    rules = result.service.eligibility_rules
    assert (rules.min_age, rules.max_age, rules.nationality) == (60, 64, "thai")
    assert rules.situations == [Situation.RETIRED]
    assert rules.any_situation == [Situation.LOW_INCOME, Situation.CARING_FOR_ELDERLY]
    assert rules.provinces == ["เชียงใหม่", "น่าน", "กรุงเทพมหานคร"]
    assert str(rules.source.url) == "https://www.dop.go.th/th/laws" and rules.status == "verified"
    assert rules.note == "Income test not covered"


def test_empty_rule_fields_mean_no_rules_and_clearing_them_removes_the_rules() -> None:
    service = without_rules()
    assert service_from_form(service, form_of(form_values(service))).service.eligibility_rules is None
    ruled = next(one for one in load_seed() if one.eligibility_rules is not None)
    cleared = with_rules(
        ruled, min_age="", max_age="", nationality="any", situations=[], any_situation=[], provinces="",
        source__url="", source__title="", note="", status="unverified",
    )  # fmt: skip
    result = service_from_form(ruled, form_of(cleared))
    assert result.errors == {} and result.service.eligibility_rules is None
    assert blank_values()["eligibility_rules.status"] == "unverified"


def test_each_problem_with_the_rules_is_named_on_its_field_and_nothing_is_saved() -> None:
    service = without_rules()
    values = with_rules(
        service,
        min_age="70",
        max_age="60",
        provinces="เชียงใหม่\nAtlantis",
        situations=["student", "astronaut"],
        status="verified",
    )
    result = service_from_form(service, form_of(values))
    assert result.service is None
    assert result.errors["eligibility_rules.max_age"] == "rules.min_above_max"
    assert result.errors["eligibility_rules.provinces"] == "rules.unknown_province:Atlantis"
    assert result.errors["eligibility_rules.situations"] == "rules.unknown_situation:astronaut"
    assert result.errors["eligibility_rules.source.url"] == "rules.verified_needs_source"
    assert result.values["eligibility_rules.provinces"] == "เชียงใหม่\nAtlantis"  # kept while fixing

    others = with_rules(service, min_age="sixty", situations=["student"], any_situation=["student", "farmer"])
    problems = service_from_form(service, form_of(others)).errors
    assert problems["eligibility_rules.min_age"] == "rules.bad_age"
    assert problems["eligibility_rules.any_situation"] == "rules.situation_twice"
    titled = with_rules(service, min_age="18", source__title="A page", source__url="")
    assert service_from_form(service, form_of(titled)).errors == {"eligibility_rules.source.url": "edit.required"}
