"""The journey form: a :class:`Journey` to form values and back, each error on the input that has it.

A step is a row of fields named ``steps[2].deadline.amount``; the buttons that add, remove and move a
step are plain submit buttons (``action=step_up:2``), so the form works without JavaScript. A deadline
is written as an amount and a unit, so it cannot carry two units; its other checks (a verified
deadline needs its source, a service named twice, a service the catalogue lacks) are the journey
model's and the store's own, mapped onto the field they concern.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from backoffice.web.forms import Form
from knowledge.journeys import Journey, UnknownServiceError
from knowledge.schema import LifeEvent

__all__ = [
    "DEADLINE_UNITS",
    "STEP_FIELDS",
    "JourneyFormResult",
    "blank_journey_values",
    "journey_from_form",
    "journey_values",
    "read_journey_form",
    "unknown_service_errors",
]

DEADLINE_UNITS = ("hours", "days", "months")
DEADLINE_STATUSES = ("unverified", "verified")
_DEADLINE_FIELDS = ("amount", "unit", "law", "source.url", "source.title", "note")  # any of them: a deadline
STEP_FIELDS = ("service", "why.th", "why.en", *(f"deadline.{name}" for name in (*_DEADLINE_FIELDS, "status")))
_TEXTS = ("title", "summary")
_JOURNEY_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_STEP = re.compile(r"steps\[(\d+)\]\.")
_STEP_ACTION = re.compile(r"(remove_step|step_up|step_down):(\d+)")
_NAMED_AGAIN = re.compile(r"steps\[(\d+)\] names")


@dataclass
class JourneyFormResult:
    journey: Journey | None
    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)  # form field name -> label key


def blank_step() -> dict[str, str]:
    step = dict.fromkeys(STEP_FIELDS, "")
    step["deadline.status"] = "unverified"
    return step


def journey_values(journey: Journey) -> dict[str, Any]:
    """What the form shows for ``journey``."""
    values: dict[str, Any] = {"id": journey.id, "life_event": journey.life_event.value}
    for name in _TEXTS:
        pair = getattr(journey, name)
        values[f"{name}.th"], values[f"{name}.en"] = pair.th, pair.en
    values["last_reviewed"] = journey.last_reviewed.isoformat() if journey.last_reviewed else ""
    steps = []
    for step in journey.steps:
        row = blank_step()
        row.update({"service": step.service, "why.th": step.why.th, "why.en": step.why.en})
        deadline = step.deadline
        if deadline is not None:
            row.update(
                {
                    "deadline.amount": str(deadline.amount),
                    "deadline.unit": deadline.unit,
                    "deadline.law": deadline.law,
                    "deadline.source.url": str(deadline.source.url) if deadline.source else "",
                    "deadline.source.title": deadline.source.title if deadline.source else "",
                    "deadline.status": deadline.status,
                    "deadline.note": deadline.note or "",
                }
            )
        steps.append(row)
    values["steps"] = steps
    return values


def blank_journey_values() -> dict[str, Any]:
    """A new journey's form: one empty step to start from."""
    values: dict[str, Any] = {name: "" for name in ("id", "life_event", "last_reviewed")}
    for name in _TEXTS:
        values[f"{name}.th"] = values[f"{name}.en"] = ""
    values["steps"] = [blank_step()]
    return values


def _moved(steps: list[dict[str, str]], action: str) -> list[dict[str, str]]:
    """The steps after the pressed button: one added at the end, removed, or moved up or down by one."""
    if action == "add_step":
        return [*steps, blank_step()]
    pressed = _STEP_ACTION.fullmatch(action)
    if pressed is None:
        return steps
    kind, index = pressed.group(1), int(pressed.group(2))
    if not 0 <= index < len(steps):
        return steps
    if kind == "remove_step":
        return steps[:index] + steps[index + 1 :]
    other = index - 1 if kind == "step_up" else index + 1
    if 0 <= other < len(steps):
        steps = list(steps)
        steps[index], steps[other] = steps[other], steps[index]
    return steps


def is_step_action(action: str) -> bool:
    return action == "add_step" or _STEP_ACTION.fullmatch(action) is not None


def read_journey_form(form: Form) -> dict[str, Any]:
    """The form's values as typed, with the pressed step button applied; while steps are being
    arranged an empty step stays on screen, when saving it is dropped."""
    values: dict[str, Any] = {"id": form.get("id"), "life_event": form.get("life_event")}
    for name in _TEXTS:
        for lang in ("th", "en"):
            values[f"{name}.{lang}"] = form.raw(f"{name}.{lang}").strip()
    values["last_reviewed"] = form.get("last_reviewed")
    indices = sorted({int(m.group(1)) for name in form.names() if (m := _STEP.match(name))})
    steps = []
    for index in indices:
        step = {name: form.raw(f"steps[{index}].{name}").strip() for name in STEP_FIELDS}
        step["deadline.status"] = step["deadline.status"] or "unverified"
        steps.append(step)
    action = form.get("action", "save")
    if is_step_action(action):
        values["steps"] = _moved(steps, action)
    else:
        values["steps"] = [step for step in steps if _filled(step)]
    return values


def _filled(step: dict[str, str]) -> bool:
    return any(value for name, value in step.items() if name != "deadline.status")


def _deadline(step: dict[str, str], where: str, errors: dict[str, str]) -> dict[str, Any] | None:
    if not any(step[f"deadline.{name}"] for name in _DEADLINE_FIELDS):
        return None
    data: dict[str, Any] = {"from": "event", "law": step["deadline.law"], "status": step["deadline.status"]}
    amount, unit = step["deadline.amount"], step["deadline.unit"]
    if not amount:
        errors[f"{where}.deadline.amount"] = "journeys.amount_required"
    elif not amount.isdigit() or int(amount) < 1:
        errors[f"{where}.deadline.amount"] = "journeys.bad_amount"
    if unit not in DEADLINE_UNITS:
        errors[f"{where}.deadline.unit"] = "edit.pick_one"
    elif amount.isdigit():
        data[unit] = int(amount)
    if step["deadline.status"] not in DEADLINE_STATUSES:
        errors[f"{where}.deadline.status"] = "edit.pick_one"
    url, title = step["deadline.source.url"], step["deadline.source.title"]
    if url or title:
        if not title:
            errors[f"{where}.deadline.source.title"] = "edit.required"
        if not url:
            errors[f"{where}.deadline.source.url"] = "edit.required"
        data["source"] = {"url": url, "title": title}
    if step["deadline.note"]:
        data["note"] = step["deadline.note"]
    return data


def _error_field(location: tuple[Any, ...], message: str) -> str:
    """The input a pydantic error belongs on: ``('steps', 1, 'deadline', 'days')`` -> the step's amount,
    a deadline's own check -> its amount or source, ``('steps',)`` naming a step -> that step's service."""
    parts = [str(part) for part in location]
    if not parts:
        return "form"
    if parts[0] != "steps":
        return ".".join(parts)
    if len(parts) == 1:
        again = _NAMED_AGAIN.search(message)
        return f"steps[{again.group(1)}].service" if again else "steps"
    where = f"steps[{parts[1]}]"
    rest = parts[2:]
    if rest[:1] == ["deadline"]:
        if len(rest) == 1:
            return f"{where}.deadline.source.url" if "source" in message else f"{where}.deadline.amount"
        if rest[1] in DEADLINE_UNITS:
            return f"{where}.deadline.amount"
    return ".".join([where, *rest])


def _error_key(problem: Any) -> str:
    kind, message = str(problem["type"]), str(problem["msg"])
    location = tuple(str(part) for part in problem["loc"])
    if location == ("steps",) and kind == "too_short":
        return "journeys.need_step"
    if kind in ("missing", "string_too_short", "too_short"):
        return "edit.required"
    if kind.startswith("url"):
        return "edit.bad_url"
    if kind.startswith("date"):
        return "edit.bad_date"
    if kind in ("greater_than_equal", "less_than_equal") or kind.startswith("int"):
        return "journeys.bad_amount"
    if kind in ("enum", "literal_error"):
        return "edit.pick_one"
    if kind == "string_pattern_mismatch":
        return "edit.bad_id"
    if kind == "too_long" and location == ("steps",):
        return "journeys.too_many_steps"
    if "names" in message and "again" in message:
        return "journeys.service_twice"
    if "verified deadline needs source" in message:
        return "journeys.verified_needs_source"
    if "is in the future" in message:
        return "edit.future_date"
    return message.removeprefix("Value error, ")


def unknown_service_errors(error: UnknownServiceError) -> dict[str, str]:
    """The store's refusal of a step naming a service it lacks, on that step's service choice."""
    return {where: "journeys.unknown_service" for where, _message in error.problems}


def journey_from_form(
    values: dict[str, Any], journey_id: str | None, service_ids: Collection[str]
) -> JourneyFormResult:
    """The journey ``values`` describe (``journey_id`` when editing one, the form's own id when new),
    checked as the store will check it; or every error, each on its field."""
    errors: dict[str, str] = {}
    new_id = journey_id or values["id"]
    if journey_id is None:
        if not new_id:
            errors["id"] = "edit.required"
        elif not _JOURNEY_ID.fullmatch(new_id) or len(new_id) > 80:
            errors["id"] = "edit.bad_id"
    if values["life_event"] not in [event.value for event in LifeEvent]:
        errors["life_event"] = "edit.pick_one"
    data: dict[str, Any] = {"id": new_id, "life_event": values["life_event"]}
    for name in _TEXTS:
        data[name] = {lang: values[f"{name}.{lang}"] for lang in ("th", "en")}
        for lang in ("th", "en"):
            if not values[f"{name}.{lang}"]:
                errors[f"{name}.{lang}"] = "edit.required"
    steps = []
    seen: set[str] = set()
    for index, step in enumerate(values["steps"]):
        where = f"steps[{index}]"
        for name in ("service", "why.th", "why.en"):
            if not step[name]:
                errors[f"{where}.{name}"] = "journeys.pick_service" if name == "service" else "edit.required"
        # The model and the store say so too, but only once every other field is valid: say it now.
        if step["service"] and step["service"] not in service_ids:
            errors[f"{where}.service"] = "journeys.unknown_service"
        elif step["service"] in seen:
            errors[f"{where}.service"] = "journeys.service_twice"
        seen.add(step["service"])
        row: dict[str, Any] = {"service": step["service"], "why": {"th": step["why.th"], "en": step["why.en"]}}
        deadline = _deadline(step, where, errors)
        if deadline is not None:
            row["deadline"] = deadline
        steps.append(row)
    if not steps:
        errors["steps"] = "journeys.need_step"
    data["steps"] = steps
    data["last_reviewed"] = values["last_reviewed"] or None
    try:
        journey = Journey.model_validate(data)
    except ValidationError as error:
        checked = set(errors)  # a deadline already refused field by field needs no second, vaguer error
        for problem in error.errors():
            name = _error_field(tuple(problem["loc"]), str(problem["msg"]))
            step = name.split(".deadline.")[0] + ".deadline." if ".deadline." in name else None
            if step and any(known.startswith(step) for known in checked):
                continue
            errors.setdefault(name, _error_key(problem))
        return JourneyFormResult(None, values, errors)
    return JourneyFormResult(None, values, errors) if errors else JourneyFormResult(journey, values)
