"""Where an application's status comes from: an interface and the embedded default.

The default reads a local table of sample applications so the conversation can be
built and tested end to end; an agency plugs in its own provider behind the same
:class:`StatusProvider` protocol.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import yaml

__all__ = [
    "REFERENCE_PATTERN",
    "ApplicationStatus",
    "SampleStatusProvider",
    "StatusProvider",
    "normalise_reference",
]

StatusCode = Literal["received", "in_review", "needs_documents", "approved", "ready_for_pickup", "rejected"]

# e.g. DOPA-2569-000123: agency code, Buddhist year, running number.
REFERENCE_PATTERN = re.compile(r"\b([A-Za-z]{2,5})[- ]?(\d{4})[- ]?(\d{4,8})\b")
SAMPLE_TABLE = Path(__file__).with_name("sample_applications.yaml")


def normalise_reference(text: str) -> str | None:
    """The first reference number in ``text``, upper-cased with dashes, or None."""
    match = REFERENCE_PATTERN.search(text)
    if not match:
        return None
    agency, year, number = match.groups()
    return f"{agency.upper()}-{year}-{number}"


@dataclass(frozen=True)
class ApplicationStatus:
    reference: str
    service_id: str
    status: StatusCode
    updated: dt.date
    requires_national_id: bool
    national_id: str | None = None


class StatusProvider(Protocol):
    def find(self, reference: str) -> ApplicationStatus | None:
        """The application with that reference, or None if unknown."""
        ...


class SampleStatusProvider:
    """Reads ``sample_applications.yaml`` (or another table with the same columns)."""

    def __init__(self, table: Path = SAMPLE_TABLE) -> None:
        rows = yaml.safe_load(table.read_text(encoding="utf-8")) or []
        self._by_reference = {
            str(row["reference"]).upper(): ApplicationStatus(
                reference=str(row["reference"]).upper(),
                service_id=str(row["service_id"]),
                status=row["status"],
                updated=row["updated"],
                requires_national_id=bool(row.get("requires_national_id")),
                national_id=str(row["national_id"]) if row.get("national_id") else None,
            )
            for row in rows
        }

    def find(self, reference: str) -> ApplicationStatus | None:
        return self._by_reference.get(reference.upper())
