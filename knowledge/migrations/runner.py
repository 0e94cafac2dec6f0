"""Upgrade a store's database to the code's schema: one lock, one transaction, a clear error when it is newer.

Each store (:data:`STORES`) has its own Alembic script directory and version table, so several
stores can share one database (the LINE queue lives beside the catalogue). :func:`upgrade` is what
the stores call when they open and what ``citizenbot migrate`` calls for every configured store.

Two processes may start at once (several gateway replicas on one PostgreSQL, two workers on one
SQLite file): the migration runs in one transaction under a lock, PostgreSQL's transaction-level
advisory lock or SQLite's write lock (``BEGIN IMMEDIATE``), so the second waits, then finds the
schema current and does nothing. PostgreSQL's DDL is transactional: a failed migration leaves the
database as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from knowledge.database import create_store_engine, is_memory_sqlite

__all__ = [
    "STORES",
    "MigrationError",
    "MigrationResult",
    "StoreMigrations",
    "UnknownRevisionError",
    "current_revision",
    "head_revision",
    "upgrade",
]

logger = logging.getLogger(__name__)
if logging.getLogger("alembic").level == logging.NOTSET:
    # Alembic says "Context impl SQLiteImpl" each time a store opens; the line this module logs says what
    # happened. An operator who sets Alembic's own level keeps it.
    logging.getLogger("alembic").setLevel(logging.WARNING)

_HERE = Path(__file__).resolve().parent
# pg_advisory_xact_lock key: one for every store of a database ("citizenbot" read as digits).
_POSTGRES_LOCK_KEY = 0x636974697A656E62


@dataclass(frozen=True)
class StoreMigrations:
    """Where a store's revisions live, which table records its revision, and what it creates."""

    name: str
    directory: Path
    version_table: str
    tables: tuple[str, ...]  # what ``create_all`` made before migrations: how such a database is recognised


STORES: dict[str, StoreMigrations] = {
    spec.name: spec
    for spec in (
        StoreMigrations(
            "catalogue", _HERE / "catalogue", "alembic_version_catalogue", ("services", "service_versions")
        ),
        StoreMigrations(
            "citizens",
            _HERE / "citizens",
            "alembic_version_citizens",
            (
                "citizen_senders",
                "link_codes",
                "consents",
                "profiles",
                "journey_starts",
                "journey_progress",
                "saved_services",
                "reminders",
                "citizen_prompts",
                "link_attempts",
            ),
        ),
        StoreMigrations(
            "conversations",
            _HERE / "conversations",
            "alembic_version_conversations",
            ("handoff_requests", "feedback", "conversation_activity"),
        ),
        StoreMigrations("line_queue", _HERE / "line_queue", "alembic_version_line_queue", ("line_event_queue",)),
        StoreMigrations(
            "reports",
            _HERE / "reports",
            "alembic_version_reports",
            ("reports", "report_status_history", "report_notices", "report_routes", "report_drafts"),
        ),
        StoreMigrations(
            "staff",
            _HERE / "staff",
            "alembic_version_staff",
            ("staff_accounts", "staff_sessions", "staff_api_tokens", "staff_audit_log"),
        ),
    )
}


class MigrationError(RuntimeError):
    """The store's database cannot be brought to this code's schema; the message says what to do."""


class UnknownRevisionError(MigrationError):
    """The database was migrated by a newer release than this one (a revision this code does not know)."""


@dataclass(frozen=True)
class MigrationResult:
    """What :func:`upgrade` did to one store."""

    store: str
    url: str  # password hidden
    before: str | None  # None: no version table (an empty database, or one from before migrations)
    after: str
    adopted: bool  # tables made before migrations were found and taken over

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def describe(self) -> str:
        """One line for an operator."""
        if not self.changed:
            return f"{self.store}: up to date at revision {self.after} ({self.url})"
        if self.adopted:
            how = f"took over the tables made before migrations and upgraded to revision {self.after}"
        elif self.before is None:
            how = f"created the schema at revision {self.after}"
        else:
            how = f"upgraded from revision {self.before} to {self.after}"
        return f"{self.store}: {how} ({self.url})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "url": self.url,
            "before": self.before,
            "after": self.after,
            "adopted": self.adopted,
            "changed": self.changed,
        }


def _spec(store: str) -> StoreMigrations:
    try:
        return STORES[store]
    except KeyError:
        raise ValueError(f"unknown store {store!r}; known: {', '.join(sorted(STORES))}") from None


def _config(spec: StoreMigrations) -> Config:
    config = Config()
    config.set_main_option("script_location", str(spec.directory))
    return config


@cache
def _script(store: str) -> ScriptDirectory:
    return ScriptDirectory.from_config(_config(_spec(store)))


def head_revision(store: str) -> str:
    """The revision this code's schema of ``store`` is at."""
    head = _script(store).get_current_head()
    if head is None:  # a store without revisions is a packaging mistake
        raise MigrationError(f"no migrations found for the {store} store in {_spec(store).directory}")
    return head


def _safe(url: URL) -> str:
    return url.render_as_string(hide_password=True)


@contextmanager
def _locked(target: str | Engine, *, lock: bool = True) -> Iterator[Connection]:
    """A connection in a transaction that holds the migration lock (unless ``lock`` is off: a look
    only), committed when the block ends.

    An in-memory SQLite database exists only behind the store's own engine, so that engine is used;
    anything else gets a short-lived engine of its own (one connection, no pool)."""
    url = make_url(target) if isinstance(target, str) else target.url
    if isinstance(target, Engine) and is_memory_sqlite(url):
        with target.begin() as connection:
            yield connection
        return
    engine = create_store_engine(url.render_as_string(hide_password=False), poolclass=NullPool)
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:

        @event.listens_for(engine, "connect")
        def _autocommit(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # we issue BEGIN IMMEDIATE ourselves

    try:
        with engine.connect() as connection:
            if lock and sqlite:
                connection.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock, held to the commit
            elif lock and engine.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _POSTGRES_LOCK_KEY})
            yield connection
            connection.commit()
    finally:
        engine.dispose()


def _current(connection: Connection, spec: StoreMigrations) -> str | None:
    context = MigrationContext.configure(connection, opts={"version_table": spec.version_table})
    heads = context.get_current_heads()
    if len(heads) > 1:
        raise MigrationError(f"the {spec.name} store records several revisions ({', '.join(heads)}); fix it by hand")
    return heads[0] if heads else None


def _check_known(revision: str | None, spec: StoreMigrations, url: URL) -> None:
    if revision is None:
        return
    known = {script.revision for script in _script(spec.name).walk_revisions()}
    if revision not in known:
        raise UnknownRevisionError(
            f"the {spec.name} store ({_safe(url)}) is at revision {revision!r}, which this release does not know: "
            f"a newer release migrated it (this one knows up to {head_revision(spec.name)}). Run the newer "
            "release, or restore the backup taken before that upgrade (docs/runbook-database.md)."
        )


def current_revision(target: str | Engine, store: str) -> str | None:
    """The revision recorded in the database (None when it has no version table yet)."""
    spec = _spec(store)
    with _locked(target, lock=False) as connection:
        return _current(connection, spec)


def upgrade(target: str | Engine, store: str) -> MigrationResult:
    """Bring ``store``'s tables in the database at ``target`` (a URL or the store's engine) to this code's schema.

    Raises :class:`UnknownRevisionError` when the database is newer than the code, and
    :class:`MigrationError` (with the cause chained) when a migration fails."""
    spec = _spec(store)
    head = head_revision(store)
    url = make_url(target) if isinstance(target, str) else target.url
    try:
        return _upgrade(target, spec, head, url)
    except SQLAlchemyError as error:  # unreachable, refused, no such database: say which store and where
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise MigrationError(f"migrating the {store} store ({_safe(url)}) failed: {reason}") from error


def _upgrade(target: str | Engine, spec: StoreMigrations, head: str, url: URL) -> MigrationResult:
    store = spec.name
    # A look without the lock first: a store opening on a current schema (nearly always) neither takes
    # SQLite's write lock nor queues behind another replica's migration that has nothing to do with it.
    with _locked(target, lock=False) as connection:
        before = _current(connection, spec)
    _check_known(before, spec, url)
    if before == head:
        return MigrationResult(store, _safe(url), before, head, adopted=False)
    with _locked(target) as connection:
        before = _current(connection, spec)  # again under the lock: another process may have migrated
        _check_known(before, spec, url)
        if before == head:
            return MigrationResult(store, _safe(url), before, head, adopted=False)
        adopted = before is None and any(inspect(connection).has_table(table) for table in spec.tables)
        config = _config(spec)
        config.attributes["connection"] = connection
        try:
            command.upgrade(config, "head")
        except Exception as error:
            raise MigrationError(f"migrating the {store} store ({_safe(url)}) failed: {error}") from error
        after = _current(connection, spec) or head
    result = MigrationResult(store, _safe(url), before, after, adopted)
    logger.info("%s", result.describe())
    return result
