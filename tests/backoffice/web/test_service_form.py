"""The edit form's mapping: a service to fields and back, each problem on the field that has it."""

from __future__ import annotations

from backoffice.web.forms import Form
from backoffice.web.service_form import form_values, service_from_form
from knowledge.catalogue_files import load_seed


def form_of(values: dict[str, object]) -> Form:
    return Form({name: value if isinstance(value, list) else [str(value)] for name, value in values.items()})


def test_an_unchanged_form_gives_back_the_same_service() -> None:
    service = load_seed()[0]
    result = service_from_form(service, form_of(form_values(service)))
    assert result.errors == {} and result.service == service


def test_changes_land_in_the_service_and_the_rest_is_kept() -> None:
    service = load_seed()[0]
    values = form_values(service)
    values["fees.th"] = "ค่าธรรมเนียม 20 บาท"
    values["example_questions.en"] = "first question\n\n  second question  "
    result = service_from_form(service, form_of(values))
    assert result.service is not None
    assert result.service.fees.th == "ค่าธรรมเนียม 20 บาท" and result.service.fees.en == service.fees.en
    assert result.service.example_questions.en == ["first question", "second question"]
    assert result.service.where_to_apply == service.where_to_apply and result.service.facts == service.facts


def test_each_problem_is_named_on_its_own_field() -> None:
    service = load_seed()[0]
    values = form_values(service)
    values["title.en"] = " "
    values["steps.en"] = "only one step"
    values["life_events"] = []
    values["last_reviewed"] = "12/01/2026"
    result = service_from_form(service, form_of(values))
    assert result.service is None
    assert result.errors["title.en"] == "edit.required" and "title.th" not in result.errors
    assert result.errors["steps.en"].startswith("edit.lists_match:")
    assert result.errors["life_events"] == "edit.pick_event"
    assert result.errors["last_reviewed"] == "edit.bad_date"
    assert result.values["title.th"] == service.title.th  # what was typed comes back to the form
