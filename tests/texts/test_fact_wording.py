"""Dates and the note on unconfirmed facts, as a citizen reads them (issue 12)."""

from __future__ import annotations

import datetime as dt

import pytest

from knowledge.schema import VERIFIABLE_FIELDS
from texts import format_date, unverified_note
from texts.table import table


@pytest.mark.parametrize(
    ("date", "th", "en"),
    [
        (dt.date(2026, 12, 1), "1 ธ.ค. 2569", "1 Dec 2026"),
        (dt.date(2025, 6, 28), "28 มิ.ย. 2568", "28 Jun 2025"),
        (dt.date(2023, 8, 12), "12 ส.ค. 2566", "12 Aug 2023"),
        (dt.date(2024, 1, 31), "31 ม.ค. 2567", "31 Jan 2024"),
    ],
)
def test_dates_have_the_buddhist_era_year_and_thai_month_in_thai(date, th, en):
    assert format_date(date, "th") == th
    assert format_date(date, "en") == en


def test_every_month_has_a_name_in_both_languages():
    assert len({format_date(dt.date(2026, month, 1), "th") for month in range(1, 13)}) == 12
    assert len({format_date(dt.date(2026, month, 1), "en") for month in range(1, 13)}) == 12


def test_one_unconfirmed_item_reads_as_one_sentence():
    assert unverified_note(["fees"], "th") == "ค่าธรรมเนียมยังไม่ได้ตรวจสอบกับหน่วยงาน กรุณาสอบถามหน่วยงานก่อนดำเนินการครับ"
    assert unverified_note(["fees"], "en") == (
        "The fee has not been confirmed with the agency; please check with them before you rely on it."
    )


def test_several_unconfirmed_items_are_joined_naturally():
    assert unverified_note(["fees", "deadline"], "en").startswith("The fee and the deadline have not been confirmed")
    assert unverified_note(["eligibility", "documents", "amount"], "th").startswith(
        "คุณสมบัติผู้มีสิทธิ์ รายการเอกสาร และจำนวนเงินยังไม่ได้ตรวจสอบกับหน่วยงาน"
    )
    assert unverified_note(["where_to_apply", "fine"], "en").startswith("The place to apply and the fine have")


def test_every_field_and_named_kind_has_its_words():
    keys = table().keys()
    assert {f"answers.unverified_{item}" for item in [*VERIFIABLE_FIELDS, "fine", "deadline", "amount"]} <= keys


def test_an_empty_note_is_an_error():
    with pytest.raises(ValueError, match="at least one"):
        unverified_note([], "en")
