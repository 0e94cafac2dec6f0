"""The analytics API on the real gateway: turns sent to /api/chat (Rasa down, so the catalogue answers
them in degraded mode) are recorded, masked, counted, listed as unanswered, exported as CSV, and one
click turns an unanswered question into an example question that then finds its service."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from fastapi.testclient import TestClient

from backoffice.analytics.filters import today
from gateway.app import create_app
from tests.support import TEST_SECRETS, make_settings, wait_until

# The privacy API (erase, export) still takes the shared editor token; the analytics take account tokens.
STAFF = {"Authorization": f"Bearer {TEST_SECRETS['editor']}", "X-Editor": "somsri"}
PASSWORD = "a long enough passphrase"
ANALYST: dict[str, str] = {}  # an analyst's token: reads the figures, may not add examples
EDITOR: dict[str, str] = {}  # an editor's token: adds examples (somsri, named in the history and audit)
# Not in the catalogue (a referral says who handles it): an editor decides it belongs to the lost-card service.
UNANSWERED = "บัตรสีชมพูหายทำไง"
TARGET = "id-card-replacement-lost-damaged"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("analytics"), prebuilt_catalogue=True)  # no Rasa
    with TestClient(create_app(settings)) as test_client:
        assert wait_until(lambda: test_client.get("/health").json()["catalogue"]["ready"], timeout=120)
        runtime = test_client.app.state.runtime
        runtime.catalogue.wait_for_classifier(120)  # answer as a settled gateway does
        for name, role, headers in (("malee", "analyst", ANALYST), ("somsri", "editor", EDITOR)):
            runtime.staff_accounts.add_account(name, role, PASSWORD)
            headers["Authorization"] = f"Bearer {runtime.staff_accounts.issue_token(name)}"
        yield test_client


def chat(client: TestClient, said: str) -> dict:
    response = client.post("/api/chat", json={"text": said})
    assert response.status_code == 200, response.text
    client.app.state.runtime.turn_recorder.flush()  # the event is written after the reply
    return response.json()


def cards(reply: dict) -> list[str]:
    return [m["card"]["service_id"] for m in reply["messages"] if m["type"] == "card"]


def get(client: TestClient, path: str, **params: str) -> dict:
    response = client.get(f"/admin/api/analytics/{path}", params=params, headers=ANALYST)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_turn_is_recorded_with_the_citizens_words_masked(client):
    reply = chat(client, "ต่ออายุบัตรประชาชน เลขบัตร 1101700203451 โทร 0812345678")
    assert reply["status"] == "degraded" and cards(reply) == ["id-card-renewal"]
    events = client.app.state.runtime.turn_events
    [row] = events.of(f"web:{reply['sender']}")
    assert row["outcome"] == "answered" and row["service_id"] == "id-card-renewal"
    assert row["channel"] == "web" and row["language"] == "th"
    assert "1101700203451" not in row["message"] and "0812345678" not in row["message"]
    assert row["message"].startswith("ต่ออายุบัตรประชาชน")


def test_the_summary_counts_todays_questions(client):
    chat(client, "How do I renew my passport?")
    figures = get(client, "summary")
    day = today().isoformat()
    assert figures["filters"]["to"] == day
    per_day = {(row["day"], row["channel"], row["language"]): row["questions"] for row in figures["per_day"]}
    assert per_day[(day, "web", "th")] >= 1 and per_day[(day, "web", "en")] >= 1
    assert figures["outcomes"]["statuses"]["degraded"] == figures["turns"]  # Rasa is down: all degraded
    assert figures["rates"]["degraded"] == 1.0
    top = {row["service_id"]: row for row in figures["top_services"]}
    assert top["id-card-renewal"]["title_en"] and top["id-card-renewal"]["count"] >= 1
    assert (
        figures["turn_time_ms"]["p50"] is not None and figures["turn_time_ms"]["p95"] >= figures["turn_time_ms"]["p50"]
    )
    english = get(client, "summary", language="en")
    assert {row["language"] for row in english["per_day"]} == {"en"}


def test_an_unanswered_question_added_as_an_example_then_finds_its_service(client):
    before = chat(client, UNANSWERED)
    assert TARGET not in cards(before)
    chat(client, UNANSWERED + "!!")  # the same question, typed again
    groups = get(client, "unanswered")["groups"]
    [group] = [g for g in groups if UNANSWERED in g["examples"]]
    assert group["count"] >= 2 and group["example_of"] == []
    assert group["first_seen"] <= group["last_seen"]

    response = client.post(
        f"/admin/api/analytics/unanswered/{group['id']}/add-example",
        headers=EDITOR,
        json={"service_id": TARGET, "message": UNANSWERED},
    )
    assert response.status_code == 200, response.text
    added = response.json()
    assert added["added"] and added["searchable"] and added["language"] == "th"
    runtime = client.app.state.runtime
    assert runtime.store.history(TARGET)[-1].author == "somsri"
    [entry] = runtime.staff_accounts.store.audit_entries(action="catalogue.add_example")
    assert entry.account == "somsri" and entry.target == TARGET
    assert UNANSWERED in runtime.store.get(TARGET).example_questions.th

    runtime.catalogue.wait_for_classifier(120)  # retrained on the change in the background
    after = chat(client, UNANSWERED)
    assert cards(after)[:1] == [TARGET]
    [group] = [g for g in get(client, "unanswered")["groups"] if UNANSWERED in g["examples"]]
    assert group["example_of"] == [TARGET]  # the list shows the miss is dealt with

    again = client.post(
        f"/admin/api/analytics/unanswered/{group['id']}/add-example",
        headers=EDITOR,
        json={"service_id": TARGET, "message": UNANSWERED},
    )
    assert again.status_code == 200 and again.json()["added"] is False  # no second copy, no new version
    assert again.json()["version"] == added["version"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"service_id": "no-such-service", "message": "แมวหาย"}, 404, "not_found"),
        ({"service_id": TARGET, "message": "แมวหาย", "expected_version": "stale"}, 409, "stale_version"),
        ({"service_id": TARGET, "message": "   "}, 422, "invalid_request"),
        ({"service_id": TARGET, "message": "ก" * 301}, 422, "invalid_request"),
        ({"service_id": TARGET}, 422, "invalid_request"),
    ],
)
def test_adding_an_example_refuses_what_it_cannot_do(client, body, status, code):
    if body.get("expected_version") == "stale":  # an analyst who opened the service before someone saved it
        body = {**body, "expected_version": client.app.state.runtime.store.current_version(TARGET) + 1}
    response = client.post("/admin/api/analytics/unanswered/abc123/add-example", headers=EDITOR, json=body)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


def test_a_body_that_is_not_json_is_a_clear_400(client):
    response = client.post(
        "/admin/api/analytics/unanswered/abc123/add-example",
        headers={**EDITOR, "Content-Type": "application/json"},
        content=b"{not json",
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "malformed_json"


def test_the_csv_export_opens_in_a_spreadsheet_with_thai_intact(client):
    chat(client, '=HYPERLINK("http://evil") บัตรหาย 1101700203451')
    response = client.get("/admin/api/analytics/export.csv", params={"table": "turns"}, headers=ANALYST)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith("\ufeff".encode())  # the BOM Excel needs to read UTF-8
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    messages = [row["message"] for row in rows]
    assert any(message.startswith("ต่ออายุบัตรประชาชน") for message in messages)
    assert not any("1101700203451" in message for message in messages)
    assert any(message.startswith("'=HYPERLINK") for message in messages)  # shown as text, never run
    assert "conversation_id" not in rows[0]

    services = client.get("/admin/api/analytics/export.csv", params={"table": "services"}, headers=ANALYST)
    table = list(csv.DictReader(io.StringIO(services.content.decode("utf-8-sig"))))
    renewal = next(row for row in table if row["service_id"] == "id-card-renewal")
    assert renewal["title_th"].startswith("ทำบัตรประจำตัวประชาชน") and int(renewal["answered"]) >= 1

    unanswered = client.get("/admin/api/analytics/export.csv", params={"table": "unanswered"}, headers=ANALYST)
    assert "group_id,count,first_seen" in unanswered.content.decode("utf-8-sig").splitlines()[0]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026/12/01"}, "from"),
        ({"to": "31-12-2026"}, "to"),
        ({"from": "2026-12-05", "to": "2026-12-01"}, "from"),
        ({"channel": "facebook"}, "channel"),
        ({"language": "fr"}, "language"),
    ],
)
@pytest.mark.parametrize("path", ["summary", "unanswered", "export.csv"])
def test_a_bad_filter_is_a_400_that_names_it(client, path, params, field):
    response = client.get(f"/admin/api/analytics/{path}", params=params, headers=ANALYST)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_filter" and error["details"][0]["field"] == field


def test_an_unknown_csv_table_is_a_400(client):
    response = client.get("/admin/api/analytics/export.csv", params={"table": "people"}, headers=ANALYST)
    assert response.status_code == 400 and "turns, services, unanswered" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "summary"),
        ("GET", "unanswered"),
        ("GET", "export.csv"),
        ("POST", "unanswered/abc123/add-example"),
    ],
)
def test_without_an_account_nothing_is_shown(client, method, path):
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, STAFF):  # the shared editor token is no account
        response = client.request(method, f"/admin/api/analytics/{path}", headers=headers, json={})
        assert response.status_code == 401, response.text


def test_an_analyst_reads_the_figures_but_may_not_change_the_catalogue(client):
    response = client.post(
        "/admin/api/analytics/unanswered/abc123/add-example",
        headers=ANALYST,
        json={"service_id": TARGET, "message": "แมวหาย"},
    )
    assert response.status_code == 403, response.text
    assert response.json()["error"]["details"]["missing_permission"] == "edit"


def test_erasing_a_conversation_erases_its_events(client):
    reply = chat(client, "ทำพาสปอร์ตที่ไหน โทร 0899999999")
    conversation = f"web:{reply['sender']}"
    events = client.app.state.runtime.turn_events
    assert len(events.of(conversation)) == 1
    # Rasa is down: our records go at once, its tracker later (503 says so).
    response = client.delete(f"/api/admin/conversations/{conversation}", headers=STAFF)
    assert response.status_code == 503
    assert response.json()["error"]["details"]["erased"]["turn_events"] == 1
    assert events.of(conversation) == []


def test_the_export_of_a_conversation_includes_its_events(client):
    reply = chat(client, "ทำพาสปอร์ตที่ไหน")
    response = client.get(f"/api/admin/conversations/web:{reply['sender']}/export", headers=STAFF)
    assert response.status_code == 200
    [event] = response.json()["turn_events"]
    assert event["message"] == "ทำพาสปอร์ตที่ไหน"
    assert dt.datetime.fromisoformat(event["at"]).tzinfo is not None
