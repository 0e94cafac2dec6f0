"""Opening the citizens store's database: one engine, migrated to this release's schema on open."""

from __future__ import annotations

from sqlalchemy import Engine

from knowledge.database import create_store_engine
from knowledge.migrations.runner import upgrade

__all__ = ["open_citizens_engine"]


def open_citizens_engine(url: str) -> Engine:
    """The engine every part of the citizens store shares (consents, profiles, journeys, reminders, links)."""
    upgrade(url, "citizens")
    return create_store_engine(url)
