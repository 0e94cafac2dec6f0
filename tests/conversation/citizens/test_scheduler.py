"""The reminder scheduler with a controlled clock on a real database (SQLite and PostgreSQL): a reminder
goes out at its time and not before, once; a replica that dies while sending leaves it to a new one,
which sends it after the lease, exactly once; a LINE-linked citizen gets LINE, a web-only one the widget.

The channel here is a recorder of what the scheduler hands it (LINE's own push is tested against the
loopback stub in tests/channels/line/test_reminder_push.py)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, insert

from conversation.citizens.consents import ConsentBook
from conversation.citizens.engine import open_citizens_engine
from conversation.citizens.identity import CitizenIdentity
from conversation.citizens.models import journey_progress
from conversation.citizens.reminders import ReminderBook
from conversation.citizens.scheduler import ReminderScheduler, SendResult, reminder_messages
from conversation.citizens.settings import CitizensSettings
from nlu.language import Lang
from texts import text

NOW = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)  # 09:00 in Bangkok
SETTINGS = CitizensSettings(reminder_lease_seconds=120, reminder_max_attempts=2)
LINE_CITIZEN = "line:U0123456789abcdef0123456789abcdef"
DETAIL = {"document": "passport", "expires_on": "2027-01-02", "service_title": "ต่ออายุหนังสือเดินทาง"}


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


class Recorder:
    """A channel: records each push it accepts; ``answer`` says what it answers."""

    def __init__(self, answer: SendResult = "sent") -> None:
        self.answer: SendResult = answer
        self.pushed: list[tuple[str, list[dict[str, Any]], str, str]] = []

    async def send(self, sender_id: str, messages: list[dict[str, Any]], language: Lang, key: str) -> SendResult:
        if self.answer == "sent":
            self.pushed.append((sender_id, messages, language, key))
        return self.answer


class Hangs:
    """A channel that never answers: the replica dies while it waits."""

    def __init__(self) -> None:
        self.called = asyncio.Event()
        self.keys: list[str] = []

    async def send(self, sender_id: str, messages: list[dict[str, Any]], language: Lang, key: str) -> SendResult:
        self.keys.append(key)
        self.called.set()
        await asyncio.Event().wait()
        return "sent"


@pytest.fixture
def engine(sql_url: str) -> Iterator[Engine]:
    opened = open_citizens_engine(sql_url)
    yield opened
    opened.dispose()


def _book(engine: Engine) -> ReminderBook:
    return ReminderBook(engine, ConsentBook(engine, "v1"), SETTINGS.reminder_max_attempts)


def _expiry(book: ReminderBook, citizen: str, due: dt.datetime, lang: str = "th") -> int:
    book.consents.grant(citizen, "reminders", lang, "line", now=NOW)
    reminder, _ = book.add(citizen, "document_expiry", "passport-renewal", DETAIL, lang, due, now=NOW)
    return reminder.id


def test_a_reminder_goes_out_at_its_time_and_not_before_once(engine: Engine) -> None:
    book, clock, line = _book(engine), Clock(), Recorder()
    reminder_id = _expiry(book, LINE_CITIZEN, NOW + dt.timedelta(days=2))
    scheduler = ReminderScheduler(book, {"line": line}, SETTINGS, now=clock)

    clock.now = NOW + dt.timedelta(days=2) - dt.timedelta(seconds=1)
    assert asyncio.run(scheduler.run_once()) == 0 and line.pushed == []
    clock.now = NOW + dt.timedelta(days=2)
    assert asyncio.run(scheduler.run_once()) == 1
    [(to, messages, lang, key)] = line.pushed
    assert (to, lang, key) == (LINE_CITIZEN, "th", f"citizen-reminder:{reminder_id}")
    [said] = messages
    assert said["text"] == text(
        "citizens_reminders.expiry_due", "th", document="หนังสือเดินทาง", date="2 ม.ค. 2570",
        service="ต่ออายุหนังสือเดินทาง",
    )  # fmt: skip
    assert said["options"] == [{"label": "ต่ออายุหนังสือเดินทาง", "payload": '/ask_service{"service":"passport-renewal"}'}]
    clock.now += dt.timedelta(days=1)
    assert asyncio.run(scheduler.run_once()) == 0 and len(line.pushed) == 1
    assert book.of(LINE_CITIZEN) == []


def test_a_replica_that_dies_while_sending_leaves_it_to_a_new_one_exactly_once(sql_url: str) -> None:
    first_engine = open_citizens_engine(sql_url)
    book = _book(first_engine)
    reminder_id = _expiry(book, LINE_CITIZEN, NOW + dt.timedelta(minutes=5))
    clock = Clock()
    clock.now = NOW + dt.timedelta(minutes=5)
    hangs = Hangs()
    dying = ReminderScheduler(book, {"line": hangs}, SETTINGS, now=clock)

    async def die_mid_send() -> None:
        round_ = asyncio.create_task(dying.run_once())
        await hangs.called.wait()
        round_.cancel()  # the process is gone: nothing marked

    asyncio.run(die_mid_send())
    first_engine.dispose()

    # A new process on the same database: nothing in memory survived.
    second_engine = open_citizens_engine(sql_url)
    try:
        line = Recorder()
        restarted = ReminderScheduler(_book(second_engine), {"line": line}, SETTINGS, now=clock)
        clock.now += dt.timedelta(seconds=119)
        assert asyncio.run(restarted.run_once()) == 0 and line.pushed == []  # the dead one's lease holds
        clock.now += dt.timedelta(seconds=2)
        assert asyncio.run(restarted.run_once()) == 1
        clock.now += dt.timedelta(seconds=600)
        assert asyncio.run(restarted.run_once()) == 0
        assert [push[3] for push in line.pushed] == [f"citizen-reminder:{reminder_id}"]
        assert hangs.keys == [f"citizen-reminder:{reminder_id}"]  # the same retry key: LINE drops a repeat
    finally:
        second_engine.dispose()


def test_a_web_citizen_linked_to_line_gets_line_and_a_web_only_one_waits_for_the_widget(engine: Engine) -> None:
    book, clock, line = _book(engine), Clock(), Recorder()
    linked = _expiry(book, "web:linked", NOW, lang="en")
    CitizenIdentity(engine).link(LINE_CITIZEN, "web:linked", "line", now=NOW)
    web_only = _expiry(book, "web:alone", NOW, lang="en")
    scheduler = ReminderScheduler(book, {"line": line}, SETTINGS, now=clock)

    assert asyncio.run(scheduler.run_once()) == 2
    [(to, messages, lang, key)] = line.pushed
    assert (to, lang, key) == (LINE_CITIZEN, "en", f"citizen-reminder:{linked}")
    assert "passport expires on 2 Jan 2027" in messages[0]["text"]
    [ready] = book.take_ready("web:alone", now=clock.now)
    assert ready.id == web_only and reminder_messages(ready)[0]["text"].startswith("⏰ Reminder: your passport")


def test_no_line_channel_yet_keeps_the_reminder_and_a_refused_push_fails_after_the_attempts(engine: Engine) -> None:
    book, clock = _book(engine), Clock()
    reminder_id = _expiry(book, LINE_CITIZEN, NOW)
    senders: dict[str, Recorder] = {}
    scheduler = ReminderScheduler(book, lambda: senders, SETTINGS, now=clock)
    assert asyncio.run(scheduler.run_once()) == 0  # LINE not started: the lease runs out, nothing counted
    assert [r.attempts for r in book.of(LINE_CITIZEN)] == [0]

    senders["line"] = Recorder("retry")
    clock.now += dt.timedelta(seconds=121)
    assert asyncio.run(scheduler.run_once()) == 0
    assert [(r.status, r.attempts) for r in book.of(LINE_CITIZEN)] == [("pending", 1)]
    clock.now += dt.timedelta(seconds=61)  # after the back-off
    assert asyncio.run(scheduler.run_once()) == 0
    assert book.of(LINE_CITIZEN) == []
    [failed] = book.all_of(LINE_CITIZEN)
    assert (failed.id, failed.status, failed.attempts) == (reminder_id, "failed", 2)


def test_a_step_ticked_done_before_its_reminder_is_not_sent(engine: Engine) -> None:
    book, clock, line = _book(engine), Clock(), Recorder()
    book.consents.grant(LINE_CITIZEN, "reminders", "th", "line", now=NOW)
    detail = {"service": "birth-registration", "deadline_at": "2026-12-15T17:00:00+00:00", "step": "แจ้งเกิด",
              "journey": "มีลูก"}  # fmt: skip
    book.add(LINE_CITIZEN, "journey_deadline", "having-a-baby", detail, "th", NOW + dt.timedelta(days=1), now=NOW)
    with engine.begin() as connection:
        connection.execute(insert(journey_progress).values(citizen_id=LINE_CITIZEN, journey_id="having-a-baby",
                                                           service_id="birth-registration", done_at=NOW))  # fmt: skip
    clock.now = NOW + dt.timedelta(days=1)
    assert asyncio.run(ReminderScheduler(book, {"line": line}, SETTINGS, now=clock).run_once()) == 0
    assert line.pushed == []
    assert [r.status for r in book.all_of(LINE_CITIZEN)] == ["skipped"]


def test_the_journey_reminder_names_the_step_and_its_last_day() -> None:
    from conversation.citizens.reminders import Reminder

    reminder = Reminder(1, LINE_CITIZEN, "journey_deadline", "having-a-baby",
                        {"service": "birth-registration", "deadline_at": "2026-12-15T17:00:00+00:00",
                         "step": "Birth registration", "journey": "Having a baby"},
                        "en", NOW, "pending", 0, NOW)  # fmt: skip
    [said] = reminder_messages(reminder)
    # Midnight starting 16 Dec in Bangkok: the last day on time is 15 Dec.
    assert said["text"] == "⏰ Reminder: Birth registration (Having a baby) is due by 15 Dec 2026."
    assert said["options"][0]["payload"] == '/ask_service{"service":"birth-registration"}'
