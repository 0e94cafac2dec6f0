"""Field-by-field differences between two states of a service, for history and review.

A reviewer wants to read "``fees.th``: 100 บาท -> 150 บาท", not two JSON documents. Both sides are
flattened to readable paths (``name.th``, ``fees[0].amount``, ``facts[2].source.url``) and compared
leaf by leaf; a path present on one side only has ``None`` on the other. Pure functions, no store.

:Example:

    >>> from knowledge.diff import flatten
    >>> flatten({"title": {"th": "หนังสือเดินทาง", "en": "Passport"}, "documents": [{"en": "ID card"}]})
    {'title.th': 'หนังสือเดินทาง', 'title.en': 'Passport', 'documents[0].en': 'ID card'}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from knowledge.schema import Service

__all__ = ["FieldChange", "diff_services", "diff_values", "flatten"]


@dataclass(frozen=True)
class FieldChange:
    """One leaf that differs: its path, and its value before and after (None where it is absent)."""

    field: str
    before: Any
    after: Any

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "before": self.before, "after": self.after}


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Every leaf of a JSON-like value by its path; an empty list or object is a leaf of its own."""
    if isinstance(value, dict) and value:
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(value, list) and value:
        flat = {}
        for position, item in enumerate(value):
            flat.update(flatten(item, f"{prefix}[{position}]"))
        return flat
    return {prefix: value}


def diff_values(before: Any, after: Any) -> list[FieldChange]:
    """The leaves of two JSON-like values that differ, in the order they appear (``before``'s first)."""
    old = flatten(before) if before is not None else {}
    new = flatten(after) if after is not None else {}
    paths = list(dict.fromkeys([*old, *new]))
    return [FieldChange(path, old.get(path), new.get(path)) for path in paths if old.get(path) != new.get(path)]


def diff_services(before: Service | None, after: Service | None) -> list[FieldChange]:
    """What changed from ``before`` to ``after`` (either None: the service did not exist on that side)."""
    return diff_values(
        before.model_dump(mode="json") if before is not None else None,
        after.model_dump(mode="json") if after is not None else None,
    )
