"""Opening a store's database: one place sets what every SQLite file needs, and names a store safely.

Every SQLite connection gets WAL (readers never block the writer), ``synchronous=NORMAL`` (durable
in WAL mode up to the last commit that reached the log's checkpoint, with far fewer fsyncs than
FULL) and a busy timeout (a write that meets another one waits instead of failing with "database is
locked"). An in-memory SQLite database gets one shared connection, or each thread would see its
own empty database. A server database (PostgreSQL) gets a connect timeout, so an unreachable one
fails in seconds rather than after the operating system's TCP timeout, and a pool whose connections
are checked before use (``pool_pre_ping``), so a restarted server or a dropped idle connection costs
one reconnect instead of a failed request (docs/runbook-database.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
import time
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import StaticPool

__all__ = [
    "CONNECT_TIMEOUT_SECONDS",
    "POSTGRES_POOL_OPTIONS",
    "SQLITE_BUSY_TIMEOUT_MS",
    "apply_sqlite_pragmas",
    "as_utc",
    "create_store_engine",
    "is_memory_sqlite",
    "store_fingerprint",
]

SQLITE_BUSY_TIMEOUT_MS = 10_000


def as_utc(value: dt.datetime) -> dt.datetime:
    """A stored time as an aware UTC one: SQLite returns naive datetimes, which are UTC as stored."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


CONNECT_TIMEOUT_SECONDS = 10
# Per engine (each store of each process has one): 5 kept open plus 10 in bursts, so a gateway
# worker holds at most 15 connections per store; recycled after 30 minutes so a connection pooler
# or firewall that drops idle connections never hands us a dead one (pre-ping checks anyway).
POSTGRES_POOL_OPTIONS: dict[str, Any] = {
    "pool_pre_ping": True,
    "pool_size": 5,
    "max_overflow": 10,
    "pool_timeout": 30,
    "pool_recycle": 1800,
}


def apply_sqlite_pragmas(
    engine: Engine, *, foreign_keys: bool = False, synchronous: Literal["NORMAL", "FULL"] = "NORMAL"
) -> None:
    """Set the pragmas on every new connection of ``engine`` (a no-op for other databases).

    ``synchronous="FULL"`` for a table whose last commit must survive a power cut too (a work queue
    that has acknowledged an event to its sender)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        _switch_to_wal(cursor)
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        if foreign_keys:
            cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _switch_to_wal(cursor: Any) -> None:
    """``PRAGMA journal_mode=WAL``, tried again while another connection holds the file.

    Two processes opening a fresh file at once both try to switch it from the rollback journal to
    WAL; SQLite refuses the loser at once with "database is locked", without calling the busy
    handler (the switch would otherwise deadlock), so the busy timeout does not cover it."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    pause = 0.005
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() >= deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.2)


def create_store_engine(
    url: str, *, foreign_keys: bool = False, synchronous: Literal["NORMAL", "FULL"] = "NORMAL", **engine_options: Any
) -> Engine:
    """An engine for a store URL: a SQLite file's folder is created and the pragmas set; a
    PostgreSQL connection times out after :data:`CONNECT_TIMEOUT_SECONDS`."""
    parsed = make_url(url)
    connect_args: dict[str, Any] = dict(engine_options.pop("connect_args", {}))
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if is_memory_sqlite(parsed):
            engine_options.setdefault("poolclass", StaticPool)
            connect_args.setdefault("check_same_thread", False)
        elif not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
    elif parsed.get_backend_name() == "postgresql":
        connect_args.setdefault("connect_timeout", CONNECT_TIMEOUT_SECONDS)
        if "poolclass" not in engine_options:
            for name, value in POSTGRES_POOL_OPTIONS.items():
                engine_options.setdefault(name, value)
    engine = create_engine(url, future=True, connect_args=connect_args, **engine_options)
    apply_sqlite_pragmas(engine, foreign_keys=foreign_keys, synchronous=synchronous)
    return engine


def is_memory_sqlite(url: str | URL) -> bool:
    """True for a SQLite database that lives in one process's memory (tests): nothing else can see it."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() != "sqlite":
        return False
    database = parsed.database or ""
    return database in ("", ":memory:") or parsed.query.get("mode") == "memory"


def store_fingerprint(url: str) -> str:
    """Tells stores apart without naming them: a hash of the URL with its password left out, for
    files (like the saved index's) that must say which store they belong to but may be copied around."""
    safe = make_url(url).render_as_string(hide_password=True)
    return hashlib.sha256(safe.encode("utf-8")).hexdigest()[:16]
