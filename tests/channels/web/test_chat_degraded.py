"""``/api/chat`` with Rasa down: a real gateway whose Rasa URL is a closed loopback port still gives
the catalogue's best answer in the citizen's language, marked ``degraded`` with the notice first."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from tests.support import make_settings, wait_until
from texts import text

THAI = re.compile(r"[\u0e01-\u0e4e]")


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = make_settings(
        tmp_path_factory.mktemp("degraded"), prebuilt_catalogue=True
    )  # nothing listens on its Rasa port
    with TestClient(create_app(settings)) as test_client:
        assert wait_until(lambda: test_client.get("/health").json()["catalogue"]["ready"], timeout=120)
        yield test_client


def chat(client: TestClient, said: str) -> dict:
    response = client.post("/api/chat", json={"sender": "citizen-degraded", "text": said})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"sender", "language", "status", "messages"}  # the contract, unchanged
    return body


def test_a_thai_question_gets_the_catalogue_answer_with_its_card(client):
    body = chat(client, "ต่ออายุบัตรประชาชนต้องใช้อะไร")
    assert body["status"] == "degraded"
    assert body["language"] == "th"
    assert body["messages"][0] == {"type": "text", "text": text("conversation.degraded", "th")}
    [card] = [m["card"] for m in body["messages"] if m["type"] == "card"]
    assert card["service_id"] == "id-card-renewal" and card["lang"] == "th"


def test_an_english_question_gets_an_english_answer(client):
    body = chat(client, "How do I renew my passport?")
    assert body["status"] == "degraded"
    assert body["language"] == "en"
    assert body["messages"][0]["text"] == text("conversation.degraded", "en")
    said = " ".join(m.get("text") or "" for m in body["messages"])
    assert not THAI.search(said), said
    assert len(body["messages"]) > 1  # an answer or a choice between passport services, not only the notice
