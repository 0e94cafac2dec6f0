"""The filters every figure takes: a date range (inclusive, Thai calendar days), a channel, a language.

Read from the query string by hand so each mistake gets its own sentence (a date that is not
``YYYY-MM-DD``, a range that ends before it starts, a channel nobody talks on), not a generic 422.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from conversation.turn_events import CHANNELS, LOCAL_TIMEZONE
from texts import LANGUAGES

__all__ = ["DEFAULT_DAYS", "MAX_DAYS", "FilterError", "Filters", "parse_filters", "today"]

DEFAULT_DAYS = 30  # no range given: the last 30 days, today included
MAX_DAYS = 731  # two years: more than the retention keeps, and a bound on every query
# Dates the figures can be about: nothing was recorded before, and far years overflow the clock.
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


class FilterError(ValueError):
    """A filter that cannot be read; ``field`` names the query parameter."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date  # inclusive
    channel: str | None = None
    language: str | None = None

    @property
    def first_day(self) -> str:
        return self.start.isoformat()

    @property
    def last_day(self) -> str:
        return self.end.isoformat()

    def utc_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) in UTC: midnight in Bangkok of the first day, and of the day after the last."""
        start = dt.datetime.combine(self.start, dt.time(), LOCAL_TIMEZONE)
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), LOCAL_TIMEZONE)
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC)

    def to_dict(self) -> dict[str, str | None]:
        return {
            "from": self.first_day,
            "to": self.last_day,
            "channel": self.channel,
            "language": self.language,
            "timezone": "Asia/Bangkok",
        }


def today() -> dt.date:
    return dt.datetime.now(LOCAL_TIMEZONE).date()


def _date(field: str, value: str) -> dt.date:
    try:
        if len(value) != 10:
            raise ValueError(value)
        day = dt.date.fromisoformat(value)
    except ValueError:
        message = f"'{field}' must be a date written YYYY-MM-DD, e.g. 2026-12-01; got {value!r}."
        raise FilterError(field, message) from None
    if not EARLIEST <= day <= LATEST:
        raise FilterError(field, f"'{field}' must be between {EARLIEST.isoformat()} and {LATEST.isoformat()}.")
    return day


def parse_filters(
    start: str | None,
    end: str | None,
    channel: str | None = None,
    language: str | None = None,
    *,
    now: dt.date | None = None,
) -> Filters:
    """The filters from the query string; empty values mean "not given". ``FilterError`` on a bad one."""
    last = _date("to", end.strip()) if end and end.strip() else (now or today())
    first = _date("from", start.strip()) if start and start.strip() else last - dt.timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise FilterError("from", f"'from' ({first.isoformat()}) is after 'to' ({last.isoformat()}).")
    if (last - first).days + 1 > MAX_DAYS:
        raise FilterError("from", f"The range is longer than {MAX_DAYS} days; choose a shorter one.")
    picked_channel = (channel or "").strip().lower() or None
    if picked_channel is not None and picked_channel not in CHANNELS:
        raise FilterError("channel", f"Unknown channel {channel!r}; use one of: {', '.join(CHANNELS)}.")
    picked_language = (language or "").strip().lower() or None
    if picked_language is not None and picked_language not in LANGUAGES:
        raise FilterError("language", f"Unknown language {language!r}; use one of: {', '.join(LANGUAGES)}.")
    return Filters(first, last, picked_channel, picked_language)
