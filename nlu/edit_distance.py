"""Edit distance between two words, and the deletion variants that find near words fast.

A misspelling is usually one keystroke away from the word meant: a letter dropped ("เดิทาง"), one
added, one replaced, two swapped. :func:`deletions` lets an index find every known word within a
small distance of a query word without comparing it with each of them (the SymSpell idea: two words
within distance ``d`` share a string reachable from both by at most ``d`` deletions).
"""

from __future__ import annotations

from itertools import combinations

__all__ = ["EDIT_DISTANCE_ENGINES", "deletions", "edit_distance"]

EDIT_DISTANCE_ENGINES = ("osa", "levenshtein")


def edit_distance(first: str, second: str, engine: str = "osa") -> int:
    """Insertions, deletions and substitutions (and, for ``"osa"``, swaps of two neighbours) from one to the other.

    ``"osa"`` (optimal string alignment) counts "ทางเดิน" -> "ทางเดนิ" as one edit, like a typist
    would; ``"levenshtein"`` counts it as two.

    :Example:

        >>> edit_distance("เดิทาง", "เดินทาง")
        1
        >>> edit_distance("ab", "ba"), edit_distance("ab", "ba", engine="levenshtein")
        (1, 2)
        >>> edit_distance("", "abc")
        3
    """
    if engine not in EDIT_DISTANCE_ENGINES:
        raise ValueError(f"unknown edit distance engine {engine!r}; choose one of {', '.join(EDIT_DISTANCE_ENGINES)}")
    if first == second:
        return 0
    if not first or not second:
        return len(first) + len(second)
    swaps = engine == "osa"
    before_previous: list[int] = []
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, start=1):
        current = [i] + [0] * len(second)
        for j, b in enumerate(second, start=1):
            cost = 0 if a == b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if swaps and i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                current[j] = min(current[j], before_previous[j - 2] + 1)
        before_previous, previous = previous, current
    return previous[-1]


def deletions(word: str, depth: int) -> set[str]:
    """Every string made by deleting at most ``depth`` characters of ``word`` (``word`` itself included).

    :Example:

        >>> sorted(deletions("abc", 1))
        ['ab', 'abc', 'ac', 'bc']
        >>> deletions("", 2)
        set()
    """
    if depth < 0:
        raise ValueError("depth must be 0 or more")
    if not word:
        return set()
    variants = {word}
    for removed in range(1, min(depth, len(word) - 1) + 1):
        for positions in combinations(range(len(word)), removed):
            skip = set(positions)
            variants.add("".join(char for i, char in enumerate(word) if i not in skip))
    return variants
