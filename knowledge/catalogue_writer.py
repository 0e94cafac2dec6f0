"""The one way to change the catalogue: write the store, then bring the live search up to date.

The editor API (publishing a draft too) and ``citizenbot catalogue import`` both change the
catalogue through here. Every change is versioned in the store, which moves its revision on. With
this process's live search attached (the gateway's), the change is searchable before the call
returns. Without one (the command line), a running gateway notices the new revision within its
poll interval and catches up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from knowledge.schema import Service
from knowledge.service_search import CatalogueSearch
from knowledge.store import CatalogueStore

__all__ = ["CatalogueWriter", "Change"]


@dataclass(frozen=True)
class Change:
    """The outcome of changing one service: its new version, and whether this process's search has it."""

    service_id: str
    version: int
    searchable: bool


class CatalogueWriter:
    """Create, update, delete, restore and import services; errors are the store's own
    (:class:`~knowledge.store.ServiceNotFoundError`, ``ServiceExistsError``, ``StaleVersionError``)."""

    def __init__(self, store: CatalogueStore, search: CatalogueSearch | None = None) -> None:
        self.store = store
        self.search = search

    def create(self, service: Service, author: str) -> Change:
        version = self.store.create(service, author)
        return Change(service.id, version, self._catch_up())

    def update(self, service: Service, author: str, expected_version: int | None = None) -> Change:
        """Refused with ``StaleVersionError`` if the service moved on from ``expected_version``."""
        version = self.store.update(service, author, expected_version)
        return Change(service.id, version, self._catch_up())

    def delete(self, service_id: str, author: str) -> Change:
        version = self.store.delete(service_id, author)
        return Change(service_id, version, self._catch_up())

    def restore(self, service_id: str, version: int, author: str) -> Change:
        """Make an earlier version current again (also undeletes), recorded as a new version."""
        self.store.restore(service_id, version, author)
        return Change(service_id, self.store.current_version(service_id), self._catch_up())

    def publish_draft(self, draft_id: int, reviewer: str, expected_version: int | None = None) -> Change:
        """Make a submitted draft live (:meth:`CatalogueStore.publish_draft`), searchable on return."""
        draft = self.store.publish_draft(draft_id, reviewer, expected_version)
        return Change(draft.service_id, draft.published_version or 0, self._catch_up())

    def import_services(self, services: Iterable[Service], author: str) -> dict[str, int]:
        """Create or update many services, all or nothing; counts of created, updated and unchanged."""
        counts = self.store.import_services(services, author)
        self._catch_up()
        return counts

    def _catch_up(self) -> bool:
        if self.search is None:
            return False
        self.search.catch_up()
        return self.search.ready
