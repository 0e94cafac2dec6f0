from nlu.normalize import normalize_text, normalize_with_spans, remove_zero_width, thai_digits_to_arabic


def test_elongated_ending_is_shortened_and_maps_back_to_the_whole_run():
    text = "ขอบคุณครับบบบ"
    normalised, spans = normalize_with_spans(text)
    assert normalised == "ขอบคุณครับ"
    assert spans[-1] == (9, 13)
    assert text[spans[-1][0] : spans[-1][1]] == "บบบบ"


def test_double_tone_mark_and_double_sara_e():
    assert normalize_text("ค่่าธรรมเนียม") == "ค่าธรรมเนียม"
    assert normalize_text("เเก้ไข") == "แก้ไข"


def test_legitimate_double_letters_are_kept():
    # ร หัน (รร) is spelling, not elongation
    assert normalize_text("ธรรมเนียม กรรมการ") == "ธรรมเนียม กรรมการ"


def test_zero_width_characters_are_removed():
    assert normalize_text("บัตร\u200bประชาชน\ufeff") == "บัตรประชาชน"
    assert remove_zero_width("a\u200bb\u00adc") == "abc"


def test_thai_digits_become_arabic():
    assert thai_digits_to_arabic("๑๒๓๔๕๖๗๘๙๐") == "1234567890"
    assert normalize_text("อายุ ๗ ปี") == "อายุ 7 ปี"


def test_latin_and_laughing_digits_untouched():
    assert normalize_text("Passport 5555") == "Passport 5555"


def test_empty_in_empty_out():
    assert normalize_text("") == ""
    assert normalize_with_spans("") == ("", [])


def test_a_word_ending_in_a_letter_the_next_word_doubles_is_kept():
    # ใน + นนทบุรี: three น in a row across a word boundary, not stretched typing
    assert normalize_text("ทำบัตรในนนทบุรี") == "ทำบัตรในนนทบุรี"
    assert normalize_text("ย้ายบ้านไปนนทบุรีค่ะ") == "ย้ายบ้านไปนนทบุรีค่ะ"


def test_stretched_typing_before_a_space_or_at_the_end_is_still_shortened():
    assert normalize_text("ครับบบ ขอบคุณ") == "ครับ ขอบคุณ"
    assert normalize_text("มากกกกนะ") == "มากนะ"
    assert normalize_text("จ้าาา") == "จ้า"
