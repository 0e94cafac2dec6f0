"""The catalogue store: services in SQL, every change kept as a version.

SQLite by default, PostgreSQL by URL in production (``postgresql+psycopg://``), through the same
code; the tables come from migrations (knowledge/migrations). The current
state of a service lives in ``services``; ``service_versions`` keeps each
change with who made it, when, and which fields changed, so an editor can see
the history and restore any earlier version. Drafts (knowledge/drafts.py) live in their own
table beside these: the bot never reads them until a reviewer publishes one here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    event,
    func,
    select,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from knowledge import drafts
from knowledge.database import create_store_engine
from knowledge.drafts import DRAFT_STATES, OPEN_STATES, Draft, DraftState
from knowledge.migrations.runner import upgrade
from knowledge.schema import Service

__all__ = [
    "NOTIFY_CHANNEL_SQL",
    "CatalogueChanges",
    "CatalogueStore",
    "ChangeKind",
    "ServiceExistsError",
    "ServiceNotFoundError",
    "StaleVersionError",
    "VersionRecord",
]

ChangeKind = Literal["create", "update", "delete", "restore", "import", "publish"]


class ServiceNotFoundError(LookupError):
    """No service (or no such version) with that id."""


class ServiceExistsError(ValueError):
    """Creating a service whose id is already taken."""


class StaleVersionError(ValueError):
    """An editor saved over a newer version than the one they opened."""


class _Base(DeclarativeBase):
    pass


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class _ServiceRow(_Base):
    __tablename__ = "services"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    data: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_by: Mapped[str] = mapped_column(String(120))


class _VersionRow(_Base):
    __tablename__ = "service_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    change: Mapped[str] = mapped_column(String(16))
    data: Mapped[str] = mapped_column(Text)
    changed_fields: Mapped[str] = mapped_column(Text, default="[]")
    author: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


@dataclass(frozen=True)
class VersionRecord:
    """One entry of a service's history, as an editor sees it."""

    service_id: str
    version: int
    change: str
    author: str
    created_at: dt.datetime
    changed_fields: list[str]
    service: Service


@dataclass(frozen=True)
class CatalogueChanges:
    """What changed after a revision, as of ``revision``: the services to index again and the ids to drop."""

    revision: int
    services: dict[str, Service]
    removed: frozenset[str]


def _changed_fields(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    if old is None:
        return sorted(new)
    return sorted(key for key in set(old) | set(new) if old.get(key) != new.get(key))


def _sqlite_begin_immediate(engine: Engine) -> None:
    """BEGIN IMMEDIATE so two editors never both read version N and both write N+1: SQLite has no
    SELECT ... FOR UPDATE. (WAL, synchronous and the busy timeout: knowledge.database.)"""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


# PostgreSQL channel of "the catalogue changed", one per schema (databases or schemas never hear each other).
NOTIFY_CHANNEL_SQL = "'citizenbot_catalogue_' || current_schema()"


class CatalogueStore:
    """Versioned CRUD over the catalogue; safe to share between threads."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_store_engine(url, foreign_keys=True)
        if self.engine.dialect.name == "sqlite":
            _sqlite_begin_immediate(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # The schema comes from migrations (knowledge/migrations, ADR 0009), never create_all:
        # a no-op when current, and a clear MigrationError when the database is newer than the code.
        upgrade(self.engine, "catalogue")

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        """A write transaction; writers take turns, so version ids (the revision) grow in commit order.

        SQLite already runs one writer at a time (BEGIN IMMEDIATE). PostgreSQL hands out ids before
        commit, so two overlapping writers could commit ids out of order and a reader that saw the
        later id would skip the earlier one; the table lock (readers are not blocked) prevents that.
        """
        with self._session() as session:
            if self.engine.dialect.name == "postgresql":
                session.execute(text("LOCK TABLE service_versions IN EXCLUSIVE MODE"))
            yield session
            if self.engine.dialect.name == "postgresql":
                # Delivered at commit (never after a rollback): other gateways catch up at once
                # instead of at their next poll (gateway/revision_watcher.py).
                session.execute(text(f"SELECT pg_notify({NOTIFY_CHANNEL_SQL}, '')"))

    # --- reading -----------------------------------------------------------------

    def count(self) -> int:
        with self._session() as session:
            return session.scalar(select(func.count()).select_from(_ServiceRow).where(~_ServiceRow.deleted)) or 0

    def revision(self) -> int:
        """A number that grows with every change: the search index compares it to know if it is stale."""
        with self._session() as session:
            return session.scalar(select(func.max(_VersionRow.id))) or 0

    def changes_since(self, revision: int) -> CatalogueChanges:
        """Every service changed after ``revision``, in its current state, and the store's revision now.

        A search index that applied ``revision`` applies these and is up to date. That holds because
        version ids grow in commit order: writers take turns (see :meth:`_writing`).
        """
        with self._session() as session:
            current = session.scalar(select(func.max(_VersionRow.id))) or 0
            if current <= revision:
                return CatalogueChanges(current, {}, frozenset())
            changed = select(_VersionRow.service_id).where(_VersionRow.id > revision, _VersionRow.id <= current)
            rows = list(session.scalars(select(_ServiceRow).where(_ServiceRow.id.in_(changed.distinct()))))
        services = {row.id: Service.model_validate_json(row.data) for row in rows if not row.deleted}
        return CatalogueChanges(current, services, frozenset(row.id for row in rows if row.deleted))

    def list_services(self) -> list[Service]:
        with self._session() as session:
            rows = session.scalars(select(_ServiceRow).where(~_ServiceRow.deleted).order_by(_ServiceRow.id))
            return [Service.model_validate_json(row.data) for row in rows]

    def get(self, service_id: str) -> Service:
        with self._session() as session:
            row = session.get(_ServiceRow, service_id)
            if row is None or row.deleted:
                raise ServiceNotFoundError(f"no service with id {service_id!r}")
            return Service.model_validate_json(row.data)

    def current_version(self, service_id: str) -> int:
        with self._session() as session:
            row = session.get(_ServiceRow, service_id)
            if row is None:
                raise ServiceNotFoundError(f"no service with id {service_id!r}")
            return row.version

    def history(self, service_id: str) -> list[VersionRecord]:
        with self._session() as session:
            rows = list(
                session.scalars(
                    select(_VersionRow).where(_VersionRow.service_id == service_id).order_by(_VersionRow.version)
                )
            )
        if not rows:
            raise ServiceNotFoundError(f"no service with id {service_id!r}")
        return [
            VersionRecord(
                service_id=row.service_id,
                version=row.version,
                change=row.change,
                author=row.author,
                created_at=row.created_at,
                changed_fields=json.loads(row.changed_fields),
                service=Service.model_validate_json(row.data),
            )
            for row in rows
        ]

    def service_version(self, service_id: str, version: int) -> Service:
        """One version of a service as it was recorded (for a diff between any two)."""
        with self._session() as session:
            row = session.scalar(
                select(_VersionRow).where(_VersionRow.service_id == service_id, _VersionRow.version == version)
            )
            if row is None:
                raise ServiceNotFoundError(f"service {service_id!r} has no version {version}")
            return Service.model_validate_json(row.data)

    # --- changing ----------------------------------------------------------------

    def _record(
        self, session: Session, row: _ServiceRow, change: ChangeKind, author: str, old: dict[str, Any] | None
    ) -> None:
        new = json.loads(row.data)
        session.add(
            _VersionRow(
                service_id=row.id,
                version=row.version,
                change=change,
                data=row.data,
                changed_fields=json.dumps(_changed_fields(old, new) if change != "delete" else []),
                author=author,
                created_at=row.updated_at,
            )
        )

    def create(self, service: Service, author: str) -> int:
        with self._writing() as session:
            return self._create_row(session, service, author, "create")

    def _create_row(self, session: Session, service: Service, author: str, change: ChangeKind) -> int:
        row = session.get(_ServiceRow, service.id, with_for_update=True)
        if row is not None and not row.deleted:
            raise ServiceExistsError(f"a service with id {service.id!r} already exists")
        if row is None:
            row = _ServiceRow(id=service.id, version=0, deleted=False, data="{}", updated_by=author)
            session.add(row)
            session.flush()
            old = None
        else:
            old = json.loads(row.data)
        row.data, row.version, row.deleted = service.stored_json(), row.version + 1, False
        row.updated_at, row.updated_by = _now(), author
        self._record(session, row, change, author, old)
        return row.version

    def update(self, service: Service, author: str, expected_version: int | None = None) -> int:
        with self._writing() as session:
            return self._update_row(session, service, author, expected_version, "update")

    def _update_row(
        self, session: Session, service: Service, author: str, expected_version: int | None, change: ChangeKind
    ) -> int:
        row = session.get(_ServiceRow, service.id, with_for_update=True)
        if row is None or row.deleted:
            raise ServiceNotFoundError(f"no service with id {service.id!r}")
        if expected_version is not None and expected_version != row.version:
            raise StaleVersionError(
                f"service {service.id!r} is at version {row.version}, not {expected_version}; "
                "reload it and apply your change again"
            )
        old = json.loads(row.data)
        row.data, row.version = service.stored_json(), row.version + 1
        row.updated_at, row.updated_by = _now(), author
        self._record(session, row, change, author, old)
        return row.version

    def delete(self, service_id: str, author: str) -> int:
        with self._writing() as session:
            row = session.get(_ServiceRow, service_id, with_for_update=True)
            if row is None or row.deleted:
                raise ServiceNotFoundError(f"no service with id {service_id!r}")
            row.deleted, row.version = True, row.version + 1
            row.updated_at, row.updated_by = _now(), author
            self._record(session, row, "delete", author, None)
            return row.version

    def restore(self, service_id: str, version: int, author: str) -> Service:
        """Make an earlier version current again (also undeletes); recorded as a new version."""
        with self._writing() as session:
            row = session.get(_ServiceRow, service_id, with_for_update=True)
            if row is None:
                raise ServiceNotFoundError(f"no service with id {service_id!r}")
            old_row = session.scalar(
                select(_VersionRow).where(_VersionRow.service_id == service_id, _VersionRow.version == version)
            )
            if old_row is None:
                raise ServiceNotFoundError(f"service {service_id!r} has no version {version}")
            old = json.loads(row.data)
            row.data, row.deleted, row.version = old_row.data, False, row.version + 1
            row.updated_at, row.updated_by = _now(), author
            self._record(session, row, "restore", author, old)
            return Service.model_validate_json(row.data)

    def import_services(self, services: Iterable[Service], author: str) -> dict[str, int]:
        """Create or update many services in one transaction; unchanged ones are left alone."""
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        with self._writing() as session:
            for service in services:
                data = service.stored_json()
                row = session.get(_ServiceRow, service.id, with_for_update=True)
                if row is not None and not row.deleted and row.data == data:
                    counts["unchanged"] += 1
                    continue
                old = None if row is None or row.deleted else json.loads(row.data)
                if row is None:
                    row = _ServiceRow(id=service.id, version=0, data="{}", updated_by=author, deleted=False)
                    session.add(row)
                    session.flush()
                counts["created" if old is None else "updated"] += 1
                row.data, row.deleted, row.version = data, False, row.version + 1
                row.updated_at, row.updated_by = _now(), author
                self._record(session, row, "import", author, old)
        return counts

    def seed_if_empty(self, services: Iterable[Service], author: str = "seed") -> bool:
        with self._session() as session:
            if session.scalar(select(func.count()).select_from(_ServiceRow)):
                return False
        self.import_services(services, author)
        return True

    # --- drafts (knowledge/drafts.py): never read by the bot until published -------

    def _live_version(self, session: Session, service_id: str) -> int | None:
        row = session.get(_ServiceRow, service_id)
        return None if row is None or row.deleted else row.version

    def create_draft(self, service: Service, author: str, expected_base_version: int | None = None) -> Draft:
        """Start a draft of ``service`` (an existing one or a new id), based on the live version now.

        ``expected_base_version``: the live version the editor opened; refused with StaleVersionError if
        the live service moved on since. DraftExistsError when the service already has an open draft."""
        with self._writing() as session:
            base = self._live_version(session, service.id)
            if expected_base_version is not None and expected_base_version != base:
                raise StaleVersionError(
                    f"service {service.id!r} is at version {base}, not {expected_base_version}; "
                    "reload it and start the draft again"
                )
            return drafts.to_draft(drafts.new_row(session, service, author, base))

    def get_draft(self, draft_id: int) -> Draft:
        with self._session() as session:
            row = session.get(drafts.DraftRow, draft_id)
            if row is None:
                raise drafts.DraftNotFoundError(draft_id=draft_id)
            return drafts.to_draft(row)

    def list_drafts(self, service_id: str | None = None, states: Iterable[DraftState] = OPEN_STATES) -> list[Draft]:
        """Drafts in ``states`` (the open ones by default), the most recently changed first."""
        wanted = [state for state in states if state in DRAFT_STATES]
        with self._session() as session:
            return [drafts.to_draft(row) for row in drafts.list_rows(session, service_id, wanted)]

    def save_draft(self, draft_id: int, service: Service, author: str, expected_version: int) -> Draft:
        """Replace the draft's content if nobody saved it since ``expected_version`` (else DraftStaleError)."""
        with self._writing() as session:
            row = drafts.row_for_update(session, draft_id)
            drafts.save(row, service, author, expected_version)
            return drafts.to_draft(row)

    def submit_draft(self, draft_id: int, author: str, expected_version: int | None = None) -> Draft:
        with self._writing() as session:
            row = drafts.row_for_update(session, draft_id)
            drafts.submit(row, author, expected_version)
            return drafts.to_draft(row)

    def return_draft(self, draft_id: int, reviewer: str, comment: str, expected_version: int | None = None) -> Draft:
        """Send a submitted draft back to its editors with ``comment``; the reviewer must not have written it."""
        with self._writing() as session:
            row = drafts.row_for_update(session, draft_id)
            drafts.give_back(row, reviewer, comment, expected_version)
            return drafts.to_draft(row)

    def rebase_draft(self, draft_id: int, author: str, expected_version: int | None = None) -> Draft:
        """Base the draft on the live version now (after a DraftConflictError), keeping its content;
        it must be submitted again. Publishing it then replaces whatever the live service says."""
        with self._writing() as session:
            row = drafts.row_for_update(session, draft_id)
            drafts.rebase(row, author, self._live_version(session, row.service_id), expected_version)
            return drafts.to_draft(row)

    def discard_draft(self, draft_id: int, author: str, expected_version: int | None = None) -> Draft:
        with self._writing() as session:
            row = drafts.row_for_update(session, draft_id)
            drafts.discard(row, author, expected_version)
            return drafts.to_draft(row)

    def publish_draft(self, draft_id: int, reviewer: str, expected_version: int | None = None) -> Draft:
        """Make a submitted draft the live service, in one transaction with the draft's new state.

        Written as a new live version (change ``publish``, by the draft's author; the reviewer is on the
        draft and in the audit log) through the same path as an update, so the revision moves on and
        every search catches up. Refused with DraftConflictError (or its kinds DraftIdTakenError,
        LiveDeletedError) when the live service is no longer at
        the draft's base version: publishing would silently undo that change."""
        with self._writing() as session:
            row = drafts.row_for_update(session, draft_id)
            drafts.check_reviewer(row, reviewer, expected_version, "published")
            live = self._live_version(session, row.service_id)
            if live != row.base_version:
                raise drafts.conflict(row.service_id, row.base_version, live)
            service = drafts.content(row)
            if live is None:
                version = self._create_row(session, service, row.author, "publish")
            else:
                version = self._update_row(session, service, row.author, live, "publish")
            drafts.mark_published(row, reviewer, version)
            return drafts.to_draft(row)
