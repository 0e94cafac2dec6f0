"""The external systems' status API on the real gateway: bearer tokens per system (503 when none is
configured, 401 for a wrong or missing one), a change recorded as external:<system> with the citizen's
notice queued, and its refusals (404 unknown ticket, 409 stale version, 422 unreadable or not allowed)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from conversation.reports.store import NewReport, Report
from gateway.app import create_app
from tests.support import make_settings

TRAFFY = {"Authorization": "Bearer traffy-token-for-the-status-api-tests"}
BMA = {"Authorization": "Bearer bma-token-for-the-status-api-tests"}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("report-status"))
    settings.reports.status_api_tokens = {
        "traffy": SecretStr(TRAFFY["Authorization"].removeprefix("Bearer ")),
        "bma": SecretStr(BMA["Authorization"].removeprefix("Bearer ")),
    }
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def file_report(client: TestClient, sender: str = "line:Uext", latitude: float = 13.75) -> Report:
    new = NewReport(
        sender_id=sender,
        channel="line",
        language="en",
        description="Pothole in front of the school, call 081-234-5678",
        type="ถนน",
        latitude=latitude,
        longitude=100.5,
        province="กรุงเทพมหานคร",
        district="พระนคร",
    )
    return client.app.state.runtime.reports.file(new).report


def test_a_system_with_its_token_changes_a_status_and_the_citizen_is_told(client):
    runtime = client.app.state.runtime
    report = file_report(client, "line:Uext1", 13.70)
    changed = client.post(
        f"/api/reports/{report.ticket}/status",
        headers=TRAFFY,
        json={"status": "in_progress", "note": "Crew sent, call 081-234-5678", "external_id": "TF-2026-77"},
    )  # no version: the change applies to the report as it is now
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["ticket"], body["status"], body["version"], body["external_id"]) == (
        report.ticket,
        "in_progress",
        2,
        "TF-2026-77",
    )
    assert [(h["status"], h["actor"]) for h in body["history"]] == [
        ("received", "citizen"),
        ("in_progress", "external:traffy"),
    ]
    assert "081-234-5678" not in changed.text and "description" not in body and "latitude" not in body
    [change] = [c for c in runtime.reports.history(report.id) if c.status == "in_progress"]
    assert change.actor == "external:traffy"
    [notice] = runtime.reports.pending_notices(sender_id="line:Uext1")
    assert notice.report_id == report.id and report.ticket in notice.text and "Crew sent" in notice.text

    done = client.post(f"/api/reports/{report.ticket}/status", headers=BMA, json={"status": "done", "version": 2})
    assert done.status_code == 200 and done.json()["history"][-1]["actor"] == "external:bma"  # no note needed

    read = client.get(f"/api/reports/{report.ticket}", headers=BMA)
    assert read.status_code == 200 and read.json()["status"] == "done" and read.json()["version"] == 3


def test_officers_are_shown_as_officer_not_by_their_account(client):
    report = file_report(client, "line:Uext2", 13.71)
    client.app.state.runtime.reports.change_status(report.id, "forwarded", "somchai", note="ส่งต่อเขตแล้ว")
    history = client.get(f"/api/reports/{report.ticket}", headers=TRAFFY).json()["history"]
    assert [h["actor"] for h in history] == ["citizen", "officer"]


def test_a_wrong_or_missing_token_is_401_before_anything_is_read(client):
    report = file_report(client, "line:Uext3", 13.72)
    path = f"/api/reports/{report.ticket}/status"
    for headers in (
        {},
        {"Authorization": "Bearer nope"},
        {"Authorization": TRAFFY["Authorization"].replace("Bearer", "Basic")},
        {"Authorization": "Bearer " + TRAFFY["Authorization"][7:-1]},
    ):
        refused = client.post(path, headers=headers, json={"status": "forwarded"})
        assert refused.status_code == 401, headers
        assert client.get(f"/api/reports/{report.ticket}", headers=headers).status_code == 401
    assert client.post(path, headers={"Authorization": "Bearer nope"}, content=b"{not json").status_code == 401
    assert client.app.state.runtime.reports.get(report.id).status == "received"


def test_refusals_say_what_is_wrong(client):
    report = file_report(client, "line:Uext4", 13.73)
    path = f"/api/reports/{report.ticket}/status"
    unknown = client.post("/api/reports/R000000-99999/status", headers=TRAFFY, json={"status": "forwarded"})
    assert unknown.status_code == 404
    assert client.get("/api/reports/R000000-99999", headers=TRAFFY).status_code == 404

    malformed = client.post(path, headers={**TRAFFY, "Content-Type": "application/json"}, content=b'{"status": "done"')
    assert malformed.status_code == 422 and malformed.json()["error"]["code"] == "malformed_json"
    assert client.post(path, headers=TRAFFY, content=b"").status_code == 422
    assert client.post(path, headers=TRAFFY, content="สถานะ".encode("utf-16")).status_code == 422
    wrong = client.post(path, headers=TRAFFY, json={"status": "finished"})
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "invalid_request"
    assert client.post(path, headers=TRAFFY, json=["done"]).status_code == 422
    no_reason = client.post(path, headers=TRAFFY, json={"status": "rejected"})
    assert no_reason.status_code == 422 and no_reason.json()["error"]["code"] == "reason_required"

    assert client.post(path, headers=TRAFFY, json={"status": "forwarded", "version": 1}).status_code == 200
    stale = client.post(path, headers=TRAFFY, json={"status": "in_progress", "version": 1})
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["code"] == "report_changed" and error["details"]["report"]["version"] == 2
    assert "description" not in error["details"]["report"]  # this API's view of the report, not the officers'
    assert set(error["details"]["messages"]) == {"th", "en"}

    assert client.post(path, headers=TRAFFY, json={"status": "rejected", "reason": "Private land"}).status_code == 200
    closed = client.post(path, headers=TRAFFY, json={"status": "in_progress"})
    assert closed.status_code == 422 and closed.json()["error"]["code"] == "status_not_allowed"


def test_no_token_configured_means_nothing_outside_may_change_a_status(tmp_path):
    with TestClient(create_app(make_settings(tmp_path))) as client:
        report = file_report(client)
        refused = client.post(f"/api/reports/{report.ticket}/status", headers=TRAFFY, json={"status": "forwarded"})
        assert refused.status_code == 503 and refused.json()["error"]["code"] == "not_configured"
        assert client.get(f"/api/reports/{report.ticket}", headers=TRAFFY).status_code == 503
        assert client.app.state.runtime.reports.get(report.id).status == "received"
