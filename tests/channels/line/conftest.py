"""Fixtures for the LINE channel: loopback LINE stubs, a gateway wired to them, signed bodies."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from channels.line.settings import LineSettings
from gateway.app import create_app
from gateway.settings import Settings
from tests.channels.line.stub import LineStub
from tests.support import make_settings, wait_until

SECRET = "test-channel-secret-0123456789ab"
TOKEN = "test-channel-access-token"
FIXTURES = Path(__file__).parent / "fixtures"


def sign(body: bytes, secret: str = SECRET) -> str:
    """What LINE puts in X-Line-Signature, computed here independently of the code under test."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def fixture_body(name: str) -> bytes:
    """A webhook body exactly as stored (raw UTF-8 bytes, Thai included): it is signed as is."""
    return (FIXTURES / f"{name}.json").read_bytes()


def fixture_event(name: str, index: int = 0) -> dict:
    return json.loads(fixture_body(name))["events"][index]


def line_settings(tmp: Path, api: LineStub, data: LineStub | None = None, rasa_url: str | None = None) -> Settings:
    settings = make_settings(tmp)
    if rasa_url:
        settings.rasa.url = rasa_url
    settings.store.seed_on_empty = False  # an empty catalogue loads at once; tests add what they need
    settings.store.conversations_url = f"sqlite:///{tmp / 'conversations.db'}"
    settings.line = LineSettings(
        channel_secret=SECRET,
        channel_access_token=TOKEN,
        api_base_url=api.url,
        data_api_base_url=(data or api).url,
    )
    return settings


class LineGateway:
    """The gateway app in a TestClient, with helpers to deliver signed webhooks and wait for the answers."""

    def __init__(self, client: TestClient, stub: LineStub) -> None:
        self.client = client
        self.stub = stub

    def deliver(self, body: bytes, signature: str | None = None, settle: bool = True):
        headers = {"content-type": "application/json", "x-line-signature": signature or sign(body)}
        response = self.client.post("/line/webhook", content=body, headers=headers)
        if settle:
            self.settle()
        return response

    def deliver_fixture(self, name: str, settle: bool = True):
        return self.deliver(fixture_body(name), settle=settle)

    def deliver_events(self, *events: dict, settle: bool = True):
        body = json.dumps({"destination": "U0c1t1zenb0t0000000000000000000b", "events": list(events)}).encode()
        return self.deliver(body, settle=settle)

    def settle(self, timeout: float = 90.0) -> None:
        """Wait until every background event task has finished."""
        assert wait_until(lambda: self.client.app.state.line.idle, timeout), "LINE events still in flight"

    def outcomes(self) -> dict[str, str | None]:
        """What became of each stored event, by webhookEventId (None while unanswered)."""
        return self.client.app.state.line.queue.outcomes()

    def sent(self) -> list[dict]:
        """Every reply and push the stub received, as {"kind", "to"/"replyToken", "messages"}."""
        out = []
        for request in self.stub.requests:
            if request.path in ("/v2/bot/message/reply", "/v2/bot/message/push"):
                out.append({"kind": request.path.rsplit("/", 1)[1], **request.json})
        return out


@pytest.fixture(scope="module")
def line_stub() -> Iterator[LineStub]:
    stub = LineStub(TOKEN).start()
    yield stub
    stub.stop()


@pytest.fixture(scope="module")
def line_data_stub() -> Iterator[LineStub]:
    stub = LineStub(TOKEN).start()
    yield stub
    stub.stop()


@pytest.fixture
def gateway(tmp_path, line_stub) -> Iterator[LineGateway]:
    """A fresh gateway per test (its own database, so event ids never collide between tests);
    Rasa is not running, so text turns get the canned "not available" answer quickly."""
    line_stub.reset()
    app = create_app(line_settings(tmp_path, line_stub))
    with TestClient(app) as client:
        yield LineGateway(client, line_stub)
