import pytest

from nlu.language import detect_language, reply_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ต่ออายุบัตรประชาชนต้องใช้เอกสารอะไร", "th"),
        ("How do I renew my passport?", "en"),
        ("ขอ passport ใหม่", "mixed"),
        ("ต่อ driving license ที่ไหน", "mixed"),
        ("ทำบัตร ATM หาย", "mixed"),
        ("ต่ออายุบัตรประชาชนที่เขตบางรัก ชั้น 2 ห้อง B", "th"),  # one stray letter is not English
        ("Where is the อำเภอ office for my house registration?", "en"),
    ],
)
def test_detects_thai_english_and_code_switching(text, expected):
    assert detect_language(text) == expected


def test_no_letters_gives_the_default():
    assert detect_language("12345 👍", default="en") == "en"
    assert detect_language("") == "th"


def test_code_switched_thai_is_answered_in_thai():
    assert reply_language("mixed") == "th"
    assert reply_language("en") == "en"
