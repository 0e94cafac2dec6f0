import pytest

from nlu.tokens import tokenize_with_offsets, word_list


def _assert_verbatim(text):
    words = tokenize_with_offsets(text)
    for word in words:
        assert text[word.start : word.end] == word.text
        assert word.text.strip() == word.text and word.text
    return words


def test_thai_words_with_exact_offsets():
    words = _assert_verbatim("ต่ออายุบัตรประชาชนต้องใช้เอกสารอะไร")
    assert [w.text for w in words][:2] == ["ต่ออายุ", "บัตรประชาชน"]
    assert words[0].start == 0


def test_english_words_pass_through_without_whitespace_tokens():
    words = _assert_verbatim("How do I  renew my passport?")
    assert [w.text for w in words] == ["How", "do", "I", "renew", "my", "passport", "?"]
    assert (words[3].start, words[3].end) == (10, 15)


def test_mixed_thai_english():
    words = _assert_verbatim("ขอ passport ใหม่ครับ")
    assert "passport" in [w.text for w in words]


def test_emoji_keeps_offsets_right():
    text = "สวัสดีครับ 🙏 ทำพาสปอร์ต"
    words = _assert_verbatim(text)
    assert words[-1].end == len(text)
    assert "🙏" in [w.text for w in words]


def test_thai_digits_are_normalised_in_norm_but_verbatim_in_text():
    text = "อายุ ๑๕ ปี"
    words = _assert_verbatim(text)
    digits = next(w for w in words if w.text == "๑๕")
    assert digits.norm == "15"


def test_elongated_word_keeps_original_text_and_clean_norm():
    text = "ขอบคุณครับบบบ"
    words = _assert_verbatim(text)
    assert words[-1].text == "ครับบบบ"
    assert words[-1].norm == "ครับ"
    assert words[-1].end == len(text)


def test_zero_width_space_inside_text():
    text = "บัตร\u200bประชาชน หาย"
    words = _assert_verbatim(text)
    assert [w.norm for w in words][-1] == "หาย"


def test_case_folding_is_optional():
    assert [w.norm for w in tokenize_with_offsets("Passport", case_folding=True)] == ["passport"]
    assert [w.norm for w in tokenize_with_offsets("Passport", case_folding=False)] == ["Passport"]


def test_no_space_thai_is_segmented():
    assert word_list("ทำบัตรประชาชนที่ไหน") == ["ทำ", "บัตรประชาชน", "ที่ไหน"]


def test_empty_and_unknown_engine():
    assert tokenize_with_offsets("") == []
    with pytest.raises(ValueError, match="unknown tokenizer engine"):
        tokenize_with_offsets("x", engine="nope")
