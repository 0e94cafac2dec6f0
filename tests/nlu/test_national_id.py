import pytest

from nlu.national_id import check_national_id, find_national_ids, mask_national_id


@pytest.mark.parametrize("typed", ["1103702071811", "1-1037-02071-81-1", "1 1037 02071 81 1", "๑๑๐๓๗๐๒๐๗๑๘๑๑"])
def test_valid_ids_in_every_way_people_type_them(typed):
    check = check_national_id(typed)
    assert check.valid and check.digits == "1103702071811"


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("1103702071812", "checksum"),
        ("110370207181", "length"),
        ("11037020718111", "length"),
        ("0103702071811", "first_digit"),
    ],
)
def test_invalid_ids_say_why(typed, reason):
    check = check_national_id(typed)
    assert not check.valid and check.reason == reason


def test_mask_never_shows_the_whole_number():
    masked = mask_national_id("1103702071811")
    assert masked == "x-xxxx-xxxx1-81-1"
    assert "110370207" not in masked.replace("-", "")


def test_find_in_a_sentence_with_offsets():
    text = "เลขบัตรผม 1-1037-02071-81-1 ครับ"
    [(start, end, digits)] = find_national_ids(text)
    assert text[start:end] == "1-1037-02071-81-1" and digits == "1103702071811"
    assert find_national_ids("โทร 0812345678") == []
