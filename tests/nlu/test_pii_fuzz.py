"""Property tests of the personal-data masker (hypothesis; gateway environment only, see tests/conftest.py)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from nlu.national_id import check_national_id
from nlu.pii import checksum_valid, mask_pii, surrogate_national_id


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet="0123456789", min_size=13, max_size=13))
def test_a_surrogate_passes_the_same_checks_as_the_real_id(digits):
    surrogate = surrogate_national_id(digits)
    assert surrogate != digits and len(surrogate) == 13 and surrogate.isdigit()
    assert checksum_valid(surrogate) == checksum_valid(digits)
    real, fake = check_national_id(digits), check_national_id(surrogate)
    assert (fake.valid, fake.reason) == (real.valid, real.reason)
    assert surrogate[9:] == digits[9:]  # the masked form shown to the citizen does not change


@settings(max_examples=200, deadline=None, database=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60))
def test_masking_any_text_is_idempotent_and_never_fails(text):
    once = mask_pii(text)
    assert mask_pii(once) == once
