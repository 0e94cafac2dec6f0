"""RasaClient against real sockets: a real Rasa server, and loopback servers that misbehave."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest

from conversation.rasa_client import RasaClient, RasaUnavailableError
from tests.conversation.loopback import FakeRasa, Reply

T = TypeVar("T")

WEBHOOK = "/webhooks/rest/webhook"
RASA_STATUS = {"model_id": "20260101-000000-a1b2c3", "model_file": "citizenbot.tar.gz", "num_active_training_jobs": 0}


def with_client(
    url: str, call: Callable[[RasaClient], Awaitable[T]], timeout_seconds: float = 5.0, auth_token: str | None = None
) -> T:
    async def run() -> T:
        client = RasaClient(url, timeout_seconds, auth_token)
        try:
            return await call(client)
        finally:
            await client.aclose()

    return asyncio.run(run())


def send(url: str, text: str = "สวัสดีครับ", timeout_seconds: float = 5.0) -> list[dict[str, Any]]:
    return with_client(url, lambda c: c.send("citizen-1", text, {"channel": "web"}), timeout_seconds)


# --- send -------------------------------------------------------------------------------


def test_the_token_goes_as_the_query_parameter_rasa_reads(fake_rasa: FakeRasa):
    fake_rasa.replies["/status?token=t0ken-for-rasa"] = Reply.json(RASA_STATUS)
    assert with_client(fake_rasa.url, lambda c: c.status(), auth_token="t0ken-for-rasa") == RASA_STATUS
    (request,) = fake_rasa.received
    assert request.path == "/status?token=t0ken-for-rasa"


def test_an_http_error_does_not_repeat_the_url_that_holds_the_token(fake_rasa: FakeRasa):
    fake_rasa.replies[f"{WEBHOOK}?token=t0ken-for-rasa"] = Reply(401, b'{"message": "no"}')
    with pytest.raises(RasaUnavailableError, match="HTTP 401") as raised:
        with_client(fake_rasa.url, lambda c: c.send("citizen-1", "hi", {}), auth_token="t0ken-for-rasa")
    assert "t0ken" not in str(raised.value)


def test_send_posts_the_rest_channel_body_and_returns_rasas_messages(fake_rasa: FakeRasa):
    bot = [{"recipient_id": "citizen-1", "text": "สวัสดีครับ มีอะไรให้ช่วยไหมครับ"}]
    fake_rasa.replies[WEBHOOK] = Reply.json(bot)
    metadata = {"channel": "line", "detected_language": "th"}
    messages = with_client(fake_rasa.url, lambda c: c.send("citizen-1", "สวัสดีครับ", metadata))
    assert messages == bot
    (request,) = fake_rasa.received
    assert (request.method, request.path) == ("POST", WEBHOOK)
    assert request.json() == {"sender": "citizen-1", "message": "สวัสดีครับ", "metadata": metadata}


def test_send_to_a_rasa_that_is_not_started_is_unavailable_not_a_timeout(closed_port_url: str):
    with pytest.raises(RasaUnavailableError, match="Rasa request failed") as raised:
        send(closed_port_url)
    assert raised.value.timeout is False


def test_send_to_a_rasa_that_never_answers_is_a_timeout(silent_rasa: str):
    started = time.monotonic()
    with pytest.raises(RasaUnavailableError, match="timed out") as raised:
        send(silent_rasa, timeout_seconds=0.3)
    assert raised.value.timeout is True
    assert time.monotonic() - started < 5, "the configured timeout must bound the wait"


def test_send_when_rasa_answers_500_is_unavailable(fake_rasa: FakeRasa):
    fake_rasa.replies[WEBHOOK] = Reply(500, b'{"status": "failure"}')
    with pytest.raises(RasaUnavailableError, match="500") as raised:
        send(fake_rasa.url)
    assert raised.value.timeout is False


@pytest.mark.parametrize(
    ("body", "kind"),
    [({"text": "hello"}, "dict"), ("hello", "str"), (None, "NoneType"), (["hello"], "list")],
    ids=["object", "string", "null", "list-of-strings"],
)
def test_send_refuses_json_that_is_not_a_list_of_messages(fake_rasa: FakeRasa, body: object, kind: str):
    fake_rasa.replies[WEBHOOK] = Reply.json(body)
    with pytest.raises(RasaUnavailableError, match=f"unexpected Rasa reply: {kind}$") as raised:
        send(fake_rasa.url)
    assert raised.value.timeout is False


def test_send_refuses_a_200_that_is_not_json(fake_rasa: FakeRasa):
    """A reverse proxy's error page must not crash the turn: it is Rasa being unavailable."""
    fake_rasa.replies[WEBHOOK] = Reply(200, b"<html><body>502 Bad Gateway</body></html>", "text/html")
    with pytest.raises(RasaUnavailableError, match="not JSON") as raised:
        send(fake_rasa.url)
    assert raised.value.timeout is False


def test_send_passes_an_empty_reply_through(fake_rasa: FakeRasa):
    fake_rasa.replies[WEBHOOK] = Reply.json([])
    assert send(fake_rasa.url) == []


# --- status -----------------------------------------------------------------------------


def status(url: str, auth_token: str | None = None) -> dict[str, Any] | None:
    return with_client(url, lambda c: c.status(), auth_token=auth_token)


def test_status_with_a_loaded_model_returns_it(fake_rasa: FakeRasa):
    fake_rasa.replies["/status"] = Reply.json(RASA_STATUS)
    assert status(fake_rasa.url) == RASA_STATUS
    assert [(r.method, r.path) for r in fake_rasa.received] == [("GET", "/status")]


@pytest.mark.parametrize(
    "reply",
    [
        Reply.json({"model_id": None, "model_file": None, "num_active_training_jobs": 1}),
        Reply.json({"model_file": ""}),
        Reply(500, b'{"status": "failure"}'),
        Reply(200, b"<html>starting</html>", "text/html"),
    ],
    ids=["no-model-yet", "empty-model-file", "server-error", "not-json"],
)
def test_status_without_a_usable_model_is_none(fake_rasa: FakeRasa, reply: Reply):
    fake_rasa.replies["/status"] = reply
    assert status(fake_rasa.url) is None


def test_status_while_rasa_is_not_started_is_none(closed_port_url: str):
    assert status(closed_port_url) is None


# --- a real Rasa server -----------------------------------------------------------------


@pytest.mark.rasa
def test_real_rasa_status_names_the_served_model(live_stack):
    assert status(live_stack.settings.rasa.url) is None  # Rasa's HTTP API requires its token
    body = status(live_stack.settings.rasa.url, live_stack.settings.rasa.auth_token.get_secret_value())
    assert body is not None
    assert str(body["model_file"]).endswith(".tar.gz")


@pytest.mark.rasa
def test_real_rasa_answers_a_thai_question_with_rest_channel_messages(live_stack):
    sender = f"test-{uuid.uuid4().hex[:12]}"
    metadata = {"channel": "web", "detected_language": "th"}
    messages = with_client(
        live_stack.settings.rasa.url,
        lambda c: c.send(sender, "ต่ออายุบัตรประชาชนต้องใช้เอกสารอะไร", metadata),
        timeout_seconds=60,
    )
    assert messages, "Rasa answered nothing"
    assert all(m["recipient_id"] == sender for m in messages)
    cards = [m["custom"] for m in messages if isinstance(m.get("custom"), dict)]
    assert cards and cards[0]["type"] == "service_card"
    assert cards[0]["service_id"] == "id-card-renewal"
