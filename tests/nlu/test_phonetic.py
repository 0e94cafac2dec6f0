"""Thai phonetic keys: misspellings by ear share the key of the word meant, other words do not."""

from __future__ import annotations

import pytest

from nlu.phonetic import DEFAULT_SOUNDEX_ENGINE, SOUNDEX_ENGINES, sound_key


@pytest.mark.parametrize(
    ("misspelt", "meant"),
    [
        ("บัตรประชาชล", "บัตรประชาชน"),  # final น typed as ล
        ("ประกันสังขม", "ประกันสังคม"),  # ค typed as ข
        ("ทะเบียนบ้าร", "ทะเบียนบ้าน"),  # final น typed as ร
        ("หนังสือเดิรทาง", "หนังสือเดินทาง"),
        ("หยา", "หย่า"),  # tone mark left out
        ("ใบขับขี้", "ใบขับขี่"),  # wrong tone mark
        ("พาสปอต", "พาสปอร์ต"),  # silent letter left out
    ],
)
def test_a_misspelling_by_ear_has_the_key_of_the_word_meant(misspelt, meant):
    assert sound_key(misspelt) == sound_key(meant) != ""


def test_different_words_have_different_keys():
    keys = {sound_key(word) for word in ("บัตรประชาชน", "ทะเบียนบ้าน", "หนังสือเดินทาง", "ประกันสังคม")}
    assert len(keys) == 4


@pytest.mark.parametrize("engine", SOUNDEX_ENGINES)
def test_every_engine_gives_a_key_offline(engine):
    assert sound_key("บัตรประชาชน", engine=engine)
    assert sound_key("", engine=engine) == ""


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="soundex engine"):
        sound_key("บัตร", engine="soundex-en")
    with pytest.raises(ValueError):
        sound_key("", engine="nope")  # refused even for empty text: a typo in a setting shows at once


def test_latin_and_mixed_words_have_no_key():
    assert sound_key("passport") == ""
    assert sound_key("บัตรATM") == ""


def test_default_engine_is_one_of_the_engines():
    assert DEFAULT_SOUNDEX_ENGINE in SOUNDEX_ENGINES
