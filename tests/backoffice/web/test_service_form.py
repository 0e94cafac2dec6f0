"""The edit form's mapping: a service to fields and back, each problem on the field (and row) that has it."""

from __future__ import annotations

from typing import Any

from backoffice.web.forms import Form
from backoffice.web.service_form import blank_values, form_values, service_from_form
from backoffice.web.service_rows import ROW_KINDS
from knowledge.catalogue_files import load_seed
from knowledge.diff import diff_services


def form_of(values: dict[str, Any], action: str = "save") -> Form:
    """The form a browser posts for ``values``: rows become ``facts[0].source.url`` and so on."""
    fields: dict[str, list[str]] = {"action": [action]}
    for name, value in values.items():
        if name == "rows":
            for key, rows in value.items():
                for index, row in enumerate(rows):
                    for field, text in row.items():
                        fields[f"{ROW_KINDS[key].prefix}[{index}].{field}"] = [text]
        else:
            fields[name] = value if isinstance(value, list) else [str(value)]
    return Form(fields)


def test_every_seed_service_comes_back_unchanged_from_its_form() -> None:
    for service in load_seed():
        result = service_from_form(service, form_of(form_values(service)))
        assert result.errors == {} and result.service == service, service.id


def test_changes_land_in_the_service_and_the_rest_is_kept() -> None:
    service = load_seed()[0]
    values = form_values(service)
    values["fees.th"] = "ค่าธรรมเนียม 20 บาท"
    values["example_questions.en"] = "first question\n\n  second question  "
    values["abbreviations.th"] = "ทร.14"
    result = service_from_form(service, form_of(values))
    assert result.service is not None
    assert result.service.fees.th == "ค่าธรรมเนียม 20 บาท" and result.service.fees.en == service.fees.en
    assert result.service.example_questions.en == ["first question", "second question"]
    assert result.service.abbreviations.th == ["ทร.14"]
    assert result.service.where_to_apply == service.where_to_apply and result.service.facts == service.facts


def test_a_facts_source_and_check_date_are_edited_in_its_row_and_the_diff_names_them() -> None:
    service = next(one for one in load_seed() if any(fact.verified for fact in one.facts))
    index = next(i for i, fact in enumerate(service.facts) if fact.verified)
    values = form_values(service)
    row = values["rows"]["facts"][index]
    row["source.url"] = "https://www.example.go.th/fees-2026.pdf"
    result = service_from_form(service, form_of(values))
    assert result.service is not None, result.errors
    fields = [change.field for change in diff_services(service, result.service)]
    assert fields == [f"facts[{index}].source.url"]


def test_each_problem_is_named_on_its_own_field_and_row() -> None:
    service = next(one for one in load_seed() if any(fact.verified for fact in one.facts))
    index = next(i for i, fact in enumerate(service.facts) if fact.verified)
    values = form_values(service)
    values["title.en"] = " "
    values["steps.en"] = "only one step"
    values["life_events"] = []
    values["last_reviewed"] = "12/01/2026"
    values["rows"]["facts"][index]["source.url"] = ""  # a checked fact without its source
    values["rows"]["offices"] = [office_row("ที่ว่าการอำเภอ", "", latitude="north")]
    values["rows"]["faq"] = [{"question.th": "ถามอะไร", "question.en": "", "answer.th": "ตอบ", "answer.en": "Answer"}]
    result = service_from_form(service, form_of(values))
    assert result.service is None
    assert result.errors["title.en"] == "edit.required" and "title.th" not in result.errors
    assert result.errors["steps.en"].startswith("edit.lists_match:")
    assert result.errors["life_events"] == "edit.pick_event"
    assert result.errors["last_reviewed"] == "edit.bad_date"
    assert result.errors[f"facts[{index}].source.url"] == "edit.fact_needs_source"
    assert result.errors["where_to_apply.offices[0].name.en"] == "edit.required"
    assert result.errors["where_to_apply.offices[0].latitude"] == "edit.bad_number"
    assert result.errors["faq[0].question.en"] == "edit.required"
    assert result.values["title.th"] == service.title.th  # what was typed comes back to the form


def office_row(thai: str, english: str, latitude: str = "") -> dict[str, str]:
    return {"name.th": thai, "name.en": english, "address.th": "", "address.en": "", "latitude": latitude,
            "longitude": ""}  # fmt: skip


def test_add_and_remove_rows_by_button_and_blank_rows_are_not_saved() -> None:
    service = next(one for one in load_seed() if len(one.faq) >= 2)
    values = form_values(service)
    removed = service_from_form(service, form_of(values, action="remove:faq:0"))
    assert [row["question.en"] for row in removed.values["rows"]["faq"]] == [e.question.en for e in service.faq[1:]]
    added = service_from_form(service, form_of(values, action="add:facts"))
    assert len(added.values["rows"]["facts"]) == len(service.facts) + 1
    saved = service_from_form(service, form_of(added.values))  # the blank row is dropped on save
    assert saved.errors == {} and saved.service == service


def test_a_new_service_needs_a_good_id_and_both_languages() -> None:
    values = blank_values()
    values.update({"id": "Pet Elephant!", "title.th": "ขึ้นทะเบียนช้างเลี้ยง"})
    result = service_from_form(None, form_of(values))
    assert result.errors["id"] == "edit.bad_id"
    assert result.errors["title.en"] == "edit.required" and "title.th" not in result.errors
    assert result.errors["source_url"] == "edit.required"
    assert not any(name.startswith("facts[") for name in result.errors)  # the blank starting rows are ignored
    values["id"] = ""
    assert service_from_form(None, form_of(values)).errors["id"] == "edit.required"
