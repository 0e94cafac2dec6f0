"""POST /line/webhook as LINE (and an attacker) sees it: signatures, errors, answering at once."""

from __future__ import annotations

import json
import time

from fastapi.testclient import TestClient

from channels.line.signature import compute_signature, signature_is_valid
from gateway.app import create_app
from gateway.settings import LineSettings
from tests.channels.line.conftest import SECRET, fixture_body, line_settings, sign
from tests.support import make_settings


def test_signature_matches_an_independent_hmac_and_rejects_tampering():
    body = fixture_body("text_th")  # raw UTF-8 Thai: the HMAC covers bytes, not decoded text
    assert compute_signature(SECRET, body) == sign(body)
    assert signature_is_valid(SECRET, body, sign(body))
    assert not signature_is_valid(SECRET, body + b" ", sign(body))
    assert not signature_is_valid("another-secret", body, sign(body))
    assert not signature_is_valid(SECRET, body, "ไม่ใช่ลายเซ็น")  # non-ASCII header


def test_a_signed_verification_request_is_accepted_and_sends_nothing(gateway):
    response = gateway.deliver_fixture("verify")
    assert response.status_code == 200
    assert response.json() == {"status": "accepted", "events": 0}
    assert gateway.stub.requests == []


def test_a_forged_signature_is_refused_before_anything_is_processed(gateway):
    body = fixture_body("follow")
    forged = sign(body, secret="not-the-channel-secret")
    response = gateway.deliver(body, signature=forged)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_signature"
    tampered = body.replace(b"rt-follow", b"rt-evil!!")  # signed body, altered in transit
    assert gateway.deliver(tampered, signature=sign(body)).status_code == 400
    time.sleep(0.3)  # had anything been scheduled, it would have reached the stub by now
    assert gateway.client.app.state.line.idle
    assert gateway.stub.requests == []


def test_a_missing_signature_is_refused(gateway):
    response = gateway.client.post("/line/webhook", content=fixture_body("follow"))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "missing_signature"
    assert gateway.stub.requests == []


def test_a_signed_body_that_is_not_a_webhook_is_refused(gateway):
    for body in (b'{"events": ', b'["not", "an", "object"]', b'{"events": "no"}', b"\xff\xfe"):
        response = gateway.deliver(body)
        assert response.status_code == 400, body
        assert response.json()["error"]["code"] in ("malformed_json", "invalid_request")
    assert gateway.stub.requests == []


def test_an_oversized_body_is_refused_without_reading_it_all(gateway):
    body = b'{"events": [], "padding": "' + b"x" * 1_100_000 + b'"}'
    response = gateway.deliver(body)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_the_webhook_answers_before_the_bot_does(gateway):
    """LINE waits only a few seconds; a slow answer must not hold up the acknowledgement."""
    # The reply takes LINE 6 s; an acknowledgement that waited for it would take longer than that.
    # (A margin this wide keeps the test about order, not speed, on a loaded machine.)
    gateway.stub.delays[("POST", "/v2/bot/message/reply")] = 6.0
    started = time.monotonic()
    response = gateway.deliver_fixture("sticker", settle=False)
    acknowledged = time.monotonic() - started
    assert response.status_code == 200
    assert acknowledged < 4.0, f"the webhook took {acknowledged:.2f} s: it waited for the reply"
    gateway.settle()
    assert len(gateway.stub.received("/v2/bot/message/reply")) == 1


def test_without_a_channel_secret_line_is_reported_as_not_configured(tmp_path):
    settings = make_settings(tmp_path)
    settings.store.seed_on_empty = False
    settings.store.conversations_url = f"sqlite:///{tmp_path / 'conversations.db'}"
    with TestClient(create_app(settings)) as client:
        body = fixture_body("follow")
        response = client.post("/line/webhook", content=body, headers={"x-line-signature": sign(body)})
        assert response.status_code == 503
        error = response.json()["error"]
        assert error["code"] == "line_not_configured"
        assert "CITIZENBOT_LINE__CHANNEL_SECRET" in error["message"]
        assert client.app.state.line is None


def test_a_secret_without_an_access_token_is_not_enough(tmp_path, line_stub):
    settings = line_settings(tmp_path, line_stub)
    settings.line = LineSettings(channel_secret=SECRET, api_base_url=line_stub.url)
    with TestClient(create_app(settings)) as client:
        body = fixture_body("follow")
        response = client.post("/line/webhook", content=body, headers={"x-line-signature": sign(body)})
        assert response.status_code == 503
        assert "CITIZENBOT_LINE__CHANNEL_ACCESS_TOKEN" in response.json()["error"]["message"]


def test_the_webhook_is_in_the_openapi_document(gateway):
    paths = gateway.client.get("/openapi.json").json()["paths"]
    assert "/line/webhook" in paths
    assert set(json.loads(json.dumps(paths["/line/webhook"]["post"]["responses"]))) >= {"200", "400", "503"}
