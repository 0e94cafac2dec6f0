"""The per-turn event record: one row per citizen turn, for the back office's analytics.

What a turn leaves here: when (UTC, and the day in Asia/Bangkok it fell on), the conversation id
(the Rasa sender id that :mod:`gateway.privacy` exports, erases and forgets), channel, reply
language, the citizen's message masked (:func:`nlu.pii.mask_pii`) and cut to
:data:`MAX_MESSAGE_CHARS`, what became of it (:class:`Outcome`), the turn's machine status
(:class:`~conversation.messages.TurnStatus`), the service answered, the top search score where
known and how long the turn took (docs/analytics.md).

It lives beside the turn pipeline that writes it (layer 5), not in ``actions/api`` with the
conversation store: the actions never read or write it, the back office (layer 6) and the gateway's
privacy code (layer 7) read it from above. The table is in the conversations database
(``store.conversations_url``), created by that store's migration 0002 (ADR 0009), so a citizen's
records stay in one database that can be restored, exported and erased as one.

The day is stored as text (``YYYY-MM-DD`` in Asia/Bangkok) when the row is written: every filter
and the questions-per-day figure are by Thai calendar day, and a plain column compares and groups
the same on SQLite and PostgreSQL, where "the local date of a timestamp" is spelt differently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    update,
)

from knowledge.database import as_utc, create_store_engine
from knowledge.migrations.runner import upgrade
from nlu.pii import mask_pii

__all__ = [
    "CHANNELS",
    "LOCAL_TIMEZONE",
    "MAX_MESSAGE_CHARS",
    "UNMATCHED",
    "Outcome",
    "TurnEvent",
    "TurnEventStore",
    "local_day",
    "metadata",
    "turn_events",
]

# The day a turn counts for: Thai agencies read their figures by Thai calendar day (UTC+7, no DST).
LOCAL_TIMEZONE = ZoneInfo("Asia/Bangkok")
# Enough for any real question (the median is under 60 characters); a pasted page is cut, not kept.
MAX_MESSAGE_CHARS = 500
# Where citizens talk to the bot: the web widget, LINE, and the plain HTTP API (automation, kiosks).
CHANNELS = ("web", "line", "api")


class Outcome(StrEnum):
    """What became of the citizen's message (conversation/turn_recording.py decides it)."""

    ANSWERED = "answered"  # a service card was shown: the bot named a service
    ASKED_BACK = "asked_back"  # several services fit: the bot asked which one
    OUT_OF_CATALOGUE = "out_of_catalogue"  # nothing in the catalogue fits (said so, or referred elsewhere)
    FALLBACK = "fallback"  # the bot could not answer at all: the canned apology
    HANDOFF = "handoff"  # the conversation was passed to a staff member
    OTHER = "other"  # greetings, follow-ups, ratings, status checks, browsing ...


# Outcomes that count as "the bot could not match the message" (the unanswered list).
UNMATCHED = (Outcome.OUT_OF_CATALOGUE, Outcome.FALLBACK)

metadata = MetaData()

turn_events = Table(
    "turn_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("day", String(10), nullable=False),  # YYYY-MM-DD in Asia/Bangkok
    # The Rasa sender id; NULL once retention forgot the conversation (the row stays until analytics_days).
    Column("conversation_id", String(160), nullable=True),
    Column("channel", String(16), nullable=False),
    Column("language", String(2), nullable=False),
    Column("message", Text, nullable=False),  # masked, at most MAX_MESSAGE_CHARS
    Column("tapped", Boolean, nullable=False),  # a quick-reply payload, not typed words
    Column("outcome", String(24), nullable=False),
    Column("status", String(24), nullable=False),
    Column("service_id", String(80), nullable=True),
    Column("top_score", Float, nullable=True),
    Column("duration_ms", Integer, nullable=False),
    Index("ix_turn_events_day", "day"),
    Index("ix_turn_events_at", "at"),
    Index("ix_turn_events_conversation_id", "conversation_id"),
)


def local_day(at: dt.datetime) -> str:
    """The Asia/Bangkok calendar day of an instant (a naive value is UTC, as SQLite returns it)."""
    return as_utc(at).astimezone(LOCAL_TIMEZONE).date().isoformat()


@dataclass(frozen=True)
class TurnEvent:
    """One turn as recorded. ``message`` is masked again on write, whatever the caller passed."""

    conversation_id: str
    channel: str
    language: str
    message: str
    outcome: Outcome
    status: str
    duration_ms: float
    service_id: str | None = None
    top_score: float | None = None
    tapped: bool = False
    at: dt.datetime | None = None  # None: now


class TurnEventStore:
    """Writes turn events and applies the privacy rules to them; the queries are in
    :mod:`backoffice.analytics.queries`.

    Built on a URL (its own engine, migrated on open) or on the conversation store's engine,
    which the gateway shares so the conversations database has one pool per process."""

    def __init__(self, url_or_engine: str | Engine) -> None:
        self._owns_engine = isinstance(url_or_engine, str)
        self.engine = create_store_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
        if self._owns_engine:
            upgrade(self.engine, "conversations")  # migrations, never create_all (ADR 0009)

    def close(self) -> None:
        if self._owns_engine:
            self.engine.dispose()

    def record(self, event: TurnEvent) -> None:
        at = as_utc(event.at or dt.datetime.now(dt.UTC))
        row = {
            "at": at,
            "day": local_day(at),
            "conversation_id": event.conversation_id[:160],
            "channel": event.channel[:16],
            "language": event.language[:2],
            "message": mask_pii(event.message.replace("\x00", ""))[:MAX_MESSAGE_CHARS],  # PostgreSQL refuses NUL
            "tapped": event.tapped,
            "outcome": Outcome(event.outcome).value,
            "status": str(event.status)[:24],
            "service_id": event.service_id[:80] if event.service_id else None,
            "top_score": None if event.top_score is None else round(float(event.top_score), 4),
            "duration_ms": max(0, round(event.duration_ms)),
        }
        with self.engine.begin() as connection:
            connection.execute(insert(turn_events).values(row))

    def of(self, conversation_id: str) -> list[dict[str, Any]]:
        """The conversation's events, oldest first, as an export shows them (no internal ids)."""
        query = select(turn_events).where(turn_events.c.conversation_id == conversation_id)
        with self.engine.connect() as connection:
            rows = connection.execute(query.order_by(turn_events.c.id)).mappings().all()
        return [
            {
                "at": as_utc(row["at"]).isoformat(),
                "channel": row["channel"],
                "language": row["language"],
                "message": row["message"],
                "outcome": row["outcome"],
                "service_id": row["service_id"],
            }
            for row in rows
        ]

    def erase(self, conversation_id: str) -> int:
        """Delete the conversation's events (an erasure request); how many went."""
        with self.engine.begin() as connection:
            result = connection.execute(delete(turn_events).where(turn_events.c.conversation_id == conversation_id))
        return int(result.rowcount or 0)

    def detach(self, conversation_ids: Iterable[str]) -> int:
        """Cut the link to conversations retention forgot: the events stay for the figures, no longer
        tied to anyone (a LINE sender id names a person). How many events were detached."""
        ids = list(conversation_ids)
        if not ids:
            return 0
        detached = 0
        with self.engine.begin() as connection:
            for start in range(0, len(ids), 500):  # an IN list of bounded size on every engine
                chunk = ids[start : start + 500]
                result = connection.execute(
                    update(turn_events).where(turn_events.c.conversation_id.in_(chunk)).values(conversation_id=None)
                )
                detached += int(result.rowcount or 0)
        return detached

    def delete_older_than(self, before: dt.datetime) -> int:
        """The retention of events (privacy.analytics_days): rows recorded before the cut-off go."""
        with self.engine.begin() as connection:
            result = connection.execute(delete(turn_events).where(turn_events.c.at < before))
        return int(result.rowcount or 0)
