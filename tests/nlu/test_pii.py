"""Personal data in what citizens type: found in the layouts people use, masked the same way
everywhere, and left alone where a number is something else (nlu/pii.py)."""

from __future__ import annotations

import logging
import random
import time

import pytest

from nlu.national_id import find_national_ids
from nlu.pii import (
    MaskingLogFilter,
    find_pii,
    install_log_masking,
    mask_deep,
    mask_pii,
    surrogate_national_id,
    with_digits,
)


def kinds(text: str) -> list[tuple[str, str]]:
    return [(m.kind, m.text) for m in find_pii(text)]


@pytest.mark.parametrize(
    "typed",
    [
        "1103702071811",
        "1-1037-02071-81-1",
        "1 1037 02071 81 1",
        "1.1037.02071.81.1",
        "๑-๑๐๓๗-๐๒๐๗๑-๘๑-๑",
        "11037 02071 811",  # an odd grouping, but the check digit is right
        "1103702071812",  # a typo (wrong check digit) is still somebody's ID
        "1-1037-02071-81-2",
    ],
)
def test_national_ids_in_every_layout(typed):
    assert kinds(f"เลขบัตร {typed} ค่ะ") == [("national_id", typed)]
    assert kinds(f"my id is {typed}.") == [("national_id", typed)]


@pytest.mark.parametrize(
    "typed",
    [
        "0812345678",
        "081-234-5678",
        "081 234 5678",
        "08-1234-5678",
        "081.234.5678",
        "0812-345-678",
        "081-2345678",
        "๐๘๑-๒๓๔-๕๖๗๘",
        "02-123-4567",
        "02 123 4567",
        "021234567",
        "0-2141-4444",
        "053-123-456",
        "+66812345678",
        "+66 81 234 5678",
        "+66-81-234-5678",
        "(+66) 81 234 5678",
        "+66 (0) 81 234 5678",
        "0066 81 234 5678",
        "+66 2 123 4567",
        "+662 123 4567",
    ],
)
def test_phones_in_every_layout(typed):
    assert kinds(f"โทร {typed} ได้เลย") == [("phone", typed)]
    assert kinds(f"โทร{typed}ครับ") == [("phone", typed)]


@pytest.mark.parametrize(
    "typed", ["somchai@gmail.com", "s.jaidee@hotmail.co.th", "Nattapong.S+gov@Outlook.com", "mali_99@kku.ac.th"]
)
def test_emails(typed):
    assert kinds(f"อีเมล{typed}ค่ะ") == [("email", typed)]


@pytest.mark.parametrize(
    "text",
    [
        "เช็คสถานะ DOPA-2569-000123",
        "DCA 2569 004567",
        "dopa2569000123",
        "ยื่นวันที่ 12/03/2567 นัด 02-05-2569 เวลา 9 โมง",
        "2026-11-20 10:30",
        "ค่าธรรมเนียม 1,500 บาท หรือ 2,500,000 บาท",
        "พ.ศ. 2569 ค.ศ. 2026",
        "โทร 1111 กด 77 หรือ 1555 หรือ 191",
        "เลขพัสดุ EF123456789TH",
        "tracking 630012345678",
        "บาร์โค้ด 8850999220017",
        "เลขผู้เสียภาษีบริษัท 0105556123456",
        "เลขบัญชี 123-4-56789-0 และ 068-2-12345-6",
        "ไลน์ @somchai99 หรือ somchai_2530",
        "เปิด 08.30-16.30 น.",
        "พิกัด 13.7563, 100.5018",
        "TH1234567890123",  # letters glued on and a wrong check digit: a code, not an ID
    ],
)
def test_numbers_that_are_not_personal_data_are_left(text):
    assert find_pii(text) == []
    assert mask_pii(text) == text


def test_a_valid_id_is_masked_even_after_a_word_naming_another_number():
    assert kinds("ส่งพัสดุแล้ว บัตร 1103702071811") == [("national_id", "1103702071811")]
    assert kinds("เลขพัสดุ 1103702071811") == [("national_id", "1103702071811")]


def test_a_phone_followed_by_another_number_is_cut_where_it_ends():
    assert kinds("โทร 081 234 5678 10 โมง") == [("phone", "081 234 5678")]
    assert kinds("ส่ง 5 ชุด 081-234-5678") == [("phone", "081-234-5678")]


def test_masked_forms():
    text = "บัตร 1-1037-02071-81-1 โทร 081-234-5678 บ้าน 02 123 4567 +66 81 234 5678 เมล somchai@gmail.com"
    assert mask_pii(text) == (
        "บัตร x-xxxx-xxxx1-81-1 โทร 08x-xxx-xx78 บ้าน 02-xxx-xx67 +66 8x-xxx-xx78 เมล s***@gmail.com"
    )


def test_masking_twice_changes_nothing():
    once = mask_pii("ID 1103702071811 tel 0812345678 mail a.b@c.co.th, +66 2 123 4567")
    assert mask_pii(once) == once
    assert find_pii(once) == []


def test_mask_deep_masks_every_string_of_a_transcript():
    transcript = [{"from": "citizen", "text": "เบอร์ 0812345678"}, {"from": "bot", "text": "ขอบคุณค่ะ", "n": 3}]
    assert mask_deep(transcript) == [
        {"from": "citizen", "text": "เบอร์ 08x-xxx-xx78"},
        {"from": "bot", "text": "ขอบคุณค่ะ", "n": 3},
    ]


def test_a_surrogate_in_the_typed_layout_is_found_by_rasas_id_extractor():
    typed = "เลขบัตร 1-1037-02071-81-1 ครับ"
    (match,) = find_pii(typed)
    fake = surrogate_national_id(match.digits, random.Random(3))
    said = typed.replace(match.text, with_digits(match.text, fake))
    (found,) = find_national_ids(said)  # what nlu/rasa_entities.py extracts
    assert found[2] == fake and said.count("-") == 4


def test_the_log_filter_masks_message_arguments_and_tracebacks(caplog):
    logger = logging.getLogger("tests.pii.filter")
    handler = logging.Handler()
    seen: list[str] = []
    handler.emit = lambda record: seen.append(logging.Formatter().format(record))  # type: ignore[method-assign]
    handler.addFilter(MaskingLogFilter())
    logger.addHandler(handler)
    try:
        logger.warning("citizen said %s", "บัตร 1103702071811 โทร 0812345678")
        try:
            raise ValueError("bad id 1103702071811 from somchai@gmail.com")
        except ValueError:
            logger.exception("turn failed for %s", "somchai@gmail.com")
    finally:
        logger.removeHandler(handler)
    joined = "\n".join(seen)
    assert "citizen said บัตร x-xxxx-xxxx1-81-1 โทร 08x-xxx-xx78" in joined
    assert "ValueError: bad id x-xxxx-xxxx1-81-1 from s***@gmail.com" in joined
    for clear in ("1103702071811", "0812345678", "somchai@gmail.com"):
        assert clear not in joined


def test_installed_masking_reaches_handlers_added_later(caplog):
    install_log_masking()
    install_log_masking()  # twice is once
    caplog.set_level(logging.INFO)
    logging.getLogger("tests.pii.factory").info("id %s", "1-1037-02071-81-1")
    assert "id x-xxxx-xxxx1-81-1" in caplog.text and "1-1037-02071-81-1" not in caplog.text


@pytest.mark.parametrize("text", [" ".join(["12"] * 660), "-".join(["1"] * 1000), "1. " * 660, "a." * 999 + "@"])
def test_a_long_message_of_numbers_is_masked_quickly(text):
    """A message may be 2000 characters: masking it stays linear (it once took 12 s)."""
    started = time.perf_counter()
    mask_pii(text)
    assert time.perf_counter() - started < 0.5
