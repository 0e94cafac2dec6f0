"""/api/chat limits per conversation and per client address: 429, Retry-After and a bilingual
message in the error envelope. No Rasa needed: the turns that pass get the canned reply."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from tests.support import make_settings


def _client(tmp_path, **limits) -> TestClient:
    settings = make_settings(tmp_path)
    settings.store.seed_on_empty = False
    settings.rasa.timeout_seconds = 1
    for name, value in limits.items():
        setattr(settings.rate_limits, name, value)
    return TestClient(create_app(settings))


def test_one_conversation_over_its_limit_gets_429_with_a_wait_in_both_languages(tmp_path):
    with _client(tmp_path, chat_conversation_count=2, chat_conversation_seconds=60) as client:
        first = client.post("/api/chat", json={"text": "hello"})
        assert first.status_code == 200
        sender = first.json()["sender"]  # the id the gateway issued: the conversation is counted by it
        assert client.post("/api/chat", json={"sender": sender, "text": "hello"}).status_code == 200
        refused = client.post("/api/chat", json={"sender": sender, "text": "hello"})
        other = client.post("/api/chat", json={"text": "hello"})  # a new conversation
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    error = refused.json()["error"]
    assert error["code"] == "rate_limited"
    assert "กรุณารอ" in error["details"]["messages"]["th"]
    assert "wait" in error["details"]["messages"]["en"]
    assert error["details"]["retry_after_seconds"] == int(refused.headers["retry-after"])
    assert other.status_code == 200  # another conversation is not held back


def test_one_address_over_its_limit_is_refused_before_its_body_is_read(tmp_path):
    with _client(tmp_path, chat_client_count=3, chat_client_seconds=60) as client:
        for sender in ("a", "b", "c"):
            assert client.post("/api/chat", json={"sender": sender, "text": "hi"}).status_code == 200
        refused = client.post("/api/chat", content=b"not even json")
    assert refused.status_code == 429  # not 400: the body was never looked at
    assert refused.json()["error"]["code"] == "rate_limited"


@pytest.mark.parametrize(("trusted", "expected"), [(False, 429), (True, 200)])
def test_x_forwarded_for_counts_only_when_trusted(tmp_path, trusted, expected):
    with _client(tmp_path, chat_client_count=1, chat_client_seconds=60, trust_forwarded_for=trusted) as client:
        first = client.post("/api/chat", json={"sender": "a", "text": "hi"}, headers={"X-Forwarded-For": "1.1.1.1"})
        second = client.post("/api/chat", json={"sender": "b", "text": "hi"}, headers={"X-Forwarded-For": "2.2.2.2"})
    assert first.status_code == 200
    assert second.status_code == expected
