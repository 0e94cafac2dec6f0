"""Reminders on a real database (SQLite and PostgreSQL): consent first, never in the past, never twice,
claimed by one replica at a time, retried after a failure until they fail for good, erased with the citizen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, insert

from conversation.citizens.consents import ConsentBook, ConsentRequiredError
from conversation.citizens.engine import open_citizens_engine
from conversation.citizens.models import journey_progress, journey_starts
from conversation.citizens.reminders import (
    BANGKOK,
    ReminderBook,
    ReminderInPastError,
    deadline_reminder_due,
    event_start,
    expiry_reminder_due,
)

NOW = dt.datetime(2026, 12, 3, 5, 0, tzinfo=dt.UTC)  # 12:00 in Bangkok
CITIZEN = "line:U1"
STEP = {"service": "birth-registration", "deadline_at": "2026-12-16T17:00:00+00:00", "step": "แจ้งเกิด", "journey": "มีลูก"}


@pytest.fixture
def engine(sql_url: str) -> Iterator[Engine]:
    opened = open_citizens_engine(sql_url)
    yield opened
    opened.dispose()


@pytest.fixture
def book(engine: Engine) -> ReminderBook:
    consents = ConsentBook(engine, "v1")
    consents.grant(CITIZEN, "reminders", "th", "line", now=NOW)
    return ReminderBook(engine, consents, max_attempts=3)


def _add(book: ReminderBook, due: dt.datetime, citizen: str = CITIZEN, service: str = "birth-registration"):
    return book.add(citizen, "journey_deadline", "having-a-baby", {**STEP, "service": service}, "th", due, now=NOW)


def test_nothing_is_stored_without_the_reminders_consent(engine: Engine) -> None:
    consents = ConsentBook(engine, "v1")
    consents.grant("web:a", "profile", "en", "web", now=NOW)  # the profile consent is not the reminders one
    book = ReminderBook(engine, consents)
    with pytest.raises(ConsentRequiredError) as refused:
        book.add("web:a", "document_expiry", "passport-renewal", {}, "en", NOW + dt.timedelta(days=3), now=NOW)
    assert refused.value.purpose == "reminders"
    assert book.all_of("web:a") == []


def test_a_time_in_the_past_is_refused_and_the_same_reminder_is_kept_once(book: ReminderBook) -> None:
    with pytest.raises(ReminderInPastError):
        _add(book, NOW - dt.timedelta(minutes=1))
    first, created = _add(book, NOW + dt.timedelta(days=12))
    again, created_again = _add(book, NOW + dt.timedelta(days=12))
    assert created and not created_again and again.id == first.id
    other, created_other = _add(book, NOW + dt.timedelta(days=20), service="child-allowance")  # another step
    assert created_other and other.id != first.id
    assert [r.id for r in book.of(CITIZEN)] == [first.id, other.id]  # soonest first

    # A corrected expiry date moves the one reminder of that document instead of adding a second.
    expiry, _ = book.add(CITIZEN, "document_expiry", "passport-renewal", {"expires_on": "2027-05-01"}, "th",
                         NOW + dt.timedelta(days=100), now=NOW)  # fmt: skip
    moved, created = book.add(CITIZEN, "document_expiry", "passport-renewal", {"expires_on": "2027-06-01"}, "th",
                              NOW + dt.timedelta(days=130), now=NOW)  # fmt: skip
    assert not created and moved.id == expiry.id and moved.detail == {"expires_on": "2027-06-01"}
    assert len(book.of(CITIZEN)) == 3


def test_cancel_only_touches_the_citizens_own_open_reminder(book: ReminderBook) -> None:
    mine, _ = _add(book, NOW + dt.timedelta(days=5))
    assert book.cancel("line:Uother", mine.id) is False
    assert book.cancel(CITIZEN, mine.id) is True
    assert book.cancel(CITIZEN, mine.id) is False
    assert book.of(CITIZEN) == []
    assert book.claim_due(NOW + dt.timedelta(days=6), 60) == []  # a cancelled reminder is never sent


def test_two_replicas_never_hold_the_same_reminder_and_a_lease_runs_out(book: ReminderBook, engine: Engine) -> None:
    due, _ = _add(book, NOW + dt.timedelta(hours=1))
    later, _ = _add(book, NOW + dt.timedelta(days=3), service="child-allowance")
    assert book.claim_due(NOW, 120) == []  # not due yet
    at = NOW + dt.timedelta(hours=1)
    other_replica = ReminderBook(engine, book.consents)
    first = book.claim_due(at, 120)
    assert [r.id for r in first] == [due.id]  # the later one is not due
    assert other_replica.claim_due(at + dt.timedelta(seconds=30), 120) == []  # held by the first
    # The holder died: after its lease any replica takes it again.
    assert [r.id for r in other_replica.claim_due(at + dt.timedelta(seconds=121), 120)] == [due.id]
    assert other_replica.mark_sent(due.id, now=at + dt.timedelta(seconds=122)) is True
    assert book.claim_due(at + dt.timedelta(hours=1), 120) == []  # sent: never again
    assert [r.id for r in book.of(CITIZEN)] == [later.id]


def test_a_failed_send_backs_off_then_fails_for_good(book: ReminderBook) -> None:
    due, _ = _add(book, NOW + dt.timedelta(minutes=5))
    at = NOW + dt.timedelta(minutes=5)
    assert book.claim_due(at, 120)
    after_first = book.mark_failed(due.id, "LINE said 500", now=at)
    assert after_first is not None and (after_first.status, after_first.attempts) == ("pending", 1)
    assert book.claim_due(at + dt.timedelta(seconds=59), 120) == []  # waiting its back-off (60 s)
    assert book.claim_due(at + dt.timedelta(seconds=61), 120)
    second = book.mark_failed(due.id, "LINE said 500", now=at + dt.timedelta(seconds=61))
    assert second is not None and second.attempts == 2
    assert book.claim_due(at + dt.timedelta(seconds=61 + 119), 120) == []  # doubled: 120 s
    assert book.claim_due(at + dt.timedelta(seconds=61 + 121), 120)
    last = book.mark_failed(due.id, "LINE said 500", now=at + dt.timedelta(seconds=200))
    assert last is not None and last.status == "failed" and last.last_error == "LINE said 500"
    assert book.claim_due(at + dt.timedelta(days=1), 120) == []
    assert book.of(CITIZEN) == []


def test_a_web_reminder_waits_for_the_widget_and_is_taken_once(book: ReminderBook) -> None:
    due, _ = _add(book, NOW + dt.timedelta(minutes=1))
    [claimed] = book.claim_due(NOW + dt.timedelta(minutes=1), 120)
    assert book.mark_ready(claimed.id) is True
    assert book.claim_due(NOW + dt.timedelta(hours=1), 120) == []  # the scheduler leaves it to the widget
    assert [r.status for r in book.of(CITIZEN)] == ["ready"]  # still listed as waiting
    [taken] = book.take_ready(CITIZEN, now=NOW + dt.timedelta(minutes=2))
    assert taken.id == due.id
    assert book.take_ready(CITIZEN, now=NOW + dt.timedelta(minutes=3)) == []  # a second tab gets nothing
    assert book.of(CITIZEN) == []


def test_a_step_ticked_done_or_a_withdrawn_consent_means_not_wanted(book: ReminderBook, engine: Engine) -> None:
    reminder, _ = _add(book, NOW + dt.timedelta(days=1))
    assert book.still_wanted(reminder) is None
    with engine.begin() as connection:
        connection.execute(insert(journey_starts).values(citizen_id=CITIZEN, journey_id="having-a-baby",
                                                         event_date=dt.date(2026, 12, 1), started_at=NOW,
                                                         updated_at=NOW))  # fmt: skip
        connection.execute(insert(journey_progress).values(citizen_id=CITIZEN, journey_id="having-a-baby",
                                                           service_id="birth-registration", done_at=NOW))  # fmt: skip
    assert book.event_date(CITIZEN, "having-a-baby") == dt.date(2026, 12, 1)
    assert book.still_wanted(reminder) == "step done"
    other, _ = _add(book, NOW + dt.timedelta(days=1), service="child-allowance")
    book.consents.withdraw(CITIZEN, "reminders", now=NOW)
    assert book.still_wanted(other) == "consent"


def test_forget_erases_every_reminder_of_the_citizen_only(book: ReminderBook) -> None:
    book.consents.grant("line:U2", "reminders", "en", "line", now=NOW)
    _add(book, NOW + dt.timedelta(days=1))
    _add(book, NOW + dt.timedelta(days=2), service="child-allowance")
    theirs, _ = _add(book, NOW + dt.timedelta(days=1), citizen="line:U2")
    assert book.forget(CITIZEN) == 2
    assert book.all_of(CITIZEN) == [] and [r.id for r in book.all_of("line:U2")] == [theirs.id]


def test_when_a_journey_step_is_reminded() -> None:
    # Fifteen days from 1 Dec (Bangkok): due at midnight starting 16 Dec; reminded a day before.
    deadline = event_start(dt.date(2026, 12, 1)) + dt.timedelta(days=15)
    assert deadline.astimezone(BANGKOK) == dt.datetime(2026, 12, 16, 0, 0, tzinfo=BANGKOK)
    assert deadline_reminder_due(deadline, NOW) == deadline - dt.timedelta(days=1)
    # A death is notified within 24 hours: less than a day left, so at once.
    soon = NOW + dt.timedelta(hours=10)
    assert deadline_reminder_due(soon, NOW) == NOW
    assert deadline_reminder_due(NOW - dt.timedelta(seconds=1), NOW) is None  # too late to remind


def test_when_a_document_expiry_is_reminded() -> None:
    # 30 days before 15 Mar 2027, at 09:00 Bangkok time.
    due = expiry_reminder_due(dt.date(2027, 3, 15), 30, NOW)
    assert due is not None and due.astimezone(BANGKOK) == dt.datetime(2027, 2, 13, 9, 0, tzinfo=BANGKOK)
    # Expiring in ten days (told too late for 30 days ahead): the next 09:00, tomorrow, since it is noon now.
    soon = expiry_reminder_due(dt.date(2026, 12, 13), 30, NOW)
    assert soon is not None and soon.astimezone(BANGKOK) == dt.datetime(2026, 12, 4, 9, 0, tzinfo=BANGKOK)
    # Expiring today: at once; expired yesterday: not reminded at all.
    assert expiry_reminder_due(dt.date(2026, 12, 3), 30, NOW) == NOW
    assert expiry_reminder_due(dt.date(2026, 12, 2), 30, NOW) is None
