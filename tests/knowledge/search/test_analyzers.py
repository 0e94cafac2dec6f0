"""Text to index terms: PyThaiNLP words, English plurals folded, Thai character trigrams."""

from __future__ import annotations

from knowledge.search.analyzers import lexical_terms, stopwords, thai_char_ngrams


def test_terms_are_words_without_punctuation_and_plurals():
    assert lexical_terms("Renew PASSPORTS, please!") == ["renew", "passport", "please"]
    assert lexical_terms("ต่ออายุบัตรประชาชน?") == ["ต่ออายุ", "บัตรประชาชน"]
    assert lexical_terms("   ") == []


def test_thai_character_trigrams_come_from_thai_script_only():
    assert thai_char_ngrams("ทำบัตร passport") == ["ทำบ", "ำบั", "บัต", "ัตร"]
    assert thai_char_ngrams("renew passport") == []
    assert thai_char_ngrams("๑๒") == []  # Thai digits become Arabic digits first


def test_stopwords_are_function_words_of_both_languages():
    assert {"how", "many", "the"} <= stopwords()
    assert "passport" not in stopwords() and "หนังสือเดินทาง" not in stopwords()
