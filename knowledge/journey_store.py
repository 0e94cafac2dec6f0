"""The journeys in the catalogue's database: the current state in ``journeys``, each change in ``journey_versions``.

Journeys live beside the services they name (migration catalogue 0003), on the catalogue store's own
engine, so one transaction sees both and a SQLite file or PostgreSQL schema holds the whole catalogue.
Every write is checked against the live services (a step naming a service the catalogue lacks is
refused with :class:`knowledge.journeys.UnknownServiceError`) and versioned: an editor who saves over
a version other than the one they opened gets :class:`knowledge.store.StaleVersionError`, as for services.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from knowledge.database import as_utc
from knowledge.journeys import Journey, UnknownServiceError, check_services
from knowledge.schema import LifeEvent
from knowledge.store import CatalogueStore, StaleVersionError

__all__ = [
    "JourneyBase",
    "JourneyExistsError",
    "JourneyNotFoundError",
    "JourneyRecord",
    "JourneyStore",
    "JourneyVersion",
]

logger = logging.getLogger(__name__)

JourneyChange = Literal["create", "update", "delete", "import"]


class JourneyNotFoundError(LookupError):
    """No journey (or no such version of one) with that id."""


class JourneyExistsError(ValueError):
    """Creating a journey whose id is already taken."""


class JourneyBase(DeclarativeBase):
    pass


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class _JourneyRow(JourneyBase):
    __tablename__ = "journeys"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    life_event: Mapped[str] = mapped_column(String(40), index=True)
    data: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    deleted: Mapped[bool] = mapped_column(Boolean, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(120))


class _JourneyVersionRow(JourneyBase):
    __tablename__ = "journey_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    journey_id: Mapped[str] = mapped_column(ForeignKey("journeys.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    change: Mapped[str] = mapped_column(String(16))
    data: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class JourneyRecord:
    """A live journey with the version an editor must name to change it."""

    journey: Journey
    version: int
    updated_at: dt.datetime
    updated_by: str


@dataclass(frozen=True)
class JourneyVersion:
    """One entry of a journey's history."""

    version: int
    change: str
    author: str
    created_at: dt.datetime
    journey: Journey


class JourneyStore:
    """Versioned CRUD over journeys, on the catalogue store's engine (whose opening ran the migrations)."""

    def __init__(self, catalogue: CatalogueStore) -> None:
        self.catalogue = catalogue
        self._sessions = sessionmaker(catalogue.engine, expire_on_commit=False)

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    def _check(self, journey: Journey) -> None:
        check_services(journey, {service.id for service in self.catalogue.list_services()})

    # --- reading -----------------------------------------------------------------

    def count(self) -> int:
        with self._session() as session:
            return session.scalar(select(func.count()).select_from(_JourneyRow).where(~_JourneyRow.deleted)) or 0

    def list_journeys(self, life_event: LifeEvent | None = None) -> list[JourneyRecord]:
        """The live journeys by id, or only those of ``life_event``."""
        query = select(_JourneyRow).where(~_JourneyRow.deleted).order_by(_JourneyRow.id)
        if life_event is not None:
            query = query.where(_JourneyRow.life_event == life_event.value)
        with self._session() as session:
            return [_record(row) for row in session.scalars(query)]

    def get(self, journey_id: str) -> JourneyRecord:
        with self._session() as session:
            row = session.get(_JourneyRow, journey_id)
            if row is None or row.deleted:
                raise JourneyNotFoundError(f"no journey with id {journey_id!r}")
            return _record(row)

    def history(self, journey_id: str) -> list[JourneyVersion]:
        with self._session() as session:
            rows = list(
                session.scalars(
                    select(_JourneyVersionRow)
                    .where(_JourneyVersionRow.journey_id == journey_id)
                    .order_by(_JourneyVersionRow.version)
                )
            )
        if not rows:
            raise JourneyNotFoundError(f"no journey with id {journey_id!r}")
        return [
            JourneyVersion(row.version, row.change, row.author, as_utc(row.created_at), _journey(row.data))
            for row in rows
        ]

    # --- changing ----------------------------------------------------------------

    def create(self, journey: Journey, author: str) -> int:
        self._check(journey)
        with self._session() as session:
            row = session.get(_JourneyRow, journey.id, with_for_update=True)
            if row is not None and not row.deleted:
                raise JourneyExistsError(f"a journey with id {journey.id!r} already exists")
            if row is None:
                row = _JourneyRow(id=journey.id, version=0, deleted=False)
                session.add(row)
            row.deleted = False  # a deleted journey's id may be used again; its history goes on
            return _write(session, row, journey, author, "create")

    def update(self, journey: Journey, author: str, expected_version: int | None = None) -> int:
        self._check(journey)
        with self._session() as session:
            row = self._live_row(session, journey.id, expected_version)
            return _write(session, row, journey, author, "update")

    def delete(self, journey_id: str, author: str, expected_version: int | None = None) -> int:
        with self._session() as session:
            row = self._live_row(session, journey_id, expected_version)
            row.deleted = True
            return _write(session, row, _journey(row.data), author, "delete")

    def import_journeys(self, journeys: Iterable[Journey], author: str) -> dict[str, int]:
        """Create or update many journeys in one transaction; unchanged ones are left alone."""
        wanted = list(journeys)
        for journey in wanted:
            self._check(journey)
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        with self._session() as session:
            for journey in wanted:
                row = session.get(_JourneyRow, journey.id, with_for_update=True)
                if row is not None and not row.deleted and row.data == journey.stored_json():
                    counts["unchanged"] += 1
                    continue
                counts["created" if row is None or row.deleted else "updated"] += 1
                if row is None:
                    row = _JourneyRow(id=journey.id, version=0, deleted=False)
                    session.add(row)
                row.deleted = False
                _write(session, row, journey, author, "import")
        return counts

    def seed_if_empty(self, journeys: Iterable[Journey], author: str = "seed") -> bool:
        """Load ``journeys`` into a store that never had any (deleted ones count: an editor's choice stands).

        A journey naming a service this catalogue lacks (an operator removed it) is left out with a
        warning rather than stopping the others."""
        with self._session() as session:
            if session.scalar(select(func.count()).select_from(_JourneyRow)):
                return False
        known = {service.id for service in self.catalogue.list_services()}
        usable: list[Journey] = []
        for journey in journeys:
            try:
                check_services(journey, known)
            except UnknownServiceError as error:
                logger.warning("not seeding a journey: %s", error)
                continue
            usable.append(journey)
        self.import_journeys(usable, author)
        return True

    def _live_row(self, session: Session, journey_id: str, expected_version: int | None) -> _JourneyRow:
        row = session.get(_JourneyRow, journey_id, with_for_update=True)
        if row is None or row.deleted:
            raise JourneyNotFoundError(f"no journey with id {journey_id!r}")
        if expected_version is not None and expected_version != row.version:
            raise StaleVersionError(
                f"journey {journey_id!r} is at version {row.version}, not {expected_version}; "
                "reload it and apply your change again"
            )
        return row


def _journey(data: str) -> Journey:
    return Journey.model_validate_json(data)


def _record(row: _JourneyRow) -> JourneyRecord:
    return JourneyRecord(_journey(row.data), row.version, as_utc(row.updated_at), row.updated_by)


def _write(session: Session, row: _JourneyRow, journey: Journey, author: str, change: JourneyChange) -> int:
    """Make ``journey`` the row's content as its next version, and record that version."""
    now = _now()
    row.data, row.life_event, row.version = journey.stored_json(), journey.life_event.value, row.version + 1
    row.updated_at, row.updated_by = now, author
    session.flush()
    session.add(
        _JourneyVersionRow(
            journey_id=row.id, version=row.version, change=change, data=row.data, author=author, created_at=now
        )
    )
    return row.version
