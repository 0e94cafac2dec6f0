"""What the journeys pages show, as pure functions: the list's rows, the service choices of a step,
and the history as field-by-field changes between versions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from knowledge.diff import FieldChange, diff_values
from knowledge.journey_store import JourneyRecord, JourneyVersion
from knowledge.journeys import Journey
from knowledge.schema import Service

__all__ = ["HistoryEntry", "JourneyRow", "history_entries", "journey_rows", "service_options"]


@dataclass(frozen=True)
class JourneyRow:
    """One line of the list: the journey, its version, and the steps whose deadline is still to verify
    (numbered from 1, as the form numbers them)."""

    journey: Journey
    version: int
    unverified_steps: list[int]


def journey_rows(records: Iterable[JourneyRecord]) -> list[JourneyRow]:
    return [
        JourneyRow(record.journey, record.version, [position + 1 for position in record.journey.unverified_deadlines()])
        for record in records
    ]


def service_options(services: Iterable[Service], lang: str, keep: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(id, "title (id)") for every live service, by title in ``lang``; an id in ``keep`` that the catalogue
    no longer has stays choosable (shown as its id), so opening an old journey loses nothing."""
    options = {
        service.id: f"{service.title.en if lang == 'en' else service.title.th} ({service.id})" for service in services
    }
    for service_id in keep:
        if service_id and service_id not in options:
            options[service_id] = service_id
    return sorted(options.items(), key=lambda pair: pair[1].casefold())


@dataclass(frozen=True)
class HistoryEntry:
    version: JourneyVersion
    changes: list[FieldChange]


def _dumped(journey: Journey) -> dict[str, Any]:
    return journey.model_dump(mode="json", by_alias=True, exclude_none=True)


def history_entries(versions: Iterable[JourneyVersion]) -> list[HistoryEntry]:
    """The versions newest first, each with what changed from the one before it (none for the first)."""
    entries: list[HistoryEntry] = []
    previous: Journey | None = None
    for version in sorted(versions, key=lambda entry: entry.version):
        changes = diff_values(_dumped(previous), _dumped(version.journey)) if previous is not None else []
        entries.append(HistoryEntry(version, changes))
        previous = version.journey
    entries.reverse()
    return entries
