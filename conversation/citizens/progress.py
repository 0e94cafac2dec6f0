"""A citizen's journeys: which they follow, from which day, which steps they ticked, and saved services.

Tables ``journey_starts`` (a journey followed, with the day of the life event its deadlines count
from), ``journey_progress`` (one row per step ticked done; unticking deletes it) and
``saved_services``. Every write needs the ``profile`` consent first (:class:`ConsentRequiredError`,
nothing written): progress says something about the citizen's life (a birth, a death in the family).

Ticking a step of a journey not started yet starts it (without an event date): the citizen who ticks
"done" wants the journey followed. Ids are not checked here (the handler knows the catalogue); the
book only keeps what it is told, keyed by the citizen id so linked conversations share it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, insert, select, update

from conversation.citizens.consents import ConsentBook
from conversation.citizens.models import journey_progress, journey_starts, saved_services
from knowledge.database import as_utc

__all__ = ["JourneyProgress", "JourneyProgressBook", "SavedService"]


@dataclass(frozen=True)
class JourneyProgress:
    """One journey a citizen follows."""

    journey_id: str
    event_date: dt.date | None  # the day of the life event; None when the citizen did not say
    done: frozenset[str]  # service ids of the steps ticked done
    started_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True)
class SavedService:
    service_id: str
    saved_at: dt.datetime


class JourneyProgressBook:
    """Journey progress and saved services of citizens, behind the ``profile`` consent."""

    def __init__(self, engine: Engine, consents: ConsentBook) -> None:
        self.engine = engine
        self.consents = consents

    # --- journeys ------------------------------------------------------------------

    def start(self, citizen_id: str, journey_id: str, event_date: dt.date | None, *, now: dt.datetime) -> None:
        """Follow ``journey_id`` from ``event_date``; starting again changes the date and keeps the ticks."""
        self.consents.require(citizen_id, "profile")
        with self.engine.begin() as connection:
            if not _touch(connection, citizen_id, journey_id, now, event_date=event_date, set_date=True):
                connection.execute(
                    insert(journey_starts).values(
                        citizen_id=citizen_id,
                        journey_id=journey_id,
                        event_date=event_date,
                        started_at=now,
                        updated_at=now,
                    )
                )

    def tick(self, citizen_id: str, journey_id: str, service_id: str, done: bool, *, now: dt.datetime) -> None:
        """Mark a step done (or not done again); ticking a journey not started starts it without a date."""
        self.consents.require(citizen_id, "profile")
        with self.engine.begin() as connection:
            if not _touch(connection, citizen_id, journey_id, now):
                connection.execute(
                    insert(journey_starts).values(
                        citizen_id=citizen_id, journey_id=journey_id, event_date=None, started_at=now, updated_at=now
                    )
                )
            step = (
                journey_progress.c.citizen_id == citizen_id,
                journey_progress.c.journey_id == journey_id,
                journey_progress.c.service_id == service_id,
            )
            connection.execute(delete(journey_progress).where(*step))
            if done:
                connection.execute(
                    insert(journey_progress).values(
                        citizen_id=citizen_id, journey_id=journey_id, service_id=service_id, done_at=now
                    )
                )

    def progress(self, citizen_id: str, journey_id: str) -> JourneyProgress | None:
        """The citizen's progress on one journey, or None when they do not follow it."""
        found = self._progress(citizen_id, journey_id)
        return found[0] if found else None

    def journeys_of(self, citizen_id: str) -> list[JourneyProgress]:
        """Every journey the citizen follows, the one touched last first."""
        return self._progress(citizen_id, None)

    def stop(self, citizen_id: str, journey_id: str) -> bool:
        """Stop following a journey and forget its ticks (needs no consent: it only erases)."""
        with self.engine.begin() as connection:
            connection.execute(
                delete(journey_progress).where(
                    journey_progress.c.citizen_id == citizen_id, journey_progress.c.journey_id == journey_id
                )
            )
            result = connection.execute(
                delete(journey_starts).where(
                    journey_starts.c.citizen_id == citizen_id, journey_starts.c.journey_id == journey_id
                )
            )
        return bool(result.rowcount)

    def _progress(self, citizen_id: str, journey_id: str | None) -> list[JourneyProgress]:
        starts = select(journey_starts).where(journey_starts.c.citizen_id == citizen_id)
        ticks = select(journey_progress.c.journey_id, journey_progress.c.service_id).where(
            journey_progress.c.citizen_id == citizen_id
        )
        if journey_id is not None:
            starts = starts.where(journey_starts.c.journey_id == journey_id)
            ticks = ticks.where(journey_progress.c.journey_id == journey_id)
        with self.engine.connect() as connection:
            rows = connection.execute(starts).all()
            done: dict[str, set[str]] = {}
            for journey, service in connection.execute(ticks).all():
                done.setdefault(str(journey), set()).add(str(service))
        found = [
            JourneyProgress(
                journey_id=str(row.journey_id),
                event_date=row.event_date,
                done=frozenset(done.get(str(row.journey_id), set())),
                started_at=as_utc(row.started_at),
                updated_at=as_utc(row.updated_at),
            )
            for row in rows
        ]
        return sorted(found, key=lambda item: (item.updated_at, item.journey_id), reverse=True)

    # --- saved services ----------------------------------------------------------

    def save_service(self, citizen_id: str, service_id: str, *, now: dt.datetime) -> bool:
        """Keep a service on the citizen's list; False when it was already there."""
        self.consents.require(citizen_id, "profile")
        with self.engine.begin() as connection:
            exists = connection.execute(
                select(saved_services.c.service_id).where(
                    saved_services.c.citizen_id == citizen_id, saved_services.c.service_id == service_id
                )
            ).first()
            if exists is not None:
                return False
            connection.execute(
                insert(saved_services).values(citizen_id=citizen_id, service_id=service_id, saved_at=now)
            )
        return True

    def unsave_service(self, citizen_id: str, service_id: str) -> bool:
        """Take a service off the list (needs no consent: it only erases); False when it was not there."""
        with self.engine.begin() as connection:
            result = connection.execute(
                delete(saved_services).where(
                    saved_services.c.citizen_id == citizen_id, saved_services.c.service_id == service_id
                )
            )
        return bool(result.rowcount)

    def saved_services(self, citizen_id: str) -> list[SavedService]:
        """The citizen's saved services, the one saved last first."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(saved_services)
                .where(saved_services.c.citizen_id == citizen_id)
                .order_by(saved_services.c.saved_at.desc(), saved_services.c.service_id)
            ).all()
        return [SavedService(str(row.service_id), as_utc(row.saved_at)) for row in rows]

    # --- erasure -----------------------------------------------------------------

    def forget(self, citizen_id: str) -> int:
        """Erase every journey, tick and saved service of the citizen; the number of rows erased."""
        erased = 0
        with self.engine.begin() as connection:
            for table in (journey_progress, journey_starts, saved_services):
                result = connection.execute(delete(table).where(table.c.citizen_id == citizen_id))
                erased += int(result.rowcount or 0)
        return erased


def _touch(
    connection: Connection,
    citizen_id: str,
    journey_id: str,
    now: dt.datetime,
    *,
    event_date: dt.date | None = None,
    set_date: bool = False,
) -> bool:
    """Mark a followed journey as changed now (and set its event date); False when it is not followed."""
    values: dict[str, object] = {"updated_at": now}
    if set_date:
        values["event_date"] = event_date
    result = connection.execute(
        update(journey_starts)
        .where(journey_starts.c.citizen_id == citizen_id, journey_starts.c.journey_id == journey_id)
        .values(**values)
    )
    return bool(result.rowcount)
