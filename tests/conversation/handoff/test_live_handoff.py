"""The hand-off with a real Rasa server behind the real gateway: a citizen asks about a passport, asks
for a person, an officer takes the conversation; the citizen's next message reaches the officer and Rasa
never sees it (paused); the officer replies and hands back, and the bot answers "how much does it cost?"
for the passport, its context kept. Out of working hours the reply says when officers are back, offers
1111 and a contact, in Thai and in English."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest

from conversation.handoff.settings import WEEKDAYS, HandoffSettings
from conversation.handoff.working_hours import WorkingHours
from texts import text
from texts.wording import format_opening

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

PASSWORD = "a long enough passphrase"


def _sender() -> str:
    return f"handoff-{uuid.uuid4().hex[:12]}"


def _text(reply: dict) -> str:
    return "\n".join(m.get("text") or "" for m in reply["messages"])


@pytest.fixture(scope="module")
def officer(live_stack) -> dict[str, str]:
    accounts = live_stack.app_state.runtime.staff_accounts
    name = f"officer{uuid.uuid4().hex[:6]}"
    accounts.add_account(name, "agent", PASSWORD, display_name="Khun Malee")
    return {"Authorization": f"Bearer {accounts.issue_token(name)}"}


def _api(live_stack, method: str, path: str, headers: dict[str, str], **kwargs) -> httpx.Response:
    return httpx.request(method, f"{live_stack.base_url}{path}", headers=headers, timeout=60, **kwargs)


def _handoff_action(live_stack):
    return live_stack.app_state.runtime.executor.actions["action_handoff"].__self__


@pytest.fixture
def office_open(live_stack):
    """Working hours that include now, whatever the clock says."""
    action = _handoff_action(live_stack)
    kept = action.hours
    action.hours = WorkingHours(HandoffSettings(hours={day: ["00:00-24:00"] for day in WEEKDAYS}))
    yield
    action.hours = kept


@pytest.fixture
def office_closed(live_stack):
    """Open only on the day after tomorrow (Bangkok), so now is out of hours."""
    action = _handoff_action(live_stack)
    kept = action.hours
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=7) + dt.timedelta(days=2)).date()
    action.hours = WorkingHours(HandoffSettings(hours={WEEKDAYS[later.weekday()]: ["09:00-12:00"]}))
    yield action.hours
    action.hours = kept


def _events(live_stack, sender: str) -> list[dict]:
    token = live_stack.settings.rasa.auth_token.get_secret_value()
    url = f"{live_stack.settings.rasa.url}/conversations/{live_stack.rasa_sender(sender)}/tracker"
    response = httpx.get(url, params={"token": token, "include_events": "ALL"}, timeout=30)
    response.raise_for_status()
    return response.json()["events"]


def test_an_officer_takes_over_and_the_bot_answers_again_with_the_service_in_context(live_stack, officer, office_open):
    sender = _sender()
    live_stack.chat(sender, "How do I renew my passport?")
    asked = live_stack.chat(sender, "I want to talk to a person")
    assert "request #" in _text(asked)
    assert any(b.get("payload") == "/handoff_cancel" for m in asked["messages"] for b in m.get("options") or [])
    rasa_sender = live_stack.rasa_sender(sender)
    listed = _api(live_stack, "GET", "/api/admin/handoffs", officer).json()["handoffs"]
    [item] = [i for i in listed if i["sender_id"] == rasa_sender]
    assert item["state"] == "waiting" and item["language"] == "en" and item["channel"] == "web"

    while_waiting = live_stack.chat(sender, "what documents do I need?")  # waiting: the bot still answers
    assert while_waiting["status"] == "ok" and while_waiting["messages"]

    taken = _api(live_stack, "POST", f"/api/admin/handoffs/{item['id']}/take", officer)
    assert taken.status_code == 200, taken.text
    assert any(e["event"] == "pause" for e in _events(live_stack, sender))

    held = live_stack.chat(sender, "is the office open on Saturday?")
    assert held["status"] == "with_officer" and held["messages"] == []
    said_to_rasa = [e.get("text") for e in _events(live_stack, sender) if e["event"] == "user"]
    assert "is the office open on Saturday?" not in said_to_rasa  # the bot never saw it
    detail = _api(live_stack, "GET", f"/api/admin/handoffs/{item['id']}", officer).json()
    assert [m["text"] for m in detail["messages"] if m["author"] == "citizen"][-1] == "is the office open on Saturday?"
    assert any("passport" in (turn.get("text") or "").lower() for turn in detail["transcript"])

    reply = _api(live_stack, "POST", f"/api/admin/handoffs/{item['id']}/reply", officer, json={"text": "Yes, 9-12."})
    assert reply.status_code == 200
    seen = httpx.get(f"{live_stack.base_url}/api/chat/handoff", params={"sender": live_stack.issued[sender]}).json()
    assert seen["state"] == "with_officer" and seen["officer"] == "Khun Malee"
    assert [m["text"] for m in seen["messages"]] == [
        text("handoff.officer_joined", "en", name="Khun Malee"),
        "Yes, 9-12.",
    ]

    released = _api(live_stack, "POST", f"/api/admin/handoffs/{item['id']}/release", officer)
    assert released.status_code == 200 and released.json()["state"] == "released"
    assert _events(live_stack, sender)[-1]["event"] == "resume"
    cost = live_stack.chat(sender, "and how much does it cost?")
    assert cost["status"] == "ok"
    assert "Fees:" in _text(cost) and "passport" in _text(cost).lower()  # the service in context, kept


@pytest.mark.parametrize(("ask", "lang"), [("ขอคุยกับเจ้าหน้าที่หน่อยครับ", "th"), ("I want to talk to a person", "en")])
def test_out_of_hours_says_when_offers_1111_and_keeps_a_contact(live_stack, office_closed, ask, lang):
    sender = _sender()
    reply = live_stack.chat(sender, ask)
    opening = office_closed.next_opening(dt.datetime.now(dt.UTC))
    said = _text(reply)
    assert format_opening(opening, lang) in said and "1111" in said
    payloads = {b.get("payload") for m in reply["messages"] for b in m.get("options") or []}
    assert {"/handoff_contact", "/handoff_cancel"} <= payloads
    asked = live_stack.chat(sender, "/handoff_contact")
    assert _text(asked) == text("handoff.contact_ask", lang)
    # Not a number tests/gateway/test_pii_scan.py types: a contact left with consent is kept in clear for
    # the officer, and that scan of the shared stack's files must find only what it typed itself.
    saved = live_stack.chat(sender, "0898765432")
    assert _text(saved) == text("handoff.contact_saved", lang)
    store = live_stack.app_state.runtime.handoff_desk.store
    record = store.open_for(live_stack.rasa_sender(sender))
    assert record.contact == "0898765432"
    cancelled = live_stack.chat(sender, "/handoff_cancel")
    assert _text(cancelled) == text("handoff.cancelled", lang)
    assert store.get(record.id).contact is None  # cancelling withdraws the consent
