import datetime as dt

import pytest

from nlu.thai_dates import find_dates, parse_date, to_buddhist_year

MAY_12_2026 = dt.date(2026, 5, 12)


@pytest.mark.parametrize(
    "text",
    [
        "12 พ.ค. 2569",
        "๑๒ พฤษภาคม ๒๕๖๙",
        "วันที่ 12 พฤษภาคม พ.ศ. 2569",
        "12/05/2569",
        "12/5/69",
        "2026-05-12",
        "May 12, 2026",
        "12 May 2026",
        "12/5/26 ค.ศ.",
    ],
)
def test_buddhist_and_christian_era_thai_and_arabic_digits(text):
    assert parse_date(text) == MAY_12_2026


def test_offsets_point_at_the_date_even_with_thai_digits():
    text = "นัดรับบัตรวันที่ ๑๒ พ.ค. ๒๕๖๙ ครับ"
    [mention] = find_dates(text)
    assert text[mention.start : mention.end] == "๑๒ พ.ค. ๒๕๖๙"
    assert mention.era == "BE"


def test_impossible_dates_and_no_dates():
    assert find_dates("31/02/2569") == []
    assert find_dates("ต่ออายุบัตรประชาชน") == []
    assert parse_date("") is None


def test_buddhist_year():
    assert to_buddhist_year(2026) == 2569
