"""The turn-event store on real SQLite and PostgreSQL: masked and cut on write, the Thai day,
erasure of one conversation, the link cut when retention forgets it, rows older than the retention."""

from __future__ import annotations

import datetime as dt

import pytest

from conversation.turn_events import MAX_MESSAGE_CHARS, Outcome, TurnEvent, TurnEventStore, local_day

CITIZEN = "web:citizen-1"
OTHER = "line:U0123456789abcdef0123456789abcdef"


@pytest.fixture
def store(sql_url):
    events = TurnEventStore(sql_url)
    yield events
    events.close()


def event(conversation_id: str = CITIZEN, message: str = "ต่ออายุบัตรประชาชน", **extra) -> TurnEvent:
    values = {
        "channel": "web",
        "language": "th",
        "outcome": Outcome.ANSWERED,
        "status": "ok",
        "duration_ms": 42.4,
        "service_id": "id-card-renewal",
        **extra,
    }
    return TurnEvent(conversation_id=conversation_id, message=message, **values)


def test_a_stored_message_is_masked_and_cut_whatever_the_caller_passed(store):
    store.record(event(message="บัตร 1101700203451 โทร 0812345678 " + "ก" * 2000))
    [row] = store.of(CITIZEN)
    assert "1101700203451" not in row["message"] and "0812345678" not in row["message"]
    assert "x" in row["message"].lower()  # the masked forms
    assert len(row["message"]) == MAX_MESSAGE_CHARS
    assert row["outcome"] == "answered" and row["service_id"] == "id-card-renewal"
    assert row["at"].endswith("+00:00")


def test_the_day_is_the_thai_calendar_day():
    # 18:30 UTC on 30 November is 01:30 on 1 December in Bangkok.
    assert local_day(dt.datetime(2026, 11, 30, 18, 30, tzinfo=dt.UTC)) == "2026-12-01"
    assert local_day(dt.datetime(2026, 11, 30, 16, 59)) == "2026-11-30"  # naive: UTC, as SQLite returns it


def test_erasing_a_conversation_removes_its_events_and_only_its_own(store):
    store.record(event())
    store.record(event(message="ค่าธรรมเนียมเท่าไหร่", outcome=Outcome.OTHER, service_id=None))
    store.record(event(OTHER, "hello", channel="line", language="en"))
    assert store.erase(CITIZEN) == 2
    assert store.of(CITIZEN) == []
    assert [row["message"] for row in store.of(OTHER)] == ["hello"]
    assert store.erase(CITIZEN) == 0


def test_a_forgotten_conversation_keeps_its_events_without_the_link(store):
    store.record(event())
    store.record(event(OTHER, "hello", channel="line", language="en"))
    assert store.detach([CITIZEN]) == 1
    assert store.of(CITIZEN) == []  # no longer found by the conversation id
    assert store.erase(CITIZEN) == 0
    assert store.detach([]) == 0
    assert len(store.of(OTHER)) == 1


def test_events_older_than_the_cut_off_go(store):
    now = dt.datetime.now(dt.UTC)
    store.record(event(message="old", at=now - dt.timedelta(days=400)))
    store.record(event(message="recent", at=now - dt.timedelta(days=10)))
    assert store.delete_older_than(now - dt.timedelta(days=365)) == 1
    assert [row["message"] for row in store.of(CITIZEN)] == ["recent"]
