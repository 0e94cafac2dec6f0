"""/api/chat without a Rasa server: bad input is refused clearly, and a
missing Rasa gives the citizen a canned answer instead of an error page."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from tests.support import make_settings


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("api"))
    settings.store.seed_on_empty = False  # an empty catalogue loads instantly
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _error(response) -> dict:
    return response.json()["error"]


def test_rasa_down_gives_a_canned_reply_in_the_citizens_language(client):
    thai = client.post("/api/chat", json={"sender": "a", "text": "ทำพาสปอร์ตที่ไหน"})
    assert thai.status_code == 200
    assert thai.json()["status"] == "rasa_unavailable"
    assert "ขออภัย" in thai.json()["messages"][0]["text"]
    english = client.post("/api/chat", json={"sender": "a", "text": "where do I get a passport"})
    assert english.json()["language"] == "en"
    assert english.json()["messages"][0]["text"].startswith("Sorry")


def test_curl_without_a_content_type_is_accepted(client):
    body = json.dumps({"sender": "a", "text": "hello"}).encode()
    response = client.post("/api/chat", content=body, headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"sender": "a", "text": ""}, "text"),
        ({"sender": "a", "text": "   \n\t "}, "text"),
        ({"sender": "a", "text": "\x00\x01"}, "text"),
        ({"sender": 42, "text": "hi"}, "sender"),  # not text at all; any text we did not issue starts afresh
        ({"sender": "a"}, "text"),
        ({"sender": "a", "text": 42}, "text"),
        ({"sender": "a", "text": "hi", "language": "fr"}, "language"),
    ],
)
def test_invalid_fields_are_named(client, payload, field):
    response = client.post("/api/chat", json=payload)
    assert response.status_code == 422
    error = _error(response)
    assert error["code"] == "invalid_request"
    assert field in [d["field"] for d in error["details"]]


def test_text_longer_than_the_limit_is_refused_with_the_limit(client):
    response = client.post("/api/chat", json={"sender": "a", "text": "ก" * 2001})
    assert response.status_code == 422
    assert "2000" in _error(response)["details"][0]["problem"]


def test_huge_body_is_refused_before_parsing(client):
    response = client.post("/api/chat", content=b"{" + b" " * 2_000_000 + b"}")
    assert response.status_code == 413
    assert _error(response)["code"] == "too_large"


def test_malformed_json_says_where(client):
    response = client.post("/api/chat", content=b'{"sender": "a", "text": ')
    assert response.status_code == 400
    assert _error(response)["code"] == "malformed_json"
    assert "position" in _error(response)["message"]


def test_wrong_encoding_is_named(client):
    body = '{"sender": "a", "text": "บัตร"}'.encode("cp874")  # Thai Windows code page, not UTF-8
    response = client.post("/api/chat", content=body)
    assert response.status_code == 400
    assert _error(response)["code"] == "invalid_encoding"


def test_binary_body_is_refused(client):
    response = client.post("/api/chat", content=bytes(range(256)))
    assert response.status_code == 400


def test_json_that_is_not_an_object(client):
    response = client.post("/api/chat", json=["sender", "text"])
    assert response.status_code == 422


def test_openapi_documents_the_chat_body(client):
    schema = client.get("/openapi.json").json()
    body = schema["paths"]["/api/chat"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["required"]) == {"text"}  # a first message has no conversation id yet
    assert "sender" in body["properties"]
