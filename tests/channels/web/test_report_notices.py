"""The widget's poll for report notices (channels/web/report_notices_api.py) on the real gateway app:
news about the citizen's own reports, each shown once, nobody else's, and a clear 404 for an id the
gateway did not issue."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from channels.web.report_notices_api import take_notices
from conversation.reports.store import NewReport
from gateway.app import create_app
from tests.support import make_settings
from texts import text


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = make_settings(tmp_path_factory.mktemp("notices"))
    settings.store.seed_on_empty = False
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _file(client: TestClient, lat: float, lang: str = "en") -> tuple[str, int, str]:
    runtime = client.app.state.runtime
    issued = runtime.web_senders.issue()
    new = NewReport(
        runtime.web_senders.rasa_sender(issued), "web", lang, "Street light out", "ไฟฟ้า", latitude=lat, longitude=100.5
    )  # type: ignore[arg-type]
    report = runtime.reports.file(new).report
    return issued, report.id, report.ticket


def test_the_widget_gets_its_news_once(client: TestClient) -> None:
    issued, report_id, ticket = _file(client, 13.70)
    other, _other_id, _ = _file(client, 13.80)
    reports = client.app.state.runtime.reports
    reports.change_status(report_id, "in_progress", "somchai")
    reports.change_status(report_id, "done", "somchai", note="Lamp replaced")

    first = client.get("/api/chat/reports/notices", params={"sender": issued})
    assert first.status_code == 200
    said = [notice["text"] for notice in first.json()["notices"]]
    assert said[0] == text("reports.status_in_progress", "en", ticket=ticket)
    assert said[1].startswith(text("reports.status_done", "en", ticket=ticket)) and "Lamp replaced" in said[1]

    assert client.get("/api/chat/reports/notices", params={"sender": issued}).json() == {"notices": []}
    assert client.get("/api/chat/reports/notices", params={"sender": other}).json() == {"notices": []}


def test_two_tabs_polling_at_once_never_both_show_a_notice(client: TestClient) -> None:
    runtime = client.app.state.runtime
    issued, report_id, _ticket = _file(client, 13.60)
    runtime.reports.change_status(report_id, "in_progress", "somchai")
    sender = runtime.web_senders.rasa_sender(issued)
    with ThreadPoolExecutor(4) as pool:
        polls = list(pool.map(lambda _: take_notices(runtime.reports, sender), range(4)))
    assert sum(len(taken) for taken in polls) == 1


def test_an_id_the_gateway_did_not_issue_is_404_with_a_bilingual_message(client: TestClient) -> None:
    for sender in ("line:U1234", "web:guess", "x" * 22 + "." + "y" * 43):
        answer = client.get("/api/chat/reports/notices", params={"sender": sender})
        assert answer.status_code == 404
        assert answer.json()["error"]["details"]["messages"]["th"] == "ไม่พบบทสนทนานี้"
    assert client.get("/api/chat/reports/notices").status_code == 422  # no sender at all
