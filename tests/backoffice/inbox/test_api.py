"""The inbox's JSON API and the widget's hand-off endpoints on the real gateway (Rasa down: the desk needs
none of it): an officer lists, takes, reads, replies, forwards, releases and closes; the citizen's message
to a held conversation reaches the officer and gets no bot reply; refusals are 401/403/404/409/422 with
Thai and English messages."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from tests.support import make_settings
from texts import text

PASSWORD = "a long enough passphrase"
SOMCHAI: dict[str, str] = {}  # agents
MALEE: dict[str, str] = {}
ANALYST: dict[str, str] = {}
ITEM_KEYS = {
    "id",
    "sender_id",
    "channel",
    "language",
    "reason",
    "state",
    "assigned_to",
    "created_at",
    "taken_at",
    "waiting_seconds",
    "contact",
    "last_message",
    "unread",
}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("inbox"))
    with TestClient(create_app(settings)) as test_client:
        accounts = test_client.app.state.runtime.staff_accounts
        for name, role, shown, headers in (
            ("somchai", "agent", "Somchai J.", SOMCHAI),
            ("malee", "agent", "Malee K.", MALEE),
            ("wipa", "analyst", "Wipa", ANALYST),
        ):
            accounts.add_account(name, role, PASSWORD, display_name=shown)
            headers["Authorization"] = f"Bearer {accounts.issue_token(name)}"
        accounts.add_account("editor1", "editor", PASSWORD)
        yield test_client


def citizen(client: TestClient, said: str = "สวัสดีครับ", lang: str = "th") -> tuple[str, int]:
    """A web conversation the gateway issued, with a hand-off request; (issued id, request id)."""
    sender = client.post("/api/chat", json={"text": said}).json()["sender"]
    record = client.app.state.runtime.conversations.request_handoff(
        f"web:{sender}", "web", lang, "asked", [{"from": "citizen", "text": "ขอคุยกับเจ้าหน้าที่ โทร 0812345678"}]
    )
    return sender, record.id


def widget(client: TestClient, sender: str, after: int = 0) -> dict:
    response = client.get("/api/chat/handoff", params={"sender": sender, "after": after})
    assert response.status_code == 200, response.text
    return response.json()


def test_an_officer_takes_answers_and_hands_back(client):
    sender, handoff = citizen(client)
    listed = client.get("/api/admin/handoffs", headers=SOMCHAI).json()["handoffs"]
    [item] = [i for i in listed if i["id"] == handoff]
    assert set(item) == ITEM_KEYS and item["state"] == "waiting" and item["channel"] == "web"
    assert item["sender_id"] == f"web:{sender}" and item["assigned_to"] is None
    assert widget(client, sender) == {"state": "waiting", "officer": None, "typing": False, "messages": []}

    taken = client.post(f"/api/admin/handoffs/{handoff}/take", headers=SOMCHAI)
    assert taken.status_code == 200, taken.text
    assert taken.json()["state"] == "taken" and taken.json()["assigned_to"] == "somchai"
    seen = widget(client, sender)
    assert seen["state"] == "with_officer" and seen["officer"] == "Somchai J."
    assert seen["messages"][0]["author"] == "system"
    assert seen["messages"][0]["text"] == text("handoff.officer_joined", "th", name="Somchai J.")

    refused = client.post(f"/api/admin/handoffs/{handoff}/take", headers=MALEE)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "handoff_taken" and error["details"]["assigned_to"] == "somchai"
    assert set(error["details"]["messages"]) == {"th", "en"}

    held = client.post("/api/chat", json={"sender": sender, "text": "ต้องใช้เอกสารอะไรบ้างครับ"}).json()
    assert held["status"] == "with_officer" and held["messages"] == []
    [item] = [i for i in client.get("/api/admin/handoffs?mine=true", headers=SOMCHAI).json()["handoffs"]]
    assert item["unread"] == 1 and item["last_message"] == "ต้องใช้เอกสารอะไรบ้างครับ"

    detail = client.get(f"/api/admin/handoffs/{handoff}", headers=SOMCHAI).json()
    assert [m["author"] for m in detail["messages"]] == ["system", "citizen"]
    assert detail["transcript"][0]["text"].startswith("ขอคุยกับเจ้าหน้าที่") and "0812345678" not in str(detail)
    assert detail["unread"] == 0 and detail["outcome"] is None and detail["closed_at"] is None

    last = seen["messages"][-1]["id"]
    reply = client.post(f"/api/admin/handoffs/{handoff}/reply", headers=SOMCHAI, json={"text": "ใช้บัตรประชาชนค่ะ"})
    assert reply.status_code == 200 and reply.json()["author"] == "agent" and reply.json()["agent"] == "somchai"
    assert client.post(f"/api/admin/handoffs/{handoff}/typing", headers=SOMCHAI).status_code == 204
    seen = widget(client, sender, last)
    assert seen["typing"] is True
    assert [(m["author"], m["text"]) for m in seen["messages"]] == [("agent", "ใช้บัตรประชาชนค่ะ")]

    not_mine = client.post(f"/api/admin/handoffs/{handoff}/reply", headers=MALEE, json={"text": "hi"})
    assert not_mine.status_code == 409
    released = client.post(f"/api/admin/handoffs/{handoff}/release", headers=SOMCHAI)
    assert released.status_code == 200 and released.json()["state"] == "released"
    seen = widget(client, sender, reply.json()["id"])
    assert seen["state"] == "released" and seen["messages"][-1]["text"] == text("handoff.bot_back", "th")
    after = client.post("/api/chat", json={"sender": sender, "text": "ต่ออายุบัตรประชาชน"}).json()
    assert after["status"] != "with_officer" and after["messages"]  # the bot (here its catalogue) answers
    again = client.post(f"/api/admin/handoffs/{handoff}/close", headers=SOMCHAI, json={"outcome": "answered"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "handoff_wrong_state"
    audit = client.app.state.runtime.staff_accounts.store.audit_entries(action="handoff.take")
    assert [entry.account for entry in audit if entry.target == str(handoff)] == ["somchai"]


def test_forward_to_a_colleague_then_close_with_an_outcome(client):
    sender, handoff = citizen(client, "Hello", "en")
    client.post(f"/api/admin/handoffs/{handoff}/take", headers=SOMCHAI)
    for nobody in ("nobody", "editor1", "wipa"):
        refused = client.post(f"/api/admin/handoffs/{handoff}/forward", headers=SOMCHAI, json={"to": nobody})
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "unknown_agent"
    moved = client.post(f"/api/admin/handoffs/{handoff}/forward", headers=SOMCHAI, json={"to": "malee"})
    assert moved.status_code == 200 and moved.json()["assigned_to"] == "malee"
    assert widget(client, sender)["officer"] == "Malee K."
    bad = client.post(f"/api/admin/handoffs/{handoff}/close", headers=MALEE, json={"outcome": "done"})
    assert bad.status_code == 422
    closed = client.post(f"/api/admin/handoffs/{handoff}/close", headers=MALEE, json={"outcome": "referred"})
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    seen = widget(client, sender)
    assert seen["state"] == "closed" and seen["messages"][-1]["text"] == text("handoff.closed", "en")
    finished = client.get("/api/admin/handoffs?state=closed", headers=MALEE).json()["handoffs"]
    assert handoff in [i["id"] for i in finished]
    detail = client.get(f"/api/admin/handoffs/{handoff}", headers=MALEE).json()
    assert detail["outcome"] == "referred" and detail["closed_at"]


def test_the_citizen_cancels_from_the_widget(client):
    sender, handoff = citizen(client)
    cancelled = client.post("/api/chat/handoff/cancel", json={"sender": sender})
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    taken = client.post(f"/api/admin/handoffs/{handoff}/take", headers=SOMCHAI)
    assert taken.status_code == 409 and taken.json()["error"]["details"]["state"] == "cancelled"
    assert client.post("/api/chat/handoff/cancel", json={"sender": "made-up"}).status_code == 404
    assert client.get("/api/chat/handoff", params={"sender": "made-up"}).status_code == 404
    assert client.post("/api/chat/handoff/cancel", content=b"{").status_code == 400


def test_a_contact_left_with_consent_is_masked_in_lists_and_clear_for_the_holder(client):
    sender, handoff = citizen(client)
    asked = client.post("/api/chat", json={"sender": sender, "text": "/handoff_contact"}).json()
    assert asked["messages"][0]["text"] == text("handoff.contact_ask", "th")
    saved = client.post("/api/chat", json={"sender": sender, "text": "โทร 081-234-5678 ครับ"}).json()
    assert saved["messages"][0]["text"] == text("handoff.contact_saved", "th")
    [item] = [i for i in client.get("/api/admin/handoffs", headers=MALEE).json()["handoffs"] if i["id"] == handoff]
    assert item["contact"] and "234-5678" not in item["contact"]
    assert client.get(f"/api/admin/handoffs/{handoff}", headers=MALEE).json()["contact_full"] is None
    client.post(f"/api/admin/handoffs/{handoff}/take", headers=MALEE)
    assert client.get(f"/api/admin/handoffs/{handoff}", headers=MALEE).json()["contact_full"] == "081-234-5678"
    client.post(f"/api/admin/handoffs/{handoff}/close", headers=MALEE, json={"outcome": "answered"})


def test_refusals_without_an_account_permission_or_request(client):
    assert client.get("/api/admin/handoffs").status_code == 401
    forbidden = client.get("/api/admin/handoffs", headers=ANALYST)
    assert forbidden.status_code == 403 and set(forbidden.json()["error"]["details"]["messages"]) == {"th", "en"}
    missing = client.post("/api/admin/handoffs/99999/take", headers=SOMCHAI)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "handoff_not_found"
    assert client.get("/api/admin/handoffs/99999", headers=SOMCHAI).status_code == 404
    assert client.post("/api/admin/handoffs/1/reply", headers=SOMCHAI, json={"text": ""}).status_code == 422
    assert client.get("/api/admin/handoffs?state=nonsense", headers=SOMCHAI).status_code == 422


def test_presence_agents_and_figures(client):
    assert client.put("/api/admin/handoffs/presence", headers=SOMCHAI, json={"status": "online"}).json() == {
        "status": "online"
    }
    assert client.put("/api/admin/handoffs/presence", headers=SOMCHAI, json={"status": "busy"}).status_code == 422
    agents = {a["name"]: a for a in client.get("/api/admin/handoffs/agents", headers=MALEE).json()["agents"]}
    assert set(agents) == {"somchai", "malee"}
    assert agents["somchai"]["status"] == "online" and agents["malee"]["status"] == "away"
    assert agents["somchai"]["display_name"] == "Somchai J."
    figures = client.get("/api/admin/handoffs/figures?days=7", headers=MALEE).json()
    assert set(figures) == {"waiting_seconds", "per_agent", "outcomes", "requests", "taken"}
    assert figures["requests"] >= 1 and set(figures["waiting_seconds"]) == {"median", "p90"}


def test_a_citizens_export_holds_the_desk_messages_and_erasure_removes_them(client):
    from tests.support import TEST_SECRETS

    privacy = {"Authorization": f"Bearer {TEST_SECRETS['editor']}", "X-Editor": "officer-somsri"}
    sender, handoff = citizen(client)
    client.post(f"/api/admin/handoffs/{handoff}/take", headers=SOMCHAI)
    client.post("/api/chat", json={"sender": sender, "text": "อีเมลผม somchai@example.com"})
    client.post(f"/api/admin/handoffs/{handoff}/reply", headers=SOMCHAI, json={"text": "รับทราบค่ะ"})
    exported = client.get(f"/api/admin/conversations/web:{sender}/export", headers=privacy)
    assert exported.status_code == 200, exported.text
    messages = exported.json()["handoff_messages"]
    assert [m["author"] for m in messages] == ["system", "citizen", "agent"]
    assert "somchai@example.com" not in str(messages)
    assert exported.json()["handoff_requests"][0]["assigned_to"] == "somchai"
    client.delete(f"/api/admin/conversations/web:{sender}", headers=privacy)  # Rasa is down: ours go all the same
    store = client.app.state.runtime.handoff_desk.store
    assert store.messages_for_export(f"web:{sender}") == [] and store.latest_for(f"web:{sender}") is None


def test_the_analytics_summary_has_a_handoffs_block(client):
    accounts = client.app.state.runtime.staff_accounts
    accounts.add_account("nid", "analyst", PASSWORD)
    analyst = {"Authorization": f"Bearer {accounts.issue_token('nid')}"}
    summary = client.get("/admin/api/analytics/summary", headers=analyst)
    assert summary.status_code == 200, summary.text
    block = summary.json()["handoffs"]
    assert set(block) == {"waiting_seconds", "per_agent", "outcomes", "requests", "taken"}
    assert block["requests"] >= 3 and block["per_agent"].get("somchai", 0) >= 1
    assert block["outcomes"].get("referred", 0) >= 1
