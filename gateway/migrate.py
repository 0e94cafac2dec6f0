"""Which databases the gateway's stores use, and bringing them all to this release's schema.

Used by ``citizenbot migrate`` (an operator's deploy step) and by ``citizenbot run`` before anything
starts; every store also migrates itself when it opens (knowledge/migrations, ADR 0009), so a
gateway started another way (uvicorn, a container) is safe too.
"""

from __future__ import annotations

from gateway.settings import Settings
from knowledge.migrations import MigrationResult, upgrade

__all__ = ["configured_stores", "migrate_stores"]


def configured_stores(settings: Settings) -> list[tuple[str, str]]:
    """(store, URL) for every SQL store: the LINE queue lives beside the catalogue (Runtime.events_store_url)."""
    return [
        ("catalogue", settings.store.url),
        ("line_queue", settings.store.url),
        ("conversations", settings.store.conversations_url),
        ("staff", settings.store.staff_url),  # staff accounts and the audit log (backoffice/accounts)
        ("reports", settings.store.reports_url),  # problem reports (conversation/reports, issue 18)
        ("citizens", settings.store.citizens_url),  # consented profiles, journeys, reminders (issue 17)
    ]


def migrate_stores(settings: Settings) -> list[MigrationResult]:
    """Upgrade every configured store, in order; the first failure raises (knowledge.migrations.MigrationError)."""
    return [upgrade(url, store) for store, url in configured_stores(settings)]
