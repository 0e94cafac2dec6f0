"""What the pages use of the gateway's runtime, as a shape (ADR 0006: the back office never imports the gateway)."""

from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import Depends

from backoffice.accounts.service import StaffAccounts
from conversation.handoff.desk import HandoffDesk
from conversation.turn_events import TurnEventStore
from http_api.deps import app_runtime
from http_api.rate_limits import RateLimiter
from knowledge.catalogue_writer import CatalogueWriter
from knowledge.journey_store import JourneyStore
from knowledge.service_search import CatalogueSearch
from knowledge.store import CatalogueStore
from nlu.embedders import Embedder

__all__ = ["PageBackend", "PageBackendDep"]


class PageBackend(Protocol):
    @property
    def staff_accounts(self) -> StaffAccounts: ...

    @property
    def rate_limiter(self) -> RateLimiter: ...

    @property
    def trust_forwarded_for(self) -> bool: ...

    @property
    def store(self) -> CatalogueStore: ...

    @property
    def writer(self) -> CatalogueWriter: ...

    @property
    def catalogue(self) -> CatalogueSearch: ...

    @property
    def turn_events(self) -> TurnEventStore | None: ...

    @property
    def sentence_encoder(self) -> Embedder: ...

    @property
    def handoff_desk(self) -> HandoffDesk | None: ...

    @property
    def journeys(self) -> JourneyStore | None: ...  # the life-event journeys (backoffice/web/journey_pages.py)

    def wait_until_loaded(self, timeout: float | None = None) -> bool: ...


PageBackendDep = Annotated[PageBackend, Depends(app_runtime)]
