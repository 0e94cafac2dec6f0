"""LINE webhook events kept in the database until they are answered, so a crash loses none.

The webhook stores each event (its raw JSON, ``webhookEventId`` and chat) before it answers 200
to LINE; workers claim an event with a lease, handle it and acknowledge it. A worker that dies
mid-turn stops renewing its lease, and once the lease runs out any worker (this process after
a restart, or another replica) claims the event again. The table is also the de-duplication
set: ``webhookEventId`` is unique, so a redelivered event is stored once and answered once.

Order within a chat: only the oldest unfinished event of a chat can be claimed, so a chat's
events are answered one after the other, across replicas too.

Delivery marks (see :mod:`channels.line.delivery`): before sending, the worker records that it
is about to reply (or push), so a worker taking over an event after a crash knows whether an
answer may already have gone out. Acknowledged rows drop their raw JSON (it holds what the
citizen typed) and keep only the id, until the retention ends.

SQLAlchemy Core on one table beside the catalogue (its SQLite file, or its PostgreSQL database),
created by migrations (knowledge/migrations, ADR 0009). A claim is a compare-and-set ``UPDATE ...
WHERE state/lease still as read``, so two workers never both win. On SQLite the claim's read and
its updates run under the write lock (``BEGIN IMMEDIATE``); on PostgreSQL the read locks the rows it
picks with ``FOR UPDATE SKIP LOCKED``, so replicas claiming at once take different events instead
of queueing behind each other's row locks. A redelivered event is an ``INSERT ... ON CONFLICT DO
NOTHING`` on the unique event id, which holds across replicas.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from knowledge.database import create_store_engine
from knowledge.migrations.runner import upgrade

__all__ = ["EventQueue", "Job", "Stage", "chat_key"]

logger = logging.getLogger(__name__)

Stage = Literal["replying", "pushing"]
State = Literal["pending", "working", "done"]

_metadata = MetaData()
queued_events = Table(
    "line_event_queue",
    _metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),  # arrival order
    Column("event_id", String(64), nullable=False, unique=True),
    Column("chat_key", String(64), nullable=False),
    Column("raw", Text, nullable=True),  # dropped once the event is done
    Column("retry_key", String(36), nullable=False),  # X-Line-Retry-Key of this event's push
    Column("state", String(8), nullable=False),
    Column("lease_owner", String(64), nullable=True),
    Column("lease_until", Float, nullable=True),
    Column("stage", String(8), nullable=True),  # what a worker had started sending
    Column("attempts", Integer, nullable=False, default=0),
    Column("received_at", Float, nullable=False),
    Column("done_at", Float, nullable=True, index=True),
    Column("outcome", String(16), nullable=True),
    Index("ix_line_event_queue_chat", "chat_key", "state", "seq"),
)


def chat_key(raw: dict[str, Any]) -> str:
    """The chat an event belongs to (the group, room or person); '' when it names none."""
    source = raw.get("source")
    if not isinstance(source, dict):
        return ""
    for field in ("groupId", "roomId", "userId"):
        value = source.get(field)
        if isinstance(value, str) and value:
            return value[:64]
    return ""


@dataclass(frozen=True)
class Job:
    """One claimed event: what the worker needs to handle it and to acknowledge it."""

    seq: int
    event_id: str
    raw: dict[str, Any]
    retry_key: str
    received_at: float
    attempts: int  # including this one
    previous_stage: Stage | None  # set when an earlier worker had started sending, then vanished


class EventQueue:
    """The queue table; every method is a short blocking transaction (call through a thread)."""

    def __init__(self, url: str, retention_seconds: float = 7 * 86400, clock: Callable[[], float] = time.time):
        self._engine = _engine(url)
        upgrade(self._engine, "line_queue")  # migrations, never create_all (ADR 0009)
        self.retention_seconds = retention_seconds
        self._clock = clock

    # --- the webhook side --------------------------------------------------------------

    def enqueue(self, events: Iterable[dict[str, Any]]) -> list[bool]:
        """Store each event (committed before this returns); False for one already stored (a redelivery).
        An entry that is not an object is skipped, so the list returned may be shorter."""
        stored = []
        now = self._clock()
        for raw in events:
            if not isinstance(raw, dict):  # not a LINE event at all (found by fuzzing): nothing to answer
                logger.warning("skipped a LINE webhook entry that is not an object: %s", type(raw).__name__)
                continue
            event_id = raw.get("webhookEventId")
            if not isinstance(event_id, str) or not event_id:
                event_id = f"local-{uuid.uuid4()}"  # an old or odd shape: cannot be de-duplicated
            row = {
                "event_id": event_id[:64],
                "chat_key": chat_key(raw),
                "raw": json.dumps(raw, ensure_ascii=False),
                "retry_key": str(uuid.uuid4()),
                "state": "pending",
                "attempts": 0,
                "received_at": now,
            }
            try:
                with self._engine.begin() as connection:
                    inserted = connection.execute(self._insert_once().values(**row)).first() is not None
            except IntegrityError:  # a database without ON CONFLICT: the unique event id refused it
                inserted = False
            stored.append(inserted)
        return stored

    def _insert_once(self) -> Any:
        """An insert that skips an event id already stored (no row returned) rather than failing the transaction."""
        dialect = self._engine.dialect.name
        if dialect == "postgresql":
            statement: Any = postgresql.insert(queued_events).on_conflict_do_nothing(index_elements=["event_id"])
        elif dialect == "sqlite":
            statement = sqlite.insert(queued_events).on_conflict_do_nothing(index_elements=["event_id"])
        else:
            statement = insert(queued_events)
        return statement.returning(queued_events.c.seq)

    # --- the worker side ---------------------------------------------------------------

    def claim(self, owner: str, limit: int, lease_seconds: float) -> list[Job]:
        """Up to ``limit`` events, each the oldest unfinished one of its chat and not leased by a live worker."""
        now = self._clock()
        q = queued_events
        older = q.alias("older")
        head_of_chat = (
            ~select(older.c.seq)
            .where(older.c.chat_key == q.c.chat_key, older.c.state != "done", older.c.seq < q.c.seq)
            .exists()
        )
        free = or_(q.c.state == "pending", and_(q.c.state == "working", q.c.lease_until < now))
        claimed: list[Job] = []
        candidates = select(q).where(q.c.state != "done", free, head_of_chat).order_by(q.c.seq).limit(limit)
        if self._engine.dialect.name == "postgresql":
            # Rows another replica is claiming right now are skipped, not waited for; the compare-and-set
            # below stays the guarantee (SQLite needs no lock here: BEGIN IMMEDIATE serialises claims).
            candidates = candidates.with_for_update(skip_locked=True, of=q)
        with self._engine.begin() as connection:
            rows = connection.execute(candidates).all()
            for row in rows:
                won = connection.execute(
                    update(q)
                    .where(
                        q.c.seq == row.seq,
                        q.c.state == row.state,
                        q.c.lease_owner.is_not_distinct_from(row.lease_owner),
                    )
                    .values(
                        state="working", lease_owner=owner, lease_until=now + lease_seconds, attempts=q.c.attempts + 1
                    )
                ).rowcount
                if won != 1:
                    continue
                if row.state == "working":
                    logger.warning("LINE event %s taken over from a worker whose lease ran out", row.event_id)
                claimed.append(
                    Job(
                        seq=row.seq,
                        event_id=row.event_id,
                        raw=json.loads(row.raw or "{}"),
                        retry_key=row.retry_key,
                        received_at=row.received_at,
                        attempts=row.attempts + 1,
                        previous_stage=row.stage if row.stage in ("replying", "pushing") else None,
                    )
                )
        return claimed

    def renew(self, owner: str, lease_seconds: float) -> int:
        """Extend every lease ``owner`` holds; returns how many."""
        q = queued_events
        with self._engine.begin() as connection:
            result = connection.execute(
                update(q)
                .where(q.c.lease_owner == owner, q.c.state == "working")
                .values(lease_until=self._clock() + lease_seconds)
            )
        return int(result.rowcount or 0)

    def mark(self, job: Job, owner: str, stage: Stage) -> bool:
        """Record that sending starts; False when the lease is no longer ``owner``'s (do not send then)."""
        q = queued_events
        with self._engine.begin() as connection:
            result = connection.execute(update(q).where(*_still_held(job, owner)).values(stage=stage))
        return result.rowcount == 1

    def finish(self, job: Job, owner: str, outcome: str) -> bool:
        """Acknowledge: the event is done; its raw JSON and chat are forgotten, its id kept for de-duplication."""
        q = queued_events
        with self._engine.begin() as connection:
            result = connection.execute(
                update(q)
                .where(*_still_held(job, owner))
                .values(
                    state="done",
                    raw=None,
                    chat_key="",
                    lease_owner=None,
                    lease_until=None,
                    done_at=self._clock(),
                    outcome=outcome[:16],
                )
            )
        return result.rowcount == 1

    def release(self, owner: str) -> int:
        """Give back every unfinished lease of ``owner`` at once (shutdown), keeping delivery marks."""
        q = queued_events
        with self._engine.begin() as connection:
            result = connection.execute(
                update(q).where(q.c.lease_owner == owner, q.c.state == "working").values(lease_until=0.0)
            )
        return int(result.rowcount or 0)

    # --- housekeeping and inspection ---------------------------------------------------

    def prune(self) -> int:
        """Forget acknowledged events older than the retention; returns how many."""
        cutoff = self._clock() - self.retention_seconds
        q = queued_events
        with self._engine.begin() as connection:
            removed = connection.execute(delete(q).where(q.c.state == "done", q.c.done_at < cutoff)).rowcount
        if removed:
            logger.info("forgot %d answered LINE events", removed)
        return int(removed or 0)

    def unfinished(self) -> int:
        """Events stored and not yet acknowledged."""
        with self._reading() as connection:
            count = connection.execute(
                select(func.count()).select_from(queued_events).where(queued_events.c.state != "done")
            ).scalar_one()
        return int(count)

    def outcomes(self) -> dict[str, str | None]:
        """Every stored event id with its outcome (None while unfinished): for tests and operators."""
        q = queued_events
        with self._reading() as connection:
            return {row.event_id: row.outcome for row in connection.execute(select(q.c.event_id, q.c.outcome))}

    def close(self) -> None:
        self._engine.dispose()

    def _reading(self) -> Connection:
        """A connection for reads only: a plain BEGIN, so polling the queue never takes the write lock."""
        return self._engine.connect().execution_options(read_only=True)


def _still_held(job: Job, owner: str) -> tuple[Any, ...]:
    """The job's row while ``owner``'s lease on it stands: a worker that lost it may neither send nor acknowledge."""
    q = queued_events
    return (q.c.seq == job.seq, q.c.lease_owner == owner, q.c.state == "working")


def _engine(url: str) -> Engine:
    # The one helper every store uses: on SQLite WAL (shared with the catalogue in the same file),
    # synchronous=FULL so an event we said 200 for survives even a power cut, the busy timeout, and
    # one shared connection for an in-memory database; on PostgreSQL the pool with pre-ping.
    engine = create_store_engine(url, synchronous="FULL")
    if engine.dialect.name == "sqlite":
        _immediate_writes(engine)
    return engine


def _immediate_writes(engine: Engine) -> None:
    """BEGIN IMMEDIATE so a claim's read and its compare-and-set run under one write lock."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get("read_only", False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
