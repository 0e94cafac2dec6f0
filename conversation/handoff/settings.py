"""The hand-off desk's settings group; the gateway's ``Settings`` composes it as ``handoff``
(``CITIZENBOT_HANDOFF__PICKUP_TIMEOUT_MINUTES=15``, ``CITIZENBOT_HANDOFF__HOLIDAYS='["2026-12-07"]'``,
``CITIZENBOT_HANDOFF__HOURS='{"mon": ["08:30-12:00", "13:00-16:30"], ...}'``)."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, field_validator

__all__ = ["WEEKDAYS", "HandoffSettings"]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]|24):([0-5]\d)$")
_OFFICE_DAY = ["08:30-16:30"]  # Thai government offices' hours


class HandoffSettings(BaseModel):
    """When officers answer (weekly hours in ``timezone`` and holidays), how long a request may wait
    before the citizen is told nobody is free, and how long LINE's reply token is worth trying."""

    timezone: str = "Asia/Bangkok"
    # weekday (mon ... sun) -> spans "HH:MM-HH:MM"; a day not named is closed.
    hours: dict[str, list[str]] = Field(default_factory=lambda: {day: list(_OFFICE_DAY) for day in WEEKDAYS[:5]})
    holidays: list[dt.date] = Field(default_factory=list)  # whole days closed (public holidays)
    pickup_timeout_minutes: float = Field(default=10.0, gt=0)
    # LINE says a reply token lasts about a minute; younger than this, an officer's answer uses it.
    reply_token_seconds: float = Field(default=50.0, ge=0)
    sweep_seconds: float = Field(default=30.0, gt=0)  # how often the pick-up time-out is checked
    typing_seconds: float = Field(default=5.0, gt=0)  # "officer is typing" shows this long

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @field_validator("hours")
    @classmethod
    def _spans(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for day, spans in value.items():
            if day not in WEEKDAYS:
                raise ValueError(f"unknown weekday {day!r}; use {', '.join(WEEKDAYS)}")
            for span in spans:
                match = _SPAN.match(span)
                if match is None or span[:5] >= span[6:]:
                    raise ValueError(f"{day}: {span!r} is not a span like 08:30-16:30")
        return value
