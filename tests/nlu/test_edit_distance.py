"""Edit distance and deletion variants: the two halves of finding near words fast."""

from __future__ import annotations

import random

import pytest

from nlu.edit_distance import EDIT_DISTANCE_ENGINES, deletions, edit_distance


@pytest.mark.parametrize(
    ("first", "second", "distance"),
    [
        ("เดิทาง", "เดินทาง", 1),  # a letter dropped
        ("ภาสี", "ภาษี", 1),  # one replaced
        ("หยา", "หย่า", 1),  # a tone mark left out
        ("พาสปอต", "พาสปอร์ต", 2),
        ("kitten", "sitting", 3),
        ("", "", 0),
        ("", "abc", 3),
    ],
)
def test_edit_distance(first, second, distance):
    assert edit_distance(first, second) == distance
    assert edit_distance(second, first) == distance


def test_swapped_neighbours_are_one_edit_in_osa_and_two_in_levenshtein():
    assert edit_distance("ทางเดิน", "ทางเดนิ") == 1
    assert edit_distance("ทางเดิน", "ทางเดนิ", engine="levenshtein") == 2


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="edit distance engine"):
        edit_distance("a", "b", engine="hamming")
    assert set(EDIT_DISTANCE_ENGINES) == {"osa", "levenshtein"}


def test_deletions():
    assert deletions("abc", 0) == {"abc"}
    assert deletions("abc", 1) == {"abc", "ab", "ac", "bc"}
    assert "" not in deletions("ab", 5)
    assert deletions("", 2) == set()
    with pytest.raises(ValueError):
        deletions("abc", -1)


def test_words_one_edit_apart_share_a_deletion_variant():
    """What the vocabulary index relies on: it never compares a query word with every word."""
    rng = random.Random(7)
    letters = "กขคงจนบปมรลสอาิีุู่้"
    for _ in range(300):
        word = "".join(rng.choice(letters) for _ in range(rng.randint(3, 8)))
        i = rng.randrange(len(word))
        edited = rng.choice(
            [word[:i] + word[i + 1 :], word[:i] + rng.choice(letters) + word[i + 1 :], word[:i] + "ก" + word[i:]]
        )
        if edit_distance(word, edited) == 1:
            assert deletions(word, 1) & deletions(edited, 1)
