"""The index's Thai words found from a misspelt word, by sound and by edit distance."""

from __future__ import annotations

import pytest

from knowledge.search.vocabulary_neighbours import Neighbour, VocabularyNeighbours, edits_allowed

WORDS = ["บัตรประชาชน", "ทะเบียนบ้าน", "หนังสือเดินทาง", "เดินทาง", "ประกันสังคม", "หย่า", "ภาษี", "ภาพ"]


def _vocabulary(**options: object) -> VocabularyNeighbours:
    vocabulary = VocabularyNeighbours(**options)  # type: ignore[arg-type]
    vocabulary.add(WORDS)
    return vocabulary


def _words(vocabulary: VocabularyNeighbours, word: str) -> list[str]:
    return [n.word for n in vocabulary.near(word)]


def test_a_word_that_sounds_alike_is_found():
    vocabulary = _vocabulary(sound_engines=("lk82",), max_edits=0)
    assert _words(vocabulary, "บัตรประชาชล") == ["บัตรประชาชน"]
    assert _words(vocabulary, "ประกันสังขม") == ["ประกันสังคม"]
    (neighbour,) = vocabulary.near("ทะเบียนบ้าร")
    assert neighbour.sounds_alike and neighbour.distance == 1


def test_a_word_one_edit_away_is_found():
    vocabulary = _vocabulary(sound_engines=(), max_edits=1)
    assert vocabulary.near("เดิทาง") == [Neighbour("เดินทาง", 1, sounds_alike=False)]
    assert _words(vocabulary, "ภาสี") == ["ภาษี"]


def test_two_edits_only_in_long_words():
    vocabulary = _vocabulary(sound_engines=(), max_edits=2)
    assert "หนังสือเดินทาง" in _words(vocabulary, "หนังสือเดิทา")  # 12 characters: two edits
    assert _words(vocabulary, "ภาสร") == []  # four characters: two edits would reach anything
    assert edits_allowed(4, 2) == 1 and edits_allowed(7, 2) == 2 and edits_allowed(9, 0) == 0


def test_the_word_itself_short_words_and_latin_are_not_neighbours():
    vocabulary = _vocabulary(sound_engines=("lk82",), max_edits=1)
    assert "เดินทาง" not in _words(vocabulary, "เดินทาง")
    assert vocabulary.near("ภา") == []  # shorter than min_chars
    vocabulary.add(["passport"])
    assert "passport" not in vocabulary
    assert vocabulary.near("pasport") == []  # the word bridge handles Latin typos


def test_removed_words_are_forgotten_and_can_come_back():
    vocabulary = _vocabulary(sound_engines=("lk82",), max_edits=1)
    vocabulary.remove(["บัตรประชาชน"])
    assert "บัตรประชาชน" not in vocabulary
    assert vocabulary.near("บัตรประชาชล") == []
    vocabulary.add(["บัตรประชาชน"])
    assert _words(vocabulary, "บัตรประชาชล") == ["บัตรประชาชน"]


def test_unknown_engine_or_negative_edits_are_refused():
    with pytest.raises(ValueError, match="soundex engine"):
        VocabularyNeighbours(sound_engines=("nope",))
    with pytest.raises(ValueError):
        VocabularyNeighbours(max_edits=-1)
