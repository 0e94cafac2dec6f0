"""The bilingual edit form: a :class:`Service` to form values and back, with each error on its own field.

The form holds what editors change most (texts, documents, steps, example questions, colloquial
names, keywords, life events, the review date); the rest of the service (offices, FAQ, facts, the
source link) is carried over from the version being edited, unchanged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from backoffice.web.forms import Form
from knowledge.schema import LifeEvent, Service

__all__ = ["LIST_PAIRS", "TEXT_FIELDS", "WORD_LISTS", "FormResult", "form_values", "service_from_form"]

TEXT_FIELDS = ("title", "summary", "eligibility", "fees", "processing_time", "agency")
LIST_PAIRS = ("documents", "steps")  # lists of Bilingual: line n in Thai is line n in English
WORD_LISTS = ("example_questions", "colloquial_names", "keywords")  # either side may be shorter
LIFE_EVENTS = [event.value for event in LifeEvent]


@dataclass
class FormResult:
    service: Service | None
    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)  # form field name -> label key or message


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def form_values(service: Service) -> dict[str, Any]:
    """What the form shows for ``service``: ``title.th`` -> text, ``documents.en`` -> lines, ..."""
    values: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        pair = getattr(service, name)
        values[f"{name}.th"], values[f"{name}.en"] = pair.th, pair.en
    for name in LIST_PAIRS:
        items = getattr(service, name)
        values[f"{name}.th"] = "\n".join(item.th for item in items)
        values[f"{name}.en"] = "\n".join(item.en for item in items)
    for name in WORD_LISTS:
        lists = getattr(service, name)
        values[f"{name}.th"], values[f"{name}.en"] = "\n".join(lists.th), "\n".join(lists.en)
    values["life_events"] = [event.value for event in service.life_events]
    values["last_reviewed"] = service.last_reviewed.isoformat() if service.last_reviewed else ""
    return values


def _read(form: Form) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in (*TEXT_FIELDS, *LIST_PAIRS, *WORD_LISTS):
        for lang in ("th", "en"):
            values[f"{name}.{lang}"] = form.raw(f"{name}.{lang}").strip()
    values["life_events"] = [value for value in form.all("life_events") if value in LIFE_EVENTS]
    values["last_reviewed"] = form.get("last_reviewed")
    return values


def _error_field(location: tuple[Any, ...]) -> str:
    """The form field a pydantic error belongs on: ``('documents', 2, 'en')`` -> ``documents.en``."""
    names = [str(part) for part in location if not isinstance(part, int)]
    if not names:
        return "form"
    if names[0] in (*TEXT_FIELDS, *LIST_PAIRS, *WORD_LISTS):
        return f"{names[0]}.{names[1]}" if len(names) > 1 and names[1] in ("th", "en") else f"{names[0]}.th"
    return names[0]


def service_from_form(base: Service, form: Form) -> FormResult:
    """The service the form describes, built on ``base``; or the errors, each on its field."""
    values = _read(form)
    errors: dict[str, str] = {}
    data = base.model_dump(mode="json")
    for name in TEXT_FIELDS:
        data[name] = {"th": values[f"{name}.th"], "en": values[f"{name}.en"]}
        for lang in ("th", "en"):
            if not values[f"{name}.{lang}"]:
                errors[f"{name}.{lang}"] = "edit.required"
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
    if values["last_reviewed"]:
        try:
            data["last_reviewed"] = dt.date.fromisoformat(values["last_reviewed"]).isoformat()
        except ValueError:
            errors["last_reviewed"] = "edit.bad_date"
    else:
        data["last_reviewed"] = None
    if errors:
        return FormResult(None, values, errors)
    try:
        return FormResult(Service.model_validate(data), values)
    except ValidationError as error:
        for problem in error.errors():
            errors.setdefault(_error_field(tuple(problem["loc"])), str(problem["msg"]))
        return FormResult(None, values, errors)
