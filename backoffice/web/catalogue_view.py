"""Filtering the catalogue list and naming life events: pure functions over services, for the pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from knowledge.schema import LifeEvent, Service
from texts.wording import life_event_name

__all__ = ["ListFilters", "filter_services", "life_event_options"]


@dataclass(frozen=True)
class ListFilters:
    query: str = ""
    life_event: str = ""
    agency: str = ""
    to_verify: bool = False
    older_than_days: int | None = None


def _words(service: Service) -> str:
    parts = [service.id, service.title.th, service.title.en, service.agency.th, service.agency.en]
    for lists in (service.keywords, service.colloquial_names, service.abbreviations):
        parts.extend([*lists.th, *lists.en])
    return " ".join(parts).casefold()


def filter_services(services: list[Service], filters: ListFilters, today: dt.date) -> list[Service]:
    """The services every given filter keeps; "older than N days" keeps never-reviewed ones too."""
    kept = []
    query = filters.query.casefold().strip()
    for service in services:
        if query and query not in _words(service):
            continue
        if filters.life_event and filters.life_event not in [event.value for event in service.life_events]:
            continue
        if filters.agency and filters.agency not in (service.agency.th, service.agency.en):
            continue
        if filters.to_verify and not service.unverified_fields():
            continue
        if filters.older_than_days is not None:
            reviewed = service.last_reviewed
            if reviewed is not None and (today - reviewed).days <= filters.older_than_days:
                continue
        kept.append(service)
    return kept


def life_event_options(lang: str) -> list[tuple[str, str]]:
    """(value, name in ``lang``) for every life event, in the order a life goes."""
    return [(event.value, life_event_name(event, "en" if lang == "en" else "th")) for event in LifeEvent]
