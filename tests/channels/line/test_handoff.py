"""LINE and the hand-off desk, against the LINE loopback stub: while an officer holds the conversation the
citizen's messages get no bot reply; the officer's answer goes by the kept reply token while it is fresh,
else by push, and the desk's notices are pushed."""

from __future__ import annotations

import copy

from tests.channels.line.conftest import fixture_event
from tests.support import wait_until
from texts import text

USER = "U746578742d7468000000000000000000"


def message_event(said: str, token: str, event_id: str) -> dict:
    event = copy.deepcopy(fixture_event("text_th"))
    event["message"]["text"], event["replyToken"], event["webhookEventId"] = said, token, event_id
    return event


def test_a_held_line_conversation_reaches_the_officer_and_their_replies_reach_line(gateway):
    runtime = gateway.client.app.state.runtime
    runtime.staff_accounts.add_account("somchai", "agent", "a long enough passphrase", display_name="Somchai")
    officer = {"Authorization": f"Bearer {runtime.staff_accounts.issue_token('somchai')}"}
    record = runtime.conversations.request_handoff(f"line:{USER}", "line", "th", "asked", [])

    assert gateway.client.post(f"/api/admin/handoffs/{record.id}/take", headers=officer).status_code == 200
    assert wait_until(lambda: len(gateway.stub.delivered()) == 1)
    [joined] = gateway.sent()
    assert joined["kind"] == "push" and joined["to"] == USER
    assert joined["messages"][0]["text"] == text("handoff.officer_joined", "th", name="Somchai")

    gateway.deliver_events(message_event("ขอถามเรื่องเอกสารครับ", "rt-held-1", "01JDHANDOFF0000000000000001"))
    assert len(gateway.sent()) == 1  # no bot reply while the officer holds it
    detail = gateway.client.get(f"/api/admin/handoffs/{record.id}", headers=officer).json()
    assert detail["messages"][-1]["text"] == "ขอถามเรื่องเอกสารครับ"

    reply = gateway.client.post(
        f"/api/admin/handoffs/{record.id}/reply", headers=officer, json={"text": "ใช้บัตรประชาชนตัวจริงค่ะ"}
    )
    assert reply.status_code == 200
    assert wait_until(lambda: len(gateway.sent()) == 2)
    answered = gateway.sent()[-1]
    assert answered["kind"] == "reply" and answered["replyToken"] == "rt-held-1"
    assert answered["messages"][0]["text"] == "ใช้บัตรประชาชนตัวจริงค่ะ"

    again = gateway.client.post(f"/api/admin/handoffs/{record.id}/reply", headers=officer, json={"text": "อีกเรื่องค่ะ"})
    assert again.status_code == 200
    assert wait_until(lambda: len(gateway.sent()) == 3)
    assert gateway.sent()[-1]["kind"] == "push"  # the token was used: push

    assert gateway.client.post(f"/api/admin/handoffs/{record.id}/release", headers=officer).status_code == 200
    assert wait_until(lambda: len(gateway.sent()) == 4)
    assert gateway.sent()[-1]["messages"][0]["text"] == text("handoff.bot_back", "th")
    gateway.deliver_events(message_event("ต่ออายุบัตรประชาชน", "rt-after", "01JDHANDOFF0000000000000002"))
    assert wait_until(lambda: len(gateway.sent()) == 5)
    assert gateway.sent()[-1]["kind"] == "reply" and gateway.sent()[-1]["replyToken"] == "rt-after"  # the bot again
