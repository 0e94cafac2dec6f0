"""Working hours in Bangkok with holidays: open or not, and when the desk next opens, said in Thai and English."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from conversation.handoff.settings import HandoffSettings
from conversation.handoff.working_hours import WorkingHours
from texts.wording import format_opening

BANGKOK = dt.timezone(dt.timedelta(hours=7))


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=BANGKOK)  # 2026-12-04 is a Friday


def test_default_hours_are_weekdays_0830_to_1630():
    hours = WorkingHours(HandoffSettings())
    assert hours.is_open(at(4, 8, 30)) and hours.is_open(at(4, 16, 29))
    assert not hours.is_open(at(4, 16, 30)) and not hours.is_open(at(5, 10))  # Saturday
    assert hours.next_opening(at(4, 10)) is None


def test_friday_evening_opens_on_monday_and_a_holiday_is_skipped():
    hours = WorkingHours(HandoffSettings(holidays=[dt.date(2026, 12, 7)]))
    opening = hours.next_opening(at(4, 17))
    assert opening is not None and opening.isoformat() == "2026-12-08T08:30:00+07:00"
    assert format_opening(opening, "th") == "วันอังคารที่ 8 ธ.ค. 2569 เวลา 08:30 น."
    assert format_opening(opening, "en") == "Tuesday 8 Dec 2026, 08:30"
    early = WorkingHours(HandoffSettings()).next_opening(at(7, 6))
    assert early is not None and early.isoformat() == "2026-12-07T08:30:00+07:00"


def test_split_days_and_a_lunch_break():
    hours = WorkingHours(HandoffSettings(hours={"mon": ["08:30-12:00", "13:00-16:30"], "sat": ["09:00-12:00"]}))
    assert not hours.is_open(at(7, 12, 30))
    assert hours.next_opening(at(7, 12, 30)).isoformat() == "2026-12-07T13:00:00+07:00"
    assert hours.next_opening(at(8, 9)).isoformat() == "2026-12-12T09:00:00+07:00"  # Tuesday: next is Saturday


@pytest.mark.parametrize(
    "bad",
    [{"hours": {"monday": ["08:30-16:30"]}}, {"hours": {"mon": ["8:30-16:30"]}}, {"hours": {"mon": ["17:00-09:00"]}}],
)
def test_bad_hours_are_refused_with_the_reason(bad):
    with pytest.raises(ValidationError):
        HandoffSettings(**bad)


def test_no_hours_at_all_never_opens():
    assert WorkingHours(HandoffSettings(hours={})).next_opening(at(4, 10)) is None
