"""The bilingual edit form: a :class:`Service` to form values and back, with each error on its own field.

The form holds every field an editor may change: the texts, documents and steps, where to apply (its
offices as rows), the facts with their sources and check dates (ADR 0008: a fact is either checked
against its source or marked to verify, never a guess shown as a fact), the FAQ, the words citizens
use (example questions, colloquial names, abbreviations, keywords), life events, review dates and
the eligibility rules a machine can check (eligibility_form.py).
Field names follow pydantic's locations, so a validation error lands on the input that has it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from backoffice.web.eligibility_form import blank_rule_values, read_rule_values, rule_values, rules_from_values
from backoffice.web.forms import Form
from backoffice.web.service_rows import ROW_KINDS, blank_row, row_data, rows_from_form, rows_of
from knowledge.schema import VERIFIABLE_FIELDS, LifeEvent, Service, describe_error_location

__all__ = [
    "LIFE_EVENTS",
    "LIST_PAIRS",
    "TEXT_FIELDS",
    "VERIFIABLE",
    "WORD_LISTS",
    "FormResult",
    "blank_values",
    "form_values",
    "input_id",
    "service_from_form",
]

TEXT_FIELDS = ("title", "summary", "eligibility", "fees", "processing_time", "agency")
WHERE_TEXTS = ("where_to_apply.description", "where_to_apply.opening_hours")  # the second may be left empty
LIST_PAIRS = ("documents", "steps")  # lists of Bilingual: line n in Thai is line n in English
WORD_LISTS = ("example_questions", "colloquial_names", "abbreviations", "keywords")  # either side may be shorter
SINGLES = ("source_url", "where_to_apply.online_url", "last_reviewed")
LIFE_EVENTS = [event.value for event in LifeEvent]
VERIFIABLE = sorted(VERIFIABLE_FIELDS)
SERVICE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class FormResult:
    service: Service | None
    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)  # form field name -> label key or message


def input_id(name: str) -> str:
    """An element id for a field name: ``facts[0].source.url`` -> ``facts-0-source-url``."""
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def form_values(service: Service) -> dict[str, Any]:
    """What the form shows for ``service``: ``title.th`` -> text, ``documents.en`` -> lines, rows, ..."""
    values: dict[str, Any] = {"id": service.id}
    for name in TEXT_FIELDS:
        pair = getattr(service, name)
        values[f"{name}.th"], values[f"{name}.en"] = pair.th, pair.en
    where = service.where_to_apply
    values["where_to_apply.description.th"] = where.description.th
    values["where_to_apply.description.en"] = where.description.en
    values["where_to_apply.opening_hours.th"] = where.opening_hours.th if where.opening_hours else ""
    values["where_to_apply.opening_hours.en"] = where.opening_hours.en if where.opening_hours else ""
    values["where_to_apply.online_url"] = str(where.online_url) if where.online_url else ""
    values["source_url"] = str(service.source_url)
    for name in LIST_PAIRS:
        items = getattr(service, name)
        values[f"{name}.th"] = "\n".join(item.th for item in items)
        values[f"{name}.en"] = "\n".join(item.en for item in items)
    for name in WORD_LISTS:
        lists = getattr(service, name)
        values[f"{name}.th"], values[f"{name}.en"] = "\n".join(lists.th), "\n".join(lists.en)
    values["life_events"] = [event.value for event in service.life_events]
    values["to_verify"] = list(service.to_verify)
    values["last_reviewed"] = service.last_reviewed.isoformat() if service.last_reviewed else ""
    values["rows"] = rows_of(service)
    values.update(rule_values(service.eligibility_rules))
    return values


def blank_values() -> dict[str, Any]:
    """An empty form for a new service: one blank row of each kind to start from."""
    rows = {key: [blank_row(kind)] for key, kind in ROW_KINDS.items()}
    return {"life_events": [], "to_verify": [], "rows": rows, **blank_rule_values()}


def _read(form: Form) -> dict[str, Any]:
    values: dict[str, Any] = {"id": form.get("id")}
    for name in (*TEXT_FIELDS, *WHERE_TEXTS, *LIST_PAIRS, *WORD_LISTS):
        for lang in ("th", "en"):
            values[f"{name}.{lang}"] = form.raw(f"{name}.{lang}").strip()
    for name in SINGLES:
        values[name] = form.get(name)
    values["life_events"] = [value for value in form.all("life_events") if value in LIFE_EVENTS]
    values["to_verify"] = [value for value in form.all("to_verify") if value in VERIFIABLE_FIELDS]
    values["rows"] = rows_from_form(form, form.get("action"))
    values.update(read_rule_values(form))
    return values


def _error_field(location: tuple[Any, ...]) -> str:
    """The form field a pydantic error belongs on: ``('documents', 2, 'en')`` -> ``documents.en``,
    ``('facts', 0, 'source')`` -> ``facts[0].source.url``, ``('title', 'th')`` -> ``title.th``."""
    if not location:
        return "form"
    head = str(location[0])
    if head in LIST_PAIRS:
        lang = next((str(part) for part in location[1:] if part in ("th", "en")), "th")
        return f"{head}.{lang}"
    if head in WORD_LISTS:
        return f"{head}.{location[1]}" if len(location) > 1 and location[1] in ("th", "en") else f"{head}.th"
    name = describe_error_location(tuple(location))
    if name.endswith("].source"):
        return f"{name}.url"
    if name in TEXT_FIELDS or name in WHERE_TEXTS or name.endswith(("].text", "].name", "].question", "].answer")):
        return f"{name}.th"
    return name


# Validators' English sentences (knowledge/schema.py) -> this form's bilingual label, matched by their start.
_VALUE_ERRORS = (
    ("a verified fact needs source.url", "edit.fact_needs_source"),
    ("a verified fact needs checked", "edit.fact_needs_checked"),
    ("an unverified fact must not carry checked", "edit.fact_unverified_checked"),
    ("unknown field", "edit.pick_one"),
)


def _error_key(problem: Any) -> str:
    kind, message = str(problem["type"]), str(problem["msg"])
    if kind in ("missing", "string_too_short", "too_short"):
        return "edit.required"
    if kind.startswith("url"):
        return "edit.bad_url"
    if kind.startswith("date"):
        return "edit.bad_date"
    if kind.startswith(("float", "int")):
        return "edit.bad_number"
    if kind in ("greater_than_equal", "less_than_equal"):
        return "edit.bad_coordinate"
    if kind in ("enum", "literal_error"):
        return "edit.pick_one"
    text = message.removeprefix("Value error, ")
    if "is in the future" in text:
        return "edit.future_date"
    if "no fact is verified" in text:
        return "edit.reviewed_unverified"
    if "later than the latest check" in text:
        return "edit.reviewed_after_checks"
    return next((key for start, key in _VALUE_ERRORS if text.startswith(start)), text)


def _id_error(service_id: str) -> str | None:
    if not service_id:
        return "edit.required"
    if not SERVICE_ID.fullmatch(service_id) or len(service_id) > 80:
        return "edit.bad_id"
    return None


def service_from_form(base: Service | None, form: Form) -> FormResult:
    """The service the form describes (the id of ``base``, or the form's own for a new service);
    or the errors, each on its field."""
    values = _read(form)
    errors: dict[str, str] = {}
    service_id = base.id if base else values["id"]
    if base is None and (id_problem := _id_error(service_id)):
        errors["id"] = id_problem
    data: dict[str, Any] = {"id": service_id}
    for name in TEXT_FIELDS:
        data[name] = {"th": values[f"{name}.th"], "en": values[f"{name}.en"]}
        for lang in ("th", "en"):
            if not values[f"{name}.{lang}"]:
                errors[f"{name}.{lang}"] = "edit.required"
    for lang in ("th", "en"):
        if not values[f"where_to_apply.description.{lang}"]:
            errors[f"where_to_apply.description.{lang}"] = "edit.required"
    for name in LIST_PAIRS:
        thai, english = _lines(values[f"{name}.th"]), _lines(values[f"{name}.en"])
        if not thai or not english:
            errors[f"{name}.th" if not thai else f"{name}.en"] = "edit.required"
        elif len(thai) != len(english):
            errors[f"{name}.en"] = f"edit.lists_match:{len(thai)}:{len(english)}"
        data[name] = [{"th": th, "en": en} for th, en in zip(thai, english, strict=False)]
    for name in WORD_LISTS:
        data[name] = {"th": _lines(values[f"{name}.th"]), "en": _lines(values[f"{name}.en"])}
    if not values["life_events"]:
        errors["life_events"] = "edit.pick_event"
    data["life_events"] = values["life_events"]
    data["to_verify"] = values["to_verify"]
    if not values["source_url"]:
        errors["source_url"] = "edit.required"
    data["source_url"] = values["source_url"]
    data["last_reviewed"] = values["last_reviewed"] or None
    rows, row_errors = row_data(values["rows"])
    errors.update(row_errors)
    hours = [values[f"where_to_apply.opening_hours.{lang}"] for lang in ("th", "en")]
    data["where_to_apply"] = {
        "description": {lang: values[f"where_to_apply.description.{lang}"] for lang in ("th", "en")},
        "online_url": values["where_to_apply.online_url"] or None,
        "opening_hours": {"th": hours[0], "en": hours[1]} if any(hours) else None,
        "offices": rows["offices"],
    }
    data["facts"], data["faq"] = rows["facts"], rows["faq"]
    data["eligibility_rules"], rule_errors = rules_from_values(values)  # all rule fields empty: no rules
    errors.update(rule_errors)
    try:
        service = Service.model_validate(data)
    except ValidationError as error:
        for problem in error.errors():
            errors.setdefault(_error_field(tuple(problem["loc"])), _error_key(problem))
        return FormResult(None, values, errors)
    return FormResult(None, values, errors) if errors else FormResult(service, values)
