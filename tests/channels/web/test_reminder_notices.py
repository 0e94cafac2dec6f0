"""The widget's poll for reminders (channels/web/reminder_notices_api.py) on the real gateway app, and
in a real Chromium: a due reminder of a web-only citizen is shown once, as the bot's message with a
quick reply to the service, nobody else's; an id the gateway did not issue is a clear 404."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect

from conversation.citizens.consents import ConsentBook
from conversation.citizens.identity import CitizenIdentity
from conversation.citizens.reminders import ReminderBook
from gateway.app import create_app
from tests.gateway.rasa_tracker_stub import tracker_rasa
from tests.support import TEST_SECRETS, ThreadedServer, make_settings, wait_until
from texts import text

DETAIL = {"document": "passport", "expires_on": "2027-01-02", "service_title": "Renewing a passport"}


def _settings(tmp: Any, **rasa: Any):
    settings = make_settings(tmp, **rasa)
    settings.store.seed_on_empty = False
    settings.store.citizens_url = f"sqlite:///{tmp / 'citizens.db'}"
    settings.citizens.scheduler_interval_seconds = 0.2
    return settings


def _book(runtime: Any) -> ReminderBook:
    return ReminderBook(runtime.citizens_engine, ConsentBook(runtime.citizens_engine, "v1"))


def _remind(book: ReminderBook, citizen: str, lang: str = "en") -> int:
    now = dt.datetime.now(dt.UTC)
    book.consents.grant(citizen, "reminders", lang, "web", now=now)
    reminder, _ = book.add(citizen, "document_expiry", "passport-renewal", DETAIL, lang, now, now=now)
    return reminder.id


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with TestClient(create_app(_settings(tmp_path_factory.mktemp("reminders")))) as test_client:
        yield test_client


def test_a_due_reminder_is_shown_once_and_to_its_citizen_only(client: TestClient) -> None:
    runtime = client.app.state.runtime
    issued, other = runtime.web_senders.issue(), runtime.web_senders.issue()
    book = _book(runtime)
    reminder_id = _remind(book, runtime.web_senders.rasa_sender(issued))
    assert wait_until(lambda: [r.status for r in book.all_of(runtime.web_senders.rasa_sender(issued))] == ["ready"], 10)

    assert client.get("/api/chat/reminders", params={"sender": other}).json() == {"reminders": []}
    first = client.get("/api/chat/reminders", params={"sender": issued})
    assert first.status_code == 200
    [shown] = first.json()["reminders"]
    assert (shown["id"], shown["language"]) == (reminder_id, "en")
    [message] = shown["messages"]
    assert message["text"] == text("citizens_reminders.expiry_due", "en", document="passport", date="2 Jan 2027",
                                   service="Renewing a passport")  # fmt: skip
    assert message["options"] == [
        {"label": "Renewing a passport", "payload": '/ask_service{"service":"passport-renewal"}'}
    ]
    assert client.get("/api/chat/reminders", params={"sender": issued}).json() == {"reminders": []}


def test_a_linked_web_conversation_gets_its_citizens_reminder(client: TestClient) -> None:
    runtime = client.app.state.runtime
    first, second = runtime.web_senders.issue(), runtime.web_senders.issue()
    citizen = runtime.web_senders.rasa_sender(first)
    book = _book(runtime)
    CitizenIdentity(runtime.citizens_engine).link(
        runtime.web_senders.rasa_sender(second), citizen, "web", now=dt.datetime.now(dt.UTC)
    )
    reminder_id = _remind(book, citizen, lang="th")
    assert wait_until(lambda: [r.status for r in book.all_of(citizen)] == ["ready"], 10)
    [shown] = client.get("/api/chat/reminders", params={"sender": second}).json()["reminders"]
    assert (shown["id"], shown["language"]) == (reminder_id, "th")
    assert client.get("/api/chat/reminders", params={"sender": first}).json() == {"reminders": []}


def test_an_id_the_gateway_did_not_issue_is_404(client: TestClient) -> None:
    response = client.get("/api/chat/reminders", params={"sender": "web:guessed"})
    assert response.status_code == 404 and "error" in response.json()
    assert client.get("/api/chat/reminders").status_code == 422


# --- the widget -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    with tracker_rasa(TEST_SECRETS["rasa"]) as rasa:
        settings = _settings(tmp_path_factory.mktemp("reminder-widget"), rasa_port=urlsplit(rasa.url).port)
        app = create_app(settings)
        server = ThreadedServer(
            uvicorn.Config(app, host="127.0.0.1", port=settings.gateway.port, log_level="warning", lifespan="on")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            assert wait_until(lambda: server.started, 60), "gateway did not start"
            yield f"http://127.0.0.1:{settings.gateway.port}", app
        finally:
            server.should_exit = True
            thread.join(15)


@pytest.mark.browser
@pytest.mark.slow
def test_the_widget_shows_a_due_reminder_as_the_bots_message(browser: Browser, served: tuple[str, Any]) -> None:
    base_url, app = served
    runtime = app.state.runtime
    context = browser.new_context(locale="th-TH")
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{base_url}/")
        page.get_by_role("button", name="ถามผู้ช่วย", exact=True).click()
        box = page.locator("#cb-input")
        box.fill("การเตือนของฉัน")
        box.press("Enter")
        expect(page.locator(".cb-log").get_by_text(text("citizens_reminders.list_empty", "th"))).to_be_visible()
        issued = page.evaluate(
            "() => Object.entries(sessionStorage).find(([key]) => key.endsWith(':sender'))[1]"
        ).strip('"')
        _remind(_book(runtime), runtime.web_senders.rasa_sender(issued), lang="th")

        said = text("citizens_reminders.expiry_due", "th", document="หนังสือเดินทาง", date="2 ม.ค. 2570",
                    service="Renewing a passport")  # fmt: skip
        expect(page.locator(".cb-log").get_by_text(said)).to_be_visible(timeout=30_000)  # the widget polls every 10 s
        expect(page.get_by_role("button", name="Renewing a passport", exact=True)).to_be_visible()
        page.reload()  # kept in the conversation, shown once
        page.get_by_role("button", name="ถามผู้ช่วย", exact=True).click()
        expect(page.locator(".cb-log").get_by_text(said)).to_have_count(1)
        assert errors == []
    finally:
        context.close()
