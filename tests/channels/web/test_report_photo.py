"""The widget's report photo upload on the real app: limits, wrong content, wrong sender, and the
photo reaching the report through POST /api/chat."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from gateway.app import create_app
from tests.support import make_settings
from texts import text

MAX = 64 * 1024  # a small limit so "huge" stays cheap


def jpeg(size: tuple[int, int] = (60, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = make_settings(tmp_path_factory.mktemp("report-photo"))
    settings.store.seed_on_empty = False
    settings.reports.photo_max_bytes = MAX
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def chat(client: TestClient, **body: object) -> dict:
    response = client.post("/api/chat", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def at_photo_step(client: TestClient) -> str:
    sender = chat(client, text="/report_problem")["sender"]
    chat(client, sender=sender, text="ต้นไม้ล้มขวางถนนหน้าโรงเรียน")
    answer = chat(client, sender=sender, text="จังหวัดนนทบุรี")
    if answer["messages"][0].get("ask") != "photo":  # the type was unsure: pick one
        answer = chat(client, sender=sender, text="/report_type ต้นไม้")
    assert answer["messages"][0].get("ask") == "photo", answer
    return sender


def upload(client: TestClient, sender: str, body: bytes, kind: str = "image/jpeg"):
    return client.post(
        "/api/chat/reports/photo", params={"sender": sender}, content=body, headers={"content-type": kind}
    )


def test_a_photo_goes_with_the_report_to_its_ticket(client: TestClient) -> None:
    sender = at_photo_step(client)
    stored = upload(client, sender, jpeg())
    assert stored.status_code == 200, stored.text
    ref = stored.json()["photo_ref"]
    summary = chat(client, sender=sender, text="", photo_ref=ref)
    assert text("reports.photo_attached", "th") in summary["messages"][0]["text"]
    done = chat(client, sender=sender, text="/report_confirm")
    ticket = done["messages"][0]["report"]["ticket"]
    assert client.app.state.runtime.reports.by_ticket(ticket).photo_ref == ref


def test_an_empty_body_is_refused(client: TestClient) -> None:
    response = upload(client, at_photo_step(client), b"")
    assert response.status_code == 422
    assert response.json()["error"]["details"]["messages"]["th"] == text("reports.photo_empty", "th")


def test_a_huge_photo_is_refused_in_both_languages(client: TestClient) -> None:
    response = upload(client, at_photo_step(client), b"\xff\xd8" + b"\0" * (MAX + 10))
    assert response.status_code == 413
    messages = response.json()["error"]["details"]["messages"]
    assert messages["en"] == text("reports.photo_too_big", "en", limit_mb=round(MAX / 1024 / 1024, 1))
    assert messages["th"]


def test_a_text_file_named_jpg_is_refused_by_its_content(client: TestClient) -> None:
    response = upload(client, at_photo_step(client), b"this is not a picture, only text\n" * 20)
    assert response.status_code == 415
    assert response.json()["error"]["details"]["messages"]["en"] == text("reports.photo_not_image", "en")


def test_a_sender_the_gateway_did_not_issue_is_not_known(client: TestClient) -> None:
    assert upload(client, "line:U1234", jpeg()).status_code == 404
    assert upload(client, "A" * 22 + "." + "B" * 43, jpeg()).status_code == 404


def test_no_photo_is_taken_without_a_report_waiting(client: TestClient) -> None:
    sender = chat(client, text="สวัสดีครับ")["sender"]
    response = upload(client, sender, jpeg())
    assert response.status_code == 409
    assert response.json()["error"]["details"]["messages"]["en"] == text("reports.photo_outside", "en")


def test_a_location_or_photo_ref_may_replace_the_text_but_not_all_be_missing(client: TestClient) -> None:
    assert client.post("/api/chat", json={"text": "  "}).status_code == 422
    bad = client.post("/api/chat", json={"location": {"latitude": 200, "longitude": 1}})
    assert bad.status_code == 422
