"""Journeys: what a citizen does, step by step, when something happens in their life (issue 17).

A journey belongs to a life event (having a baby, a death in the family, moving house ...) and lists
catalogue services in the order a citizen goes through them, each with why it matters and, where
the law sets one, a deadline counted from the event ("แจ้งเกิดภายใน 15 วัน"). Journeys are catalogue
data: the seed files in ``knowledge/seed/journeys`` are loaded into the catalogue's database
(knowledge/journey_store.py) and editors change them through the editor API.

A step names a service by id; :func:`check_services` refuses a journey whose steps name a service
the catalogue does not have, with the step and the id, so a journey never points at nothing.
Wording is not here (``knowledge`` sits below ``texts``): :meth:`Deadline.wording` names the
``journeys`` entry of texts/citizen_texts.yml and the values to fill it with.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError, field_validator, model_validator

from knowledge.schema import Bilingual, LifeEvent, ServiceId, describe_error_location, latest_allowed_date

__all__ = [
    "JOURNEY_SEED_DIR",
    "Deadline",
    "DeadlineSource",
    "Journey",
    "JourneyFileError",
    "JourneyStep",
    "UnknownServiceError",
    "check_services",
    "load_journeys",
    "load_seed_journeys",
    "parse_journeys",
]

JOURNEY_SEED_DIR = Path(__file__).parent / "seed" / "journeys"

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DeadlineSource(BaseModel):
    """Where the deadline is stated: the page someone read, as a fact's source is."""

    model_config = _STRICT

    url: HttpUrl
    title: str = Field(min_length=1)


class Deadline(BaseModel):
    """A period the law (or the agency) sets, counted from the journey's event: exactly one unit.

    ``law`` names the act and section the period comes from; ``status`` says whether someone compared
    the period with ``source`` (as for facts, ADR 0008), ``note`` what is still to check."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)

    hours: int | None = Field(default=None, ge=1, le=24 * 365)
    days: int | None = Field(default=None, ge=1, le=3650)
    months: int | None = Field(default=None, ge=1, le=120)
    counted_from: Literal["event"] = Field(default="event", alias="from")
    law: str = Field(min_length=1, description="The act and section that sets the period.")
    source: DeadlineSource | None = None
    status: Literal["verified", "unverified"]
    note: str | None = None

    @model_validator(mode="after")
    def _one_unit(self) -> Deadline:
        units = [name for name in ("hours", "days", "months") if getattr(self, name) is not None]
        if len(units) != 1:
            raise ValueError(f"a deadline has exactly one of hours, days or months (got {units or 'none'})")
        if self.status == "verified" and self.source is None:
            raise ValueError("a verified deadline needs source.url; if nobody has read it, write status: unverified")
        return self

    @property
    def unit(self) -> Literal["hours", "days", "months"]:
        if self.hours is not None:
            return "hours"
        return "days" if self.days is not None else "months"

    @property
    def amount(self) -> int:
        value = getattr(self, self.unit)
        assert isinstance(value, int)
        return value

    def wording(self) -> tuple[str, dict[str, object]]:
        """The texts entry that says this deadline ("journeys.within_days") and its values:
        ``text(key, lang, **values)`` reads "ภายใน 15 วัน" / "within 15 days"."""
        singular = {"hours": "hour", "days": "day", "months": "month"}[self.unit]
        if self.amount == 1:
            return f"journeys.within_one_{singular}", {}
        return f"journeys.within_{self.unit}", {"count": self.amount}

    def due(self, event_at: dt.datetime) -> dt.datetime:
        """The last moment the step is on time, for an event at ``event_at`` (months end on the same
        day of the month, or the month's last day: 31 Jan + 1 month is 28/29 Feb)."""
        if self.hours is not None:
            return event_at + dt.timedelta(hours=self.hours)
        if self.days is not None:
            return event_at + dt.timedelta(days=self.days)
        month_index = event_at.month - 1 + self.amount
        year, month = event_at.year + month_index // 12, month_index % 12 + 1
        next_month = dt.date(year + month // 12, month % 12 + 1, 1)
        last_day = (next_month - dt.timedelta(days=1)).day
        return event_at.replace(year=year, month=month, day=min(event_at.day, last_day))


class JourneyStep(BaseModel):
    """One service on the way, why the citizen needs it, and its deadline if the law sets one."""

    model_config = _STRICT

    service: ServiceId
    why: Bilingual
    deadline: Deadline | None = None


class Journey(BaseModel):
    """An ordered guide through one life event; every step is a catalogue service, each at most once."""

    model_config = _STRICT

    id: ServiceId
    life_event: LifeEvent
    title: Bilingual
    summary: Bilingual
    steps: list[JourneyStep] = Field(min_length=1, max_length=20)
    last_reviewed: dt.date | None = Field(
        default=None, description="The day the steps and deadlines were last checked against their sources."
    )

    @field_validator("steps")
    @classmethod
    def _each_service_once(cls, steps: list[JourneyStep]) -> list[JourneyStep]:
        seen: set[str] = set()
        for position, step in enumerate(steps):
            if step.service in seen:
                raise ValueError(f"steps[{position}] names {step.service!r} again; a journey lists a service once")
            seen.add(step.service)
        return steps

    @field_validator("last_reviewed")
    @classmethod
    def _not_in_future(cls, value: dt.date | None) -> dt.date | None:
        if value is not None and value > latest_allowed_date():
            raise ValueError(f"last_reviewed {value.isoformat()} is in the future")
        return value

    def service_ids(self) -> list[str]:
        return [step.service for step in self.steps]

    def unverified_deadlines(self) -> list[int]:
        """The positions of steps whose deadline nobody has compared with its source yet."""
        return [
            i for i, step in enumerate(self.steps) if step.deadline is not None and step.deadline.status != "verified"
        ]

    def stored_json(self) -> str:
        """The text a journey is kept as: sorted keys and the file's own names (``from``)."""
        return json.dumps(self.model_dump(mode="json", by_alias=True), ensure_ascii=False, sort_keys=True)


class UnknownServiceError(ValueError):
    """A journey names services the catalogue does not have; ``problems`` lists each, by step."""

    def __init__(self, journey_id: str, problems: list[tuple[str, str]]) -> None:
        self.journey_id = journey_id
        self.problems = problems  # (location, message), e.g. ("steps[2].service", "no service 'x' ...")
        listed = "; ".join(f"{where}: {message}" for where, message in problems)
        super().__init__(f"journey {journey_id!r} names services the catalogue does not have: {listed}")


def check_services(journey: Journey, service_ids: Collection[str]) -> None:
    """Refuse (UnknownServiceError) a journey with a step whose service is not in ``service_ids``."""
    problems = [
        (f"steps[{position}].service", f"no service {step.service!r} in the catalogue")
        for position, step in enumerate(journey.steps)
        if step.service not in service_ids
    ]
    if problems:
        raise UnknownServiceError(journey.id, problems)


class JourneyFileError(ValueError):
    """Journey files that cannot be loaded; the message names the file, the journey and the field."""


def parse_journeys(raw: Any, source: str = "<input>", service_ids: Collection[str] | None = None) -> list[Journey]:
    """Validate one journey mapping or a list of them, collecting every problem at once; with
    ``service_ids``, each step's service must be one of them."""
    items = raw if isinstance(raw, list) else [raw]
    journeys: list[Journey] = []
    problems: list[str] = []
    for position, item in enumerate(items):
        label = item.get("id", f"#{position}") if isinstance(item, dict) else f"#{position}"
        if not isinstance(item, dict):
            problems.append(f"{source}: journey {label}: expected a mapping, got {type(item).__name__}")
            continue
        try:
            journey = Journey.model_validate(item)
        except ValidationError as error:
            for detail in error.errors():
                where = describe_error_location(tuple(detail["loc"])) or "(journey)"
                problems.append(f"{source}: journey {label}: {where}: {detail['msg']}")
            continue
        if service_ids is not None:
            try:
                check_services(journey, service_ids)
            except UnknownServiceError as error:
                problems.extend(f"{source}: journey {label}: {where}: {message}" for where, message in error.problems)
        journeys.append(journey)
    if problems:
        raise JourneyFileError("\n".join(problems))
    return journeys


def _unique(journeys: Iterable[Journey], source: str) -> list[Journey]:
    found: list[Journey] = []
    seen: set[str] = set()
    for journey in journeys:
        if journey.id in seen:
            raise JourneyFileError(f"{source}: duplicate journey id {journey.id!r}")
        seen.add(journey.id)
        found.append(journey)
    return found


def load_journeys(path: Path = JOURNEY_SEED_DIR, service_ids: Collection[str] | None = None) -> list[Journey]:
    """Every ``.yml``/``.yaml`` file in a folder (or one file), each one journey or a list of them."""
    files = sorted(p for p in path.iterdir() if p.suffix in {".yml", ".yaml"}) if path.is_dir() else [path]
    journeys: list[Journey] = []
    problems: list[str] = []
    for file in files:
        try:
            raw = yaml.safe_load(file.read_text(encoding="utf-8"))
            journeys.extend(parse_journeys(raw, str(file), service_ids))
        except yaml.YAMLError as error:
            problems.append(f"{file}: not valid YAML: {error}")
        except UnicodeDecodeError as error:
            problems.append(f"{file}: not UTF-8 text ({error.reason})")
        except JourneyFileError as error:
            problems.append(str(error))
    if problems:
        raise JourneyFileError("\n".join(problems))
    return _unique(journeys, str(path))


def load_seed_journeys(service_ids: Collection[str] | None = None) -> list[Journey]:
    """The journeys shipped with the project, checked against ``service_ids`` when given."""
    return load_journeys(JOURNEY_SEED_DIR, service_ids)
