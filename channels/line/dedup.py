"""Webhook events LINE has already delivered, so a redelivered event is answered once.

LINE redelivers an event (same ``webhookEventId``) when it thinks a delivery
failed. The ids live in a small table in the catalogue database, so every
gateway replica sees the same set; claiming an id is a single INSERT and the
primary key decides the race. Ids older than the retention are deleted now and
then, which keeps the table small.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Column, DateTime, MetaData, String, Table, create_engine, delete, event, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import StaticPool

__all__ = ["DEFAULT_RETENTION", "SeenEvents"]

logger = logging.getLogger(__name__)

DEFAULT_RETENTION = dt.timedelta(days=7)  # far longer than LINE keeps redelivering
_PRUNE_INTERVAL = dt.timedelta(minutes=10)

_metadata = MetaData()
seen_events = Table(
    "line_webhook_events",
    _metadata,
    Column("event_id", String(64), primary_key=True),
    Column("seen_at", DateTime(timezone=True), nullable=False, index=True),
)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class SeenEvents:
    """A set of webhook event ids with expiry; safe to use from several threads."""

    def __init__(
        self,
        url: str,
        retention: dt.timedelta = DEFAULT_RETENTION,
        clock: Callable[[], dt.datetime] = _utcnow,
    ) -> None:
        kwargs: dict[str, Any] = {}
        if url.startswith("sqlite"):
            if ":memory:" in url or url in ("sqlite://", "sqlite:///"):
                # One shared connection, or each thread would see its own empty database.
                kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
            else:
                Path(url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
        self._engine = create_engine(url, **kwargs)
        if self._engine.dialect.name == "sqlite":
            event.listen(self._engine, "connect", _sqlite_wait_for_locks)
        _metadata.create_all(self._engine)
        self.retention = retention
        self._clock = clock
        self._last_prune = dt.datetime.min.replace(tzinfo=dt.UTC)
        self._prune_lock = threading.Lock()

    def claim(self, event_id: str) -> bool:
        """True the first time an id is seen (go ahead and handle it), False for a repeat."""
        now = self._clock()
        try:
            with self._engine.begin() as connection:
                connection.execute(insert(seen_events).values(event_id=event_id[:64], seen_at=now))
        except IntegrityError:
            return False
        self._maybe_prune(now)
        return True

    def prune(self, now: dt.datetime | None = None) -> int:
        """Forget ids older than the retention; returns how many were removed."""
        cutoff = (now or self._clock()) - self.retention
        with self._engine.begin() as connection:
            removed = connection.execute(delete(seen_events).where(seen_events.c.seen_at < cutoff)).rowcount
        if removed:
            logger.info("forgot %d old LINE webhook event ids", removed)
        return int(removed or 0)

    def _maybe_prune(self, now: dt.datetime) -> None:
        with self._prune_lock:
            if now - self._last_prune < _PRUNE_INTERVAL:
                return
            self._last_prune = now
        try:
            self.prune(now)
        except Exception:  # pruning is housekeeping; a failure must not lose the event
            logger.warning("could not prune old LINE webhook event ids", exc_info=True)

    def close(self) -> None:
        self._engine.dispose()


def _sqlite_wait_for_locks(dbapi_connection: Any, _record: Any) -> None:
    """The catalogue store writes to the same file; wait for its lock instead of failing."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
