"""``POST /api/reports/traffy/webhook`` on the real gateway app: Traffy Fondue's states mapped onto
ours with the actor external:traffy and a notice for the citizen; the bearer token of "traffy" only;
clear 4xx answers for what we cannot apply."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from conversation.reports.store import NewReport, Report
from gateway.app import create_app
from tests.support import make_settings

TOKEN = "traffy-webhook-token-0123456789"
URL = "/api/reports/traffy/webhook"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = make_settings(tmp_path_factory.mktemp("traffy"))
    settings.store.seed_on_empty = False
    settings.reports.status_api_tokens = {"traffy": SecretStr(TOKEN), "other": SecretStr("other-system-token-000")}
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _forwarded(client: TestClient, lat: float) -> Report:
    reports = client.app.state.runtime.reports
    new = NewReport("line:U1", "line", "th", "ไฟถนนดับ", "ไฟฟ้า", latitude=lat, longitude=100.5)
    report = reports.file(new).report
    return reports.change_status(report.id, "forwarded", "external:traffy", external_id=f"2026-TF{lat}")


def test_traffy_states_move_our_report_and_the_citizen_is_told(client: TestClient) -> None:
    report = _forwarded(client, 13.71)
    reports = client.app.state.runtime.reports

    working = client.post(URL, headers=AUTH, json={"client_ticket_id": report.ticket, "state": "กำลังดำเนินการ"})
    assert working.status_code == 200 and working.json() == {
        "ticket": report.ticket,
        "status": "in_progress",
        "changed": True,
    }
    again = client.post(URL, headers=AUTH, json={"ticket_id": report.external_id, "state": "รับเรื่อง"})
    assert again.json()["changed"] is False  # already in progress: nothing new for the citizen

    done = client.post(URL, headers=AUTH, json={"ticket_id": report.external_id, "state": "เสร็จสิ้น", "note": "ซ่อมแล้ว"})
    assert done.status_code == 200 and done.json()["status"] == "done"
    history = reports.history(report.id)
    assert [change.status for change in history][-2:] == ["in_progress", "done"]
    assert history[-1].actor == "external:traffy" and history[-1].note == "ซ่อมแล้ว"
    notices = [n.text for n in reports.pending_notices(None, "line:U1") if n.report_id == report.id]
    assert any("ซ่อมแล้ว" in said for said in notices)

    late = client.post(URL, headers=AUTH, json={"ticket_id": report.external_id, "state": "กำลังดำเนินการ"})
    assert late.status_code == 409 and late.json()["error"]["details"]["status"] == "done"


def test_not_relevant_is_a_rejection_with_a_reason(client: TestClient) -> None:
    report = _forwarded(client, 13.72)
    answer = client.post(URL, headers=AUTH, json={"client_ticket_id": report.ticket, "state": "ไม่เกี่ยวข้อง"})
    assert answer.status_code == 200 and answer.json()["status"] == "rejected"
    assert client.app.state.runtime.reports.get(report.id).reason


def test_only_traffys_token_is_accepted(client: TestClient) -> None:
    report = _forwarded(client, 13.73)
    body = {"client_ticket_id": report.ticket, "state": "เสร็จสิ้น"}
    assert client.post(URL, json=body).status_code == 401
    assert client.post(URL, headers={"Authorization": "Bearer wrong"}, json=body).status_code == 401
    assert client.post(URL, headers={"Authorization": "Bearer other-system-token-000"}, json=body).status_code == 401
    assert client.post(URL, headers={"Authorization": TOKEN}, json=body).status_code == 401  # no scheme
    assert client.app.state.runtime.reports.get(report.id).status == "forwarded"


def test_bad_bodies_and_unknown_reports_are_clear_4xx(client: TestClient) -> None:
    report = _forwarded(client, 13.74)
    unknown_state = client.post(URL, headers=AUTH, json={"client_ticket_id": report.ticket, "state": "บินไปแล้ว"})
    assert unknown_state.status_code == 422 and "เสร็จสิ้น" in unknown_state.json()["error"]["details"]["known_states"]
    assert client.post(URL, headers=AUTH, json={"state": "เสร็จสิ้น"}).status_code == 422  # which report?
    assert client.post(URL, headers=AUTH, json={"ticket_id": "nope", "state": "เสร็จสิ้น"}).status_code == 404
    broken = client.post(URL, headers={**AUTH, "content-type": "application/json"}, content=b"{not json")
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "malformed_json"
    assert client.app.state.runtime.reports.get(report.id).status == "forwarded"


def test_no_traffy_token_configured_is_503(tmp_path) -> None:
    settings = make_settings(tmp_path)
    settings.store.seed_on_empty = False
    with TestClient(create_app(settings)) as client:
        answer = client.post(URL, headers=AUTH, json={"ticket_id": "x", "state": "เสร็จสิ้น"})
    assert answer.status_code == 503
