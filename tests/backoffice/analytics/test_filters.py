"""The filters every figure takes: inclusive Thai calendar days, a known channel and language, or a clear error."""

from __future__ import annotations

import datetime as dt

import pytest

from backoffice.analytics.filters import DEFAULT_DAYS, FilterError, parse_filters

TODAY = dt.date(2026, 12, 1)


def test_no_range_means_the_last_thirty_days_today_included():
    filters = parse_filters(None, None, now=TODAY)
    assert (filters.end, (filters.end - filters.start).days + 1) == (TODAY, DEFAULT_DAYS)
    assert filters.channel is None and filters.language is None


def test_a_range_covers_whole_thai_days_in_utc():
    filters = parse_filters("2026-11-01", "2026-11-30", "LINE", "en")
    assert (filters.channel, filters.language) == ("line", "en")
    start, end = filters.utc_bounds()
    assert start == dt.datetime(2026, 10, 31, 17, 0, tzinfo=dt.UTC)  # midnight in Bangkok
    assert end == dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("start", "end", "channel", "language", "field", "says"),
    [
        ("2026-13-01", None, None, None, "from", "YYYY-MM-DD"),
        ("1/12/2026", None, None, None, "from", "YYYY-MM-DD"),
        (None, "yesterday", None, None, "to", "YYYY-MM-DD"),
        ("2026-12-02", "2026-12-01", None, None, "from", "is after 'to'"),
        ("2020-01-01", "2026-12-01", None, None, "from", "longer than"),
        ("0001-01-01", "2026-12-01", None, None, "from", "between 2000-01-01 and 2100-12-31"),
        (None, "9999-12-31", None, None, "to", "between"),
        (None, None, "facebook", None, "channel", "web, line, api"),
        (None, None, None, "fr", "language", "th, en"),
    ],
)
def test_a_bad_filter_names_itself(start, end, channel, language, field, says):
    with pytest.raises(FilterError) as raised:
        parse_filters(start, end, channel, language, now=TODAY)
    assert raised.value.field == field and says in str(raised.value)
