"""The problem types a report can have: Traffy Fondue's public names with English labels.

Why a file and not an enum: the list is Traffy Fondue's, it changes on their side, and an operator
must be able to correct a name (``data/types.yml`` says where it came from and what to verify)
without a code change. Older names from Traffy's open ticket export (``legacy``) are accepted on
input, so a labelled file written with them still scores.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

__all__ = ["DATA_DIR", "OTHER_TYPE", "ProblemType", "Taxonomy", "load_taxonomy"]

DATA_DIR = Path(__file__).resolve().parent / "data"
OTHER_TYPE = "อื่นๆ"
"""Traffy Fondue's catch-all type; excluded from the quality goal (issue 18)."""

_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class ProblemType:
    """One type: ``th`` is the name Traffy Fondue uses (and our label), ``en`` the English label."""

    id: str
    th: str
    en: str
    legacy: tuple[str, ...] = ()

    def label(self, lang: str) -> str:
        """The name to show a citizen or officer in ``lang`` ("th" or "en")."""
        return self.en if lang == "en" else self.th


class Taxonomy:
    """The ordered list of types, looked up by Thai name, English label, our id or an old name."""

    def __init__(self, types: list[ProblemType]) -> None:
        if not types:
            raise ValueError("a taxonomy needs at least one problem type")
        self._types = tuple(types)
        self._by_key: dict[str, ProblemType] = {}
        for problem_type in types:
            if not _ID.match(problem_type.id):
                raise ValueError(f"problem type id {problem_type.id!r} must be lower-case ASCII")
            for key in (problem_type.id, problem_type.th, problem_type.en, *problem_type.legacy):
                folded = key.casefold()
                if folded in self._by_key and self._by_key[folded] is not problem_type:
                    raise ValueError(f"problem type name {key!r} is used twice")
                self._by_key[folded] = problem_type
        if OTHER_TYPE not in {problem_type.th for problem_type in types}:
            raise ValueError(f"the taxonomy must hold the catch-all type {OTHER_TYPE!r}")

    def __iter__(self) -> Iterator[ProblemType]:
        return iter(self._types)

    def __len__(self) -> int:
        return len(self._types)

    def get(self, name: str) -> ProblemType | None:
        """The type called ``name`` (Thai, English, id or an old Traffy name), None when unknown."""
        return self._by_key.get(name.strip().casefold())

    def require(self, name: str) -> ProblemType:
        """Like :meth:`get`, but an unknown name is a ``ValueError`` that lists the known ones."""
        found = self.get(name)
        if found is None:
            known = ", ".join(problem_type.th for problem_type in self._types)
            raise ValueError(f"unknown problem type {name!r}; known types: {known}")
        return found

    @property
    def other(self) -> ProblemType:
        """The catch-all type, what an empty or unclassifiable description gets."""
        return self.require(OTHER_TYPE)


def _parse(raw: object, source: str) -> Taxonomy:
    if not isinstance(raw, dict) or not isinstance(raw.get("types"), list):
        raise ValueError(f"{source}: expected a mapping with a 'types' list")
    types: list[ProblemType] = []
    for entry in raw["types"]:
        if not isinstance(entry, dict) or not all(isinstance(entry.get(key), str) for key in ("id", "th", "en")):
            raise ValueError(f"{source}: every type needs string 'id', 'th' and 'en': {entry!r}")
        legacy = entry.get("legacy") or []
        if not isinstance(legacy, list) or not all(isinstance(name, str) for name in legacy):
            raise ValueError(f"{source}: 'legacy' of {entry['id']!r} must be a list of names")
        types.append(ProblemType(entry["id"], entry["th"], entry["en"], tuple(legacy)))
    return Taxonomy(types)


@lru_cache(maxsize=4)
def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Read the types file (the packaged ``data/types.yml`` by default), once per path."""
    source = path or DATA_DIR / "types.yml"
    return _parse(yaml.safe_load(source.read_text(encoding="utf-8")), str(source))
