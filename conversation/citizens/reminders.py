"""Reminders a citizen opted into (table ``reminders``), and when each one is due.

Two kinds. ``journey_deadline``: a step of a journey the citizen follows has a deadline the law sets
("แจ้งเกิดภายใน 15 วัน"), counted from the event date the citizen gave (table ``journey_starts``).
``document_expiry``: the citizen's driving licence, ID card or passport expires on a day they typed;
the reminder names the renewal service. Adding one needs the ``reminders`` consent; nothing is
written without it (:class:`ConsentRequiredError`).

Sending is the scheduler's (conversation/citizens/scheduler.py). A reminder is *claimed* before it is
sent: a conditional UPDATE sets ``claimed_until`` (a lease) only while the row is still free, so two
gateway replicas on one database never both hold it, on PostgreSQL and on SQLite alike (the way the
report notices are claimed, conversation/reports/store.py). A replica that dies while sending leaves
the lease to run out, and the next round of any replica claims the row again. A failed send waits a
growing back-off, until ``max_attempts``; then the reminder is ``failed`` and never tried again.

Statuses: ``pending`` (waiting for its time, or for a retry), ``ready`` (due for a web-only citizen:
waiting for the widget to fetch it, channels/web/reminder_notices_api.py), ``sent``, ``cancelled``
(by the citizen), ``skipped`` (not wanted any more when due: the step was ticked done, or the consent
withdrawn), ``failed``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, RowMapping, and_, delete, insert, select, update

from conversation.citizens.consents import ConsentBook
from conversation.citizens.models import journey_progress, journey_starts, reminders
from knowledge.database import as_utc

__all__ = [
    "BANGKOK",
    "JOURNEY_LEAD",
    "KINDS",
    "Kind",
    "Reminder",
    "ReminderBook",
    "ReminderInPastError",
    "deadline_reminder_due",
    "event_start",
    "expiry_reminder_due",
]

Kind = Literal["journey_deadline", "document_expiry"]
KINDS: tuple[str, ...] = get_args(Kind)
BANGKOK = ZoneInfo("Asia/Bangkok")

# A journey step's reminder comes a day before its deadline: a day leaves time to go to the office
# (district offices close in the evening and at weekends less often than a shorter lead would need),
# and it is still close enough that the citizen has not forgotten it again. A deadline less than a
# day away (a death is notified within 24 hours) is reminded at once: later would be too late.
JOURNEY_LEAD = dt.timedelta(days=1)
# A document-expiry reminder comes at 09:00 Bangkok time: offices are open, and nobody is woken by it.
EXPIRY_HOUR = 9
_BACKOFF_SECONDS = 60.0  # the first retry after a failed send; doubled each time, at most _BACKOFF_MAX
_BACKOFF_MAX = dt.timedelta(hours=6)
_OPEN = ("pending", "ready")


class ReminderInPastError(ValueError):
    """The reminder's time has already passed: it is not added."""

    def __init__(self, due_at: dt.datetime) -> None:
        super().__init__(f"the reminder time {due_at.isoformat()} has already passed")
        self.due_at = due_at


@dataclass(frozen=True)
class Reminder:
    id: int
    citizen_id: str
    kind: str
    subject: str  # the journey id, or the renewal service's id
    # journey: service, deadline_at, step, journey; expiry: document, expires_on, service_title; both: title
    detail: dict[str, Any]
    language: str
    due_at: dt.datetime
    status: str
    attempts: int
    created_at: dt.datetime
    sent_at: dt.datetime | None = None
    last_error: str | None = None

    @property
    def key(self) -> str:
        """What makes two reminders the same one: a journey's step, or the document."""
        return str(self.detail.get("service", "")) if self.kind == "journey_deadline" else ""

    def to_dict(self) -> dict[str, Any]:
        """For the citizen's export and the dashboard."""
        return {
            "kind": self.kind,
            "subject": self.subject,
            "detail": dict(self.detail),
            "language": self.language,
            "due_at": self.due_at.isoformat(),
            "status": self.status,
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
        }


def _utc(when: dt.datetime) -> dt.datetime:
    """Every stored time is UTC: SQLite compares them as text."""
    if when.tzinfo is None:
        raise ValueError("a reminder time must carry its time zone")
    return when.astimezone(dt.UTC)


def _reminder(row: RowMapping) -> Reminder:
    sent = row["sent_at"]
    return Reminder(
        id=int(row["id"]),
        citizen_id=str(row["citizen_id"]),
        kind=str(row["kind"]),
        subject=str(row["subject"]),
        detail=json.loads(row["detail"] or "{}"),
        language=str(row["language"]),
        due_at=as_utc(row["due_at"]),
        status=str(row["status"]),
        attempts=int(row["attempts"] or 0),
        created_at=as_utc(row["created_at"]),
        sent_at=as_utc(sent) if sent is not None else None,
        last_error=row["last_error"],
    )


def event_start(event_date: dt.date) -> dt.datetime:
    """When a deadline counts from, for an event the citizen gave as a day: that day's first moment in
    Bangkok. The earliest the event can have been, so the deadline reminded of is never later than the law's."""
    return dt.datetime.combine(event_date, dt.time(0, 0), tzinfo=BANGKOK).astimezone(dt.UTC)


def deadline_reminder_due(deadline_at: dt.datetime, now: dt.datetime) -> dt.datetime | None:
    """When to remind of a step due at ``deadline_at``: :data:`JOURNEY_LEAD` before, or at once when
    less is left; None when the deadline has passed (a reminder would only say it is too late)."""
    if deadline_at <= now:
        return None
    return max(now, deadline_at - JOURNEY_LEAD)


def expiry_reminder_due(expires_on: dt.date, days_before: int, now: dt.datetime) -> dt.datetime | None:
    """When to remind of a document expiring on ``expires_on``: ``days_before`` days before, at 09:00
    Bangkok time. Told later than that (it expires sooner), at the next 09:00, or at once on its last
    day. None once it has expired (renewing is then said straight away, not reminded)."""
    last_moment = dt.datetime.combine(expires_on, dt.time(23, 59), tzinfo=BANGKOK)
    if last_moment <= now:
        return None
    wanted = dt.datetime.combine(expires_on - dt.timedelta(days=days_before), dt.time(EXPIRY_HOUR), tzinfo=BANGKOK)
    if wanted > now:
        return wanted.astimezone(dt.UTC)
    local = now.astimezone(BANGKOK)
    next_nine = dt.datetime.combine(local.date(), dt.time(EXPIRY_HOUR), tzinfo=BANGKOK)
    if next_nine <= now:
        next_nine += dt.timedelta(days=1)
    return (next_nine if next_nine < last_moment else now).astimezone(dt.UTC)


class ReminderBook:
    """The citizens' reminders: added behind the ``reminders`` consent, claimed and marked by the scheduler."""

    def __init__(self, engine: Engine, consents: ConsentBook, max_attempts: int = 5) -> None:
        self.engine = engine
        self.consents = consents
        self.max_attempts = max_attempts

    # --- what the citizen does ---------------------------------------------------------------

    def add(
        self,
        citizen_id: str,
        kind: Kind,
        subject: str,
        detail: Mapping[str, Any],
        language: str,
        due_at: dt.datetime,
        *,
        now: dt.datetime,
    ) -> tuple[Reminder, bool]:
        """The reminder, and whether it is new. The same one again (kind, subject, and the same step)
        is not added twice: an open one keeps its row, with the new time and detail (a corrected date)."""
        if kind not in KINDS:
            raise ValueError(f"unknown reminder kind {kind!r}")
        self.consents.require(citizen_id, "reminders")
        due_at, now = _utc(due_at), _utc(now)
        if due_at < now:
            raise ReminderInPastError(due_at)
        values = {"detail": json.dumps(dict(detail), ensure_ascii=False, sort_keys=True), "language": language}
        key = str(detail.get("service", "")) if kind == "journey_deadline" else ""
        with self.engine.begin() as connection:
            rows = connection.execute(
                select(reminders).where(
                    reminders.c.citizen_id == citizen_id,
                    reminders.c.kind == kind,
                    reminders.c.subject == subject,
                    reminders.c.status.in_(_OPEN),
                )
            ).mappings()
            same = [found for found in map(_reminder, rows) if found.key == key]
            if same:
                connection.execute(
                    update(reminders)
                    .where(reminders.c.id == same[0].id)
                    .values(**values, due_at=due_at, status="pending", claimed_until=None)
                )
                reminder_id, created = same[0].id, False
            else:
                inserted = connection.execute(
                    insert(reminders).values(
                        citizen_id=citizen_id,
                        kind=kind,
                        subject=subject,
                        due_at=due_at,
                        status="pending",
                        attempts=0,
                        created_at=now,
                        **values,
                    )
                ).inserted_primary_key
                assert inserted is not None
                reminder_id, created = int(inserted[0]), True
            row = connection.execute(select(reminders).where(reminders.c.id == reminder_id)).mappings().one()
        return _reminder(row), created

    def cancel(self, citizen_id: str, reminder_id: int) -> bool:
        """Cancel one of the citizen's open reminders; False when it is not theirs or not open."""
        with self.engine.begin() as connection:
            result = connection.execute(
                update(reminders)
                .where(reminders.c.id == reminder_id, reminders.c.citizen_id == citizen_id)
                .where(reminders.c.status.in_(_OPEN))
                .values(status="cancelled", claimed_until=None)
            )
        return bool(result.rowcount)

    def of(self, citizen_id: str) -> list[Reminder]:
        """The citizen's reminders still to come, soonest first (``/my_reminders``, the dashboard); a
        journey step's reminder is left out once the step is ticked done (it will not be sent)."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(reminders)
                .where(reminders.c.citizen_id == citizen_id, reminders.c.status.in_(_OPEN))
                .order_by(reminders.c.due_at, reminders.c.id)
            ).mappings()
            found = [_reminder(row) for row in rows]
        done: dict[str, set[str]] = {}
        for reminder in found:
            if reminder.kind == "journey_deadline" and reminder.subject not in done:
                done[reminder.subject] = self.steps_done(citizen_id, reminder.subject)
        return [r for r in found if r.kind != "journey_deadline" or r.key not in done[r.subject]]

    def all_of(self, citizen_id: str) -> list[Reminder]:
        """Every reminder of the citizen, sent or not (the export)."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(reminders).where(reminders.c.citizen_id == citizen_id).order_by(reminders.c.id)
            ).mappings()
            return [_reminder(row) for row in rows]

    def forget(self, citizen_id: str) -> int:
        """Erase every reminder of the citizen (erasure on request, or the consent withdrawn)."""
        with self.engine.begin() as connection:
            result = connection.execute(delete(reminders).where(reminders.c.citizen_id == citizen_id))
        return int(result.rowcount or 0)

    # --- what the journeys helper keeps, read when a journey reminder is made or sent ------

    def event_date(self, citizen_id: str, journey_id: str) -> dt.date | None:
        """The day of the life event the citizen gave for the journey; None when not given (or not followed)."""
        with self.engine.connect() as connection:
            found = connection.execute(
                select(journey_starts.c.event_date).where(
                    journey_starts.c.citizen_id == citizen_id, journey_starts.c.journey_id == journey_id
                )
            ).scalar()
        return found if isinstance(found, dt.date) else None

    def steps_done(self, citizen_id: str, journey_id: str) -> set[str]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(journey_progress.c.service_id).where(
                    journey_progress.c.citizen_id == citizen_id, journey_progress.c.journey_id == journey_id
                )
            ).scalars()
            return {str(service) for service in rows}

    def still_wanted(self, reminder: Reminder) -> str | None:
        """Why a due reminder must not be sent after all ("consent", "step done"), or None to send it."""
        if self.consents.active(reminder.citizen_id, "reminders") is None:
            return "consent"
        if reminder.kind == "journey_deadline" and reminder.key in self.steps_done(
            reminder.citizen_id, reminder.subject
        ):
            return "step done"
        return None

    # --- what the scheduler does ---------------------------------------------------------------

    def claim_due(self, now: dt.datetime, lease_seconds: float, limit: int = 50) -> list[Reminder]:
        """Due reminders this caller now holds for ``lease_seconds``: one conditional UPDATE each, so
        two replicas never hold one; send, then :meth:`mark_sent` (or :meth:`mark_failed`). A reminder
        whose holder died is claimable again once its lease has run out."""
        now = _utc(now)
        free = and_(
            reminders.c.status == "pending",
            reminders.c.due_at <= now,
            (reminders.c.claimed_until.is_(None)) | (reminders.c.claimed_until < now),
        )
        claimed: list[Reminder] = []
        with self.engine.begin() as connection:
            ids = list(
                connection.execute(
                    select(reminders.c.id).where(free).order_by(reminders.c.due_at, reminders.c.id).limit(limit)
                ).scalars()
            )
            for reminder_id in ids:
                result = connection.execute(
                    update(reminders)
                    .where(reminders.c.id == reminder_id, free)
                    .values(claimed_until=now + dt.timedelta(seconds=lease_seconds))
                )
                if result.rowcount:
                    row = connection.execute(select(reminders).where(reminders.c.id == reminder_id)).mappings().one()
                    claimed.append(_reminder(row))
        return claimed

    def mark_sent(self, reminder_id: int, *, now: dt.datetime) -> bool:
        """The channel took it (LINE accepted the push, or the widget fetched it): never sent again."""
        with self.engine.begin() as connection:
            result = connection.execute(
                update(reminders)
                .where(reminders.c.id == reminder_id, reminders.c.status.in_(_OPEN))
                .values(status="sent", sent_at=_utc(now), claimed_until=None, last_error=None)
            )
        return bool(result.rowcount)

    def mark_ready(self, reminder_id: int) -> bool:
        """Due for a web-only citizen: it waits for the widget to fetch it (:meth:`take_ready`)."""
        with self.engine.begin() as connection:
            result = connection.execute(
                update(reminders)
                .where(reminders.c.id == reminder_id, reminders.c.status == "pending")
                .values(status="ready", claimed_until=None)
            )
        return bool(result.rowcount)

    def mark_skipped(self, reminder_id: int, reason: str) -> bool:
        """Not wanted any more when it came due (the step was ticked done): never sent."""
        with self.engine.begin() as connection:
            result = connection.execute(
                update(reminders)
                .where(reminders.c.id == reminder_id, reminders.c.status.in_(_OPEN))
                .values(status="skipped", claimed_until=None, last_error=reason[:200])
            )
        return bool(result.rowcount)

    def mark_failed(self, reminder_id: int, error: str, *, now: dt.datetime) -> Reminder | None:
        """Count a failed send: tried again after a back-off (60 s, doubled each time, at most 6 h), or
        ``failed`` for good after ``max_attempts``. The reminder as it is now; None if it was not open."""
        now = _utc(now)
        with self.engine.begin() as connection:
            row = (
                connection.execute(
                    select(reminders).where(reminders.c.id == reminder_id, reminders.c.status == "pending")
                )
                .mappings()
                .first()
            )
            if row is None:
                return None
            attempts = int(row["attempts"] or 0) + 1
            values: dict[str, Any] = {"attempts": attempts, "last_error": error[:500]}
            if attempts >= self.max_attempts:
                values.update(status="failed", claimed_until=None)
            else:
                pause = min(dt.timedelta(seconds=_BACKOFF_SECONDS * 2 ** (attempts - 1)), _BACKOFF_MAX)
                values["claimed_until"] = now + pause
            connection.execute(
                update(reminders).where(reminders.c.id == reminder_id, reminders.c.status == "pending").values(**values)
            )
            updated = connection.execute(select(reminders).where(reminders.c.id == reminder_id)).mappings().one()
        return _reminder(updated)

    def take_ready(self, citizen_id: str, *, now: dt.datetime, limit: int = 10) -> list[Reminder]:
        """The citizen's reminders waiting for the widget, each marked sent by a conditional UPDATE of
        its own, so two tabs polling at once never both show one."""
        now = _utc(now)
        taken: list[Reminder] = []
        with self.engine.begin() as connection:
            rows = list(
                connection.execute(
                    select(reminders)
                    .where(reminders.c.citizen_id == citizen_id, reminders.c.status == "ready")
                    .order_by(reminders.c.due_at, reminders.c.id)
                    .limit(limit)
                ).mappings()
            )
            for row in rows:
                result = connection.execute(
                    update(reminders)
                    .where(reminders.c.id == row["id"], reminders.c.status == "ready")
                    .values(status="sent", sent_at=now)
                )
                if result.rowcount:
                    taken.append(_reminder(row))
        return taken
