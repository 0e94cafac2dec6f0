"""When officers are at the desk: weekly hours in the agency's time zone, minus holidays.

:meth:`WorkingHours.next_opening` is what the hand-off action and the notices tell a citizen who
asks for a person outside them ("an officer will read this on Monday 7 Dec 08:30").
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from conversation.handoff.settings import WEEKDAYS, HandoffSettings

__all__ = ["WorkingHours"]

_DAYS_AHEAD = 400  # more than a year of holidays in a row is a configuration error, not a schedule


def _time(value: str) -> dt.time:
    hours, minutes = int(value[:2]), int(value[3:5])
    return dt.time.max if hours == 24 else dt.time(hours, minutes)


class WorkingHours:
    def __init__(self, settings: HandoffSettings) -> None:
        self.zone = ZoneInfo(settings.timezone)
        self._spans = {
            WEEKDAYS.index(day): sorted((_time(span[:5]), _time(span[6:])) for span in spans)
            for day, spans in settings.hours.items()
        }
        self._holidays = frozenset(settings.holidays)

    def _spans_on(self, day: dt.date) -> list[tuple[dt.time, dt.time]]:
        return [] if day in self._holidays else self._spans.get(day.weekday(), [])

    def is_open(self, now: dt.datetime) -> bool:
        local = now.astimezone(self.zone)
        return any(start <= local.time() < end for start, end in self._spans_on(local.date()))

    def next_opening(self, now: dt.datetime) -> dt.datetime | None:
        """None while open; else when the desk next opens (in the agency's zone), or None if never."""
        if self.is_open(now):
            return None
        local = now.astimezone(self.zone)
        for ahead in range(_DAYS_AHEAD):
            day = local.date() + dt.timedelta(days=ahead)
            for start, _end in self._spans_on(day):
                opening = dt.datetime.combine(day, start, self.zone)
                if opening > local:
                    return opening
        return None
