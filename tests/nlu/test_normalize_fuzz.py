"""Fuzzing the normaliser every message goes through: any text, Thai-heavy or not, normalises
without an error, and every normalised character still points at the original text it came from
(the Rasa tokenizer quotes the citizen's own words through these spans)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from nlu.normalize import ZERO_WIDTH_CHARS, normalize_text, normalize_with_spans

THAI_DIGITS = set("๐๑๒๓๔๕๖๗๘๙")
# Mostly Thai letters, vowels, tone marks and digits, with the characters that trip normalisers:
# zero-width joiners, soft hyphens, combining marks from other scripts, emoji, surrogate-free controls.
thai_heavy = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x0E01, max_codepoint=0x0E5B),
        st.sampled_from(sorted(ZERO_WIDTH_CHARS)),
        st.sampled_from(["เ", "่", "้", "บ", " ", "\n", "\u0301", "🙏", "A", "1", "\x00"]),
    ),
    max_size=200,
)
any_text = st.one_of(thai_heavy, st.text(max_size=200))


@settings(max_examples=600, deadline=None, database=None)
@given(any_text)
def test_spans_point_into_the_original_in_order(text: str) -> None:
    normalised, spans = normalize_with_spans(text)
    assert len(normalised) == len(spans)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        previous_end = end
    kept = {index for start, end in spans for index in range(start, end)}
    dropped = [text[index] for index in range(len(text)) if index not in kept]
    assert all(char in ZERO_WIDTH_CHARS for char in dropped), dropped


@settings(max_examples=600, deadline=None, database=None)
@given(any_text)
def test_the_clean_copy_has_no_zero_width_or_thai_digits(text: str) -> None:
    cleaned = normalize_text(text)
    assert not ZERO_WIDTH_CHARS.intersection(cleaned)
    assert not THAI_DIGITS.intersection(cleaned)
    assert len(cleaned) <= len(text)
