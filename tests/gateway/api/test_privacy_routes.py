"""``/api/admin/conversations/{id}``: export and erasure by a staff member, and the privacy notice
the widget and the demo page show, rendered from the settings.

A real gateway app (TestClient) on real SQLite files; Rasa is the loopback tracker server.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from conversation.citizens.models import metadata as citizens_metadata
from gateway.app import create_app
from tests.gateway.rasa_tracker_stub import TrackerRasa, tracker_rasa
from tests.support import TEST_SECRETS, make_settings
from texts import text

AUTH = {"Authorization": f"Bearer {TEST_SECRETS['editor']}", "X-Editor": "officer-somsri"}
POLICY_URL = "https://www.example.go.th/privacy-policy"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, TrackerRasa]]:
    with tracker_rasa(TEST_SECRETS["rasa"]) as rasa:
        port = urlsplit(rasa.url).port
        settings = make_settings(tmp_path_factory.mktemp("privacy-routes"), rasa_port=port, prebuilt_catalogue=True)
        # Days nobody would pick, so the notice can only show them if it reads the settings.
        settings.privacy.conversation_days, settings.privacy.handoff_days, settings.privacy.feedback_days = 12, 45, 77
        settings.privacy.analytics_days = 200
        settings.web.keep_history_days = 3
        settings.web.privacy_policy_url = POLICY_URL
        with TestClient(create_app(settings)) as client:
            yield client, rasa


def chat(client: TestClient, text: str, sender: str | None = None) -> str:
    """One turn through the real chat API; the conversation id Rasa and the staff routes know."""
    body: dict[str, Any] = {"text": text} | ({"sender": sender} if sender else {})
    response = client.post("/api/chat", json=body)
    assert response.status_code == 200, response.text
    return str(response.json()["sender"])


def handoff_and_feedback(client: TestClient, conversation_id: str) -> None:
    conversations = client.app.state.runtime.conversations  # type: ignore[attr-defined]
    conversations.request_handoff(conversation_id, "web", "th", "asked", [{"role": "user", "text": "ขอคุยกับคน"}])
    conversations.record_feedback(conversation_id, "helpful", "ทำพาสปอร์ต", "ที่กรมการกงสุล", "passport")


def test_the_routes_need_the_staff_token(stack):
    client, _ = stack
    routes = (("GET", "/api/admin/conversations/web:x/export"), ("DELETE", "/api/admin/conversations/web:x"))
    for method, path in routes:
        for headers in ({}, {"Authorization": "Bearer not-the-token"}, {"Authorization": "Bearer "}):
            response = client.request(method, path, headers=headers)
            assert response.status_code == 401, (method, headers)
            assert response.json()["error"]["code"] == "unauthorized"


def test_an_unknown_conversation_is_404_in_the_envelope(stack):
    client, _ = stack
    for method, path in (
        ("GET", "/api/admin/conversations/web:nobody/export"),
        ("DELETE", "/api/admin/conversations/web:nobody"),
    ):
        response = client.request(method, path, headers=AUTH)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found" and "web:nobody" in response.json()["error"]["message"]


def test_a_conversation_is_exported_then_erased_and_then_unknown(stack):
    client, rasa = stack
    sender = chat(client, "ต่ออายุบัตรประชาชน")
    chat(client, "ขอคุยกับเจ้าหน้าที่", sender)
    conversation_id = f"web:{sender}"
    handoff_and_feedback(client, conversation_id)
    someone_else = f"web:{chat(client, 'passport please')}"

    exported = client.get(f"/api/admin/conversations/{conversation_id}/export", headers=AUTH)
    assert exported.status_code == 200, exported.text
    body = exported.json()
    assert body["conversation_id"] == conversation_id and body["activity"]["channel"] == "web"
    assert [h["reason"] for h in body["handoff_requests"]] == ["asked"]
    assert [f["question"] for f in body["feedback"]] == ["ทำพาสปอร์ต"]
    said = [e["text"] for e in body["rasa_tracker"]["events"] if e["event"] == "user"]
    assert said == ["ต่ออายุบัตรประชาชน", "ขอคุยกับเจ้าหน้าที่"]

    erased = client.delete(f"/api/admin/conversations/{conversation_id}", headers=AUTH)
    assert erased.status_code == 200, erased.text
    body = erased.json()
    # What the citizen asked the bot to keep (docs/citizen-profile.md): one count per table, none here.
    citizen = {key: body["erased"].pop(key) for key in list(body["erased"]) if key.startswith("citizen_")}
    assert set(citizen) == {f"citizen_{table.name}" for table in citizens_metadata.sorted_tables}
    assert set(citizen.values()) == {0}
    assert body == {
        "conversation_id": conversation_id,
        "erased": {
            "handoff_requests": 1,
            "feedback": 1,
            "turn_events": 2,  # the two turns the citizen typed (backoffice analytics)
            "handoff_messages": 0,  # the hand-off desk's (docs/handoff.md): none in this conversation
            "reports": 0,  # problem reports (docs/reports.md), the one being told, and their photos: none here
            "report_drafts": 0,
            "report_photos": 0,
            "held_national_ids": 0,
            "rasa_tracker_events": 4,
            "activity": 1,
        },
    }
    assert rasa.said(conversation_id) == []
    assert client.get(f"/api/admin/conversations/{conversation_id}/export", headers=AUTH).status_code == 404
    assert client.delete(f"/api/admin/conversations/{conversation_id}", headers=AUTH).status_code == 404
    assert client.get(f"/api/admin/conversations/{someone_else}/export", headers=AUTH).status_code == 200


def test_an_erasure_rasa_cannot_finish_is_503_and_a_second_delete_finishes_it(stack):
    client, rasa = stack
    conversation_id = f"web:{chat(client, 'hello')}"
    handoff_and_feedback(client, conversation_id)
    rasa.down = True
    try:
        first = client.delete(f"/api/admin/conversations/{conversation_id}", headers=AUTH)
    finally:
        rasa.down = False
    assert first.status_code == 503
    error = first.json()["error"]
    assert error["code"] == "erasure_incomplete"
    erased = {
        "handoff_requests": 1,
        "feedback": 1,
        "turn_events": 1,
        "handoff_messages": 0,
        "reports": 0,
        "report_drafts": 0,
        "report_photos": 0,
    }
    details = error["details"]["erased"]
    citizen = {key: details.pop(key) for key in list(details) if key.startswith("citizen_")}
    assert all(count == 0 for count in citizen.values())
    assert details == erased
    assert rasa.said(conversation_id) != []  # still there: the response did not pretend otherwise

    second = client.delete(f"/api/admin/conversations/{conversation_id}", headers=AUTH)
    assert second.status_code == 200, second.text
    assert second.json()["erased"]["rasa_tracker_events"] == 2 and rasa.said(conversation_id) == []


def _widget_config(client: TestClient) -> dict[str, Any]:
    script = client.get("/widget.js").text
    match = re.search(r"const CONFIG = (\{.*?\});\n", script)
    assert match, "widget.js carries its configuration"
    config: dict[str, Any] = json.loads(match.group(1))
    return config


def test_the_widget_is_told_the_days_and_the_policy_from_the_settings(stack):
    client, _ = stack
    privacy = _widget_config(client)["privacy"]
    assert privacy == {
        "keep_days": 3,
        "conversation_days": 12,
        "handoff_days": 45,
        "feedback_days": 77,
        "analytics_days": 200,
        "policy_url": POLICY_URL,
    }


def test_the_demo_page_tells_the_truth_in_both_languages_from_the_settings(stack):
    client, _ = stack
    page = html.unescape(client.get("/").text)
    assert "kept in this browser only" not in page and "ในเบราว์เซอร์นี้เท่านั้น" not in page
    assert "{{" not in page
    values = {"keep_days": 3, "conversation_days": 12, "handoff_days": 45, "feedback_days": 77, "analytics_days": 200}
    for lang in ("th", "en"):
        assert text("privacy.device", lang, **values) in page
        assert text("privacy.server", lang, **values) in page
        assert f'<a href="{POLICY_URL}" lang="{lang}">{text("privacy.policy", lang)}</a>' in page
    assert "12 days without use" in page and "ไม่ได้ใช้ 12 วัน" in page


def test_without_a_policy_url_the_notice_has_no_link(tmp_path):
    settings = make_settings(tmp_path, prebuilt_catalogue=True)
    with TestClient(create_app(settings)) as client:
        page = client.get("/").text
        assert text("privacy.policy", "en") not in html.unescape(page)
        assert _widget_config(client)["privacy"]["policy_url"] is None
        # The defaults, as the runbook documents them.
        assert "after 30 days without use" in html.unescape(page)
