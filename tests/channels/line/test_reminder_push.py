"""Reminders pushed to LINE (channels/line/reminder_delivery.py) against the LINE loopback stub: the push
arrives at the due time of a controlled clock and not before, once, with a quick reply that opens the
service; a push repeated after a crash is dropped by LINE's retry key; and the gateway's own scheduler
pushes through the running LINE channel."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi, Configuration
from sqlalchemy import Engine

from channels.line.delivery import LineMessenger
from channels.line.reminder_delivery import LineReminderDelivery
from conversation.citizens.consents import ConsentBook
from conversation.citizens.engine import open_citizens_engine
from conversation.citizens.reminders import ReminderBook
from conversation.citizens.scheduler import ReminderScheduler
from conversation.citizens.settings import CitizensSettings
from gateway.app import create_app
from tests.channels.line.conftest import TOKEN, line_settings
from tests.channels.line.stub import LineStub
from tests.support import wait_until
from texts import text

USER = "U72656d696e6465720000000000000000"
CITIZEN = f"line:{USER}"
NOW = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)
DETAIL = {"document": "driving_licence", "expires_on": "2027-01-10", "service_title": "ต่ออายุใบขับขี่"}


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    opened = open_citizens_engine(f"sqlite:///{tmp_path / 'citizens.db'}")
    yield opened
    opened.dispose()


def _book(engine: Engine) -> ReminderBook:
    book = ReminderBook(engine, ConsentBook(engine, "v1"))
    book.consents.grant(CITIZEN, "reminders", "th", "line", now=NOW)
    return book


def _rounds(stub: LineStub, book: ReminderBook, times: list[dt.datetime]) -> list[int]:
    """One scheduler round at each time, through a real LINE client pointed at the stub."""
    clock = iter(times)
    now = {"at": NOW}

    async def run() -> list[int]:
        client = AsyncApiClient(Configuration(host=stub.url, access_token=TOKEN))
        try:
            delivery = LineReminderDelivery(LineMessenger(AsyncMessagingApi(client), 5))
            scheduler = ReminderScheduler(book, {"line": delivery}, CitizensSettings(), now=lambda: now["at"])
            sent = []
            for at in clock:
                now["at"] = at
                sent.append(await scheduler.run_once())
            return sent
        finally:
            await client.close()

    return asyncio.run(run())


def test_the_push_arrives_at_the_due_time_and_not_before(line_stub: LineStub, engine: Engine) -> None:
    line_stub.reset()
    book = _book(engine)
    due = NOW + dt.timedelta(days=10)
    book.add(CITIZEN, "document_expiry", "driving-licence-renewal", DETAIL, "th", due, now=NOW)

    assert _rounds(line_stub, book, [NOW, due - dt.timedelta(seconds=1)]) == [0, 0]
    assert line_stub.received("/v2/bot/message/push") == []
    assert _rounds(line_stub, book, [due, due + dt.timedelta(minutes=5)]) == [1, 0]
    [push] = line_stub.received("/v2/bot/message/push")
    assert push.json["to"] == USER
    [message] = push.json["messages"]
    assert message["text"] == text("citizens_reminders.expiry_due", "th", document="ใบขับขี่", date="10 ม.ค. 2570",
                                   service="ต่ออายุใบขับขี่")  # fmt: skip
    [item] = message["quickReply"]["items"]
    assert item["action"]["label"] == "ต่ออายุใบขับขี่"
    assert json.loads(item["action"]["data"])["text"] == '/ask_service{"service":"driving-licence-renewal"}'
    assert book.of(CITIZEN) == []


def test_a_refused_push_is_tried_again_later_and_a_repeat_after_a_crash_is_dropped(
    line_stub: LineStub, engine: Engine
) -> None:
    line_stub.reset()
    book = _book(engine)
    book.add(CITIZEN, "document_expiry", "driving-licence-renewal", DETAIL, "th", NOW, now=NOW)
    line_stub.fail("POST", "/v2/bot/message/push", 400, "Bad request")
    assert _rounds(line_stub, book, [NOW]) == [0]
    assert line_stub.delivered_pushes() == 0
    [waiting] = book.of(CITIZEN)
    assert (waiting.status, waiting.attempts) == ("pending", 1)

    line_stub.reset()
    assert _rounds(line_stub, book, [NOW + dt.timedelta(seconds=61)]) == [1]
    assert line_stub.delivered_pushes() == 1

    # A replica that pushed and died before marking it pushes it again with the same key: LINE drops it.
    async def push_again() -> str:
        client = AsyncApiClient(Configuration(host=line_stub.url, access_token=TOKEN))
        try:
            delivery = LineReminderDelivery(LineMessenger(AsyncMessagingApi(client), 5))
            return await delivery.send(CITIZEN, [{"type": "text", "text": "x"}], "th", f"citizen-reminder:{waiting.id}")
        finally:
            await client.close()

    assert asyncio.run(push_again()) == "sent"
    assert line_stub.delivered_pushes() == 1


def test_the_gateways_scheduler_pushes_through_the_running_line_channel(tmp_path: Path, line_stub: LineStub) -> None:
    line_stub.reset()
    settings = line_settings(tmp_path, line_stub)
    settings.store.citizens_url = f"sqlite:///{tmp_path / 'citizens.db'}"
    settings.citizens.scheduler_interval_seconds = 0.2
    with TestClient(create_app(settings)) as client:
        runtime = client.app.state.runtime
        book = ReminderBook(runtime.citizens_engine, ConsentBook(runtime.citizens_engine, "v1"))
        now = dt.datetime.now(dt.UTC)
        book.consents.grant(CITIZEN, "reminders", "en", "line", now=now)
        book.add(CITIZEN, "document_expiry", "driving-licence-renewal", DETAIL, "en", now + dt.timedelta(seconds=2),
                 now=now)  # fmt: skip
        assert not wait_until(lambda: line_stub.delivered_pushes() > 0, 1.0)  # not before its time
        assert wait_until(lambda: line_stub.delivered_pushes() == 1, 15)
        [push] = line_stub.received("/v2/bot/message/push")
        assert push.json["to"] == USER and "driving licence expires on 10 Jan 2027" in push.json["messages"][0]["text"]
        assert wait_until(lambda: book.of(CITIZEN) == [], 5)  # marked sent after LINE took it
