"""A LINE citizen handed to an officer and back, with the real bot: Rasa's hand-off action files the
request, an officer takes it through the inbox API, the citizen's next message gets no bot reply, the
officer's answer reaches the LINE stub by the kept reply token, and after hand-back the real bot answers
the follow-up for the service talked about before."""

from __future__ import annotations

import itertools

import httpx
import pytest
from fastapi.testclient import TestClient

from conversation.handoff.settings import WEEKDAYS, HandoffSettings
from conversation.handoff.working_hours import WorkingHours
from gateway.app import create_app
from tests.channels.line.conftest import LineGateway, line_settings
from texts import text

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

USER = "U1a2b3c4d5e6f70000000000000000016"
_ids = itertools.count(1)


@pytest.fixture(scope="module")
def line_desk(live_stack, tmp_path_factory, line_stub):
    """A LINE gateway on the live stack's Rasa (whose actions run in the live stack's gateway and file
    the request in its conversations database, which this gateway's desk reads too)."""
    settings = line_settings(tmp_path_factory.mktemp("line-handoff"), line_stub, rasa_url=live_stack.settings.rasa.url)
    settings.store.conversations_url = live_stack.settings.store.conversations_url
    settings.rasa.auth_token = live_stack.settings.rasa.auth_token  # pause and resume go to that Rasa
    action = live_stack.app_state.runtime.executor.actions["action_handoff"].__self__
    kept = action.hours
    action.hours = WorkingHours(HandoffSettings(hours={day: ["00:00-24:00"] for day in WEEKDAYS}))
    try:
        with TestClient(create_app(settings)) as client:
            yield LineGateway(client, line_stub)
    finally:
        action.hours = kept


def _message(said: str) -> dict:
    n = next(_ids)
    return {
        "type": "message",
        "mode": "active",
        "timestamp": 1732350200000 + n,
        "source": {"type": "user", "userId": USER},
        "webhookEventId": f"01JDLIVEHANDOFF{n:011d}",
        "deliveryContext": {"isRedelivery": False},
        "replyToken": f"rt-handoff-{n}",
        "message": {"type": "text", "id": f"5{n:017d}", "quoteToken": f"q{n}", "text": said},
    }


def _texts(sent: list[dict]) -> str:
    return "\n".join(m.get("text", "") for s in sent for m in s["messages"])


def _tracker_events(live_stack) -> list[str]:
    token = live_stack.settings.rasa.auth_token.get_secret_value()
    url = f"{live_stack.settings.rasa.url}/conversations/line:{USER}/tracker"
    response = httpx.get(url, params={"token": token, "include_events": "ALL"}, timeout=30)
    response.raise_for_status()
    return [event["event"] for event in response.json()["events"]]


def test_a_line_citizen_is_answered_by_an_officer_then_by_the_bot_again(line_desk, live_stack):
    gateway = line_desk
    runtime = gateway.client.app.state.runtime
    runtime.staff_accounts.add_account("malee", "agent", "a long enough passphrase", display_name="Malee")
    officer = {"Authorization": f"Bearer {runtime.staff_accounts.issue_token('malee')}"}

    gateway.stub.reset()
    gateway.deliver_events(_message("ต่ออายุหนังสือเดินทางต้องทำอย่างไร"))
    assert "หนังสือเดินทาง" in str(gateway.sent()), gateway.sent()
    gateway.stub.reset()
    gateway.deliver_events(_message("ขอคุยกับเจ้าหน้าที่ครับ"))
    [filed] = gateway.sent()
    assert filed["kind"] == "reply" and "ส่งเรื่องให้เจ้าหน้าที่แล้ว" in _texts([filed]), filed

    [request] = [h for h in gateway.client.get("/api/admin/handoffs", headers=officer).json()["handoffs"]
                 if h["sender_id"] == f"line:{USER}"]  # fmt: skip
    assert request["channel"] == "line" and request["state"] == "waiting"
    gateway.stub.reset()
    taken = gateway.client.post(f"/api/admin/handoffs/{request['id']}/take", headers=officer)
    assert taken.status_code == 200, taken.text
    [joined] = gateway.sent()
    assert joined["kind"] == "push" and joined["to"] == USER
    assert _texts([joined]) == text("handoff.officer_joined", "th", name="Malee")
    assert _tracker_events(live_stack)[-1] == "pause"

    gateway.stub.reset()
    gateway.deliver_events(_message("ต้องใช้เอกสารอะไรบ้างครับ"))
    assert gateway.sent() == []  # the bot is silent while the officer holds it
    detail = gateway.client.get(f"/api/admin/handoffs/{request['id']}", headers=officer).json()
    assert detail["messages"][-1]["author"] == "citizen"
    assert detail["messages"][-1]["text"] == "ต้องใช้เอกสารอะไรบ้างครับ"
    assert _tracker_events(live_stack)[-1] == "pause"  # Rasa never saw the held message

    answer = "ใช้บัตรประชาชนตัวจริงและหนังสือเดินทางเล่มเดิมครับ"
    replied = gateway.client.post(f"/api/admin/handoffs/{request['id']}/reply", headers=officer, json={"text": answer})
    assert replied.status_code == 200, replied.text
    [delivered] = gateway.sent()
    assert delivered["kind"] == "reply", delivered  # the held message's reply token was still fresh
    assert answer in _texts([delivered])

    gateway.stub.reset()
    released = gateway.client.post(f"/api/admin/handoffs/{request['id']}/release", headers=officer)
    assert released.status_code == 200, released.text
    assert _texts(gateway.sent()) == text("handoff.bot_back", "th")
    assert _tracker_events(live_stack)[-1] == "resume"

    gateway.stub.reset()
    gateway.deliver_events(_message("ค่าธรรมเนียมเท่าไหร่ครับ"))
    [bot] = gateway.sent()
    assert bot["kind"] == "reply"
    said = _texts([bot])
    # The real bot, with the service asked about before the hand-off still in its context.
    assert "หนังสือเดินทาง" in said and "บาท" in said, said
