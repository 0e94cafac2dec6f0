"""Web conversation ids are the gateway's to give: a real gateway (and a loopback Rasa that records
what reaches it) continues a conversation only for an id it issued, and starts a new one for anything
else: none, a LINE user id, a forged signature, garbage, an over-long string. Rasa sees every web
conversation as ``web:<id>`` and LINE's as ``line:<id>``, so no channel can name another's."""

from __future__ import annotations

import re
import stat
import uuid
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from linebot.v3.webhooks import GroupSource, UserSource
from pydantic import SecretStr

from channels.line.events import Chat
from channels.web.sender_ids import SenderIds
from gateway.app import create_app
from gateway.secrets import WEB_SENDER_KEY_FILE, web_sender_key
from tests.conversation.loopback import FakeRasa, Reply, fake_rasa_server
from tests.support import TEST_SECRETS, make_settings

ISSUED = re.compile(r"^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$")
LINE_USER = "U4af4980629ab1b2e2a3e4c5d6f708192"
WEBHOOK = f"/webhooks/rest/webhook?token={TEST_SECRETS['rasa']}"


@pytest.fixture(scope="module")
def rasa() -> Iterator[FakeRasa]:
    with fake_rasa_server() as fake:
        fake.replies[WEBHOOK] = Reply.json([{"recipient_id": "x", "text": "สวัสดีครับ มีอะไรให้ช่วยครับ"}])
        yield fake


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, rasa: FakeRasa) -> Iterator[TestClient]:
    settings = make_settings(tmp_path_factory.mktemp("senders"))
    settings.rasa.url = rasa.url
    settings.store.seed_on_empty = False  # an empty catalogue loads instantly
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def chat(client: TestClient, rasa: FakeRasa, sender: Any = None, *, omit: bool = False) -> tuple[str, dict]:
    """One message; the id the response gives, and what Rasa received for it."""
    body: dict[str, Any] = {"text": "สวัสดีครับ"}
    if not omit:
        body["sender"] = sender
    before = len(rasa.received)
    response = client.post("/api/chat", json=body)
    assert response.status_code == 200, response.text
    reply = response.json()
    assert set(reply) == {"sender", "language", "status", "messages"}  # the contract, unchanged
    assert reply["status"] == "ok"
    [received] = rasa.received[before:]
    return reply["sender"], received.json()


def test_a_first_message_without_an_id_gets_one_and_rasa_sees_it_namespaced(client, rasa):
    issued, received = chat(client, rasa, omit=True)
    assert ISSUED.fullmatch(issued)
    assert received["sender"] == f"web:{issued}"
    assert received["metadata"]["channel"] == "web"


def test_the_issued_id_continues_the_conversation(client, rasa):
    issued, first = chat(client, rasa, omit=True)
    again, second = chat(client, rasa, issued)
    assert again == issued and second["sender"] == first["sender"] == f"web:{issued}"


def _forged(issued: str) -> str:
    random_part, signature = issued.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    return f"{random_part}.{flipped}"


@pytest.mark.parametrize(
    "sender",
    [
        pytest.param(LINE_USER, id="a LINE user id"),
        pytest.param(f"line:{LINE_USER}", id="a namespaced LINE id"),
        pytest.param(SenderIds("another gateway's key, 32 bytes..").issue(), id="signed with another key"),
        pytest.param(f"web-{uuid.uuid4().hex}", id="the old widget's own id"),
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param("has space", id="with a space"),
        pytest.param("../../etc/passwd", id="garbage"),
        pytest.param("a" * 5000, id="over-long"),
        pytest.param(None, id="null"),
    ],
)
def test_an_id_the_gateway_did_not_issue_starts_a_new_conversation(client, rasa, sender):
    issued, received = chat(client, rasa, sender)
    assert ISSUED.fullmatch(issued) and issued != sender
    assert received["sender"] == f"web:{issued}"


def test_a_forged_signature_cannot_reach_an_existing_conversation(client, rasa):
    victim, _ = chat(client, rasa, omit=True)
    issued, received = chat(client, rasa, _forged(victim))
    assert issued != victim and received["sender"] != f"web:{victim}"
    # Sending back the namespaced form Rasa uses is refused too: the public id is the bare one.
    issued, received = chat(client, rasa, f"web:{victim}")
    assert issued != victim and received["sender"] == f"web:{issued}"


def test_rasa_gets_a_pseudonym_of_the_client_never_its_address(client, rasa):
    _, first = chat(client, rasa, omit=True)
    _, second = chat(client, rasa, omit=True)
    pseudonym = first["metadata"]["client"]
    assert pseudonym == second["metadata"]["client"]  # one client, one key across its conversations
    assert pseudonym.startswith("web-client:") and "testclient" not in pseudonym and "127.0.0.1" not in pseudonym
    senders = SenderIds("k" * 32)
    assert senders.client_key("203.0.113.7") != senders.client_key("203.0.113.8")
    assert "203.0.113.7" not in senders.client_key("203.0.113.7")


def test_a_non_text_sender_is_a_shape_error_like_any_other(client):
    response = client.post("/api/chat", json={"sender": 42, "text": "hi"})
    assert response.status_code == 422
    assert "sender" in [d["field"] for d in response.json()["error"]["details"]]


def test_the_key_is_generated_once_kept_private_and_given_settings_win(tmp_path):
    settings = make_settings(tmp_path)
    key = web_sender_key(settings)
    path = settings.secrets_dir / WEB_SENDER_KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert web_sender_key(settings) == key  # a restart keeps the conversations it issued
    issued = SenderIds(key).issue()
    assert SenderIds(web_sender_key(settings)).verify(issued) == issued
    settings.web.sender_key = SecretStr("a rotated key of at least 32 chars")
    rotated = SenderIds(web_sender_key(settings))
    assert rotated.verify(issued) is None  # rotating the key ends every open web conversation


def test_a_short_key_is_refused():
    with pytest.raises(ValueError, match="at least 16 bytes"):
        SenderIds("short")


def test_line_conversations_live_in_their_own_namespace():
    person = Chat.of(SimpleNamespace(source=UserSource(type="user", userId=LINE_USER)))
    assert person.conversation == f"line:{LINE_USER}"
    group = Chat.of(SimpleNamespace(source=GroupSource(type="group", groupId="C1234", userId=LINE_USER)))
    assert group.conversation == "line:C1234"
    # A web id is never a LINE one: the two channels' conversations cannot meet in Rasa.
    assert SenderIds.rasa_sender(SenderIds("k" * 32).issue()).startswith("web:")


@pytest.mark.rasa
@pytest.mark.slow
def test_with_the_real_bot_only_the_issued_id_keeps_the_context(live_stack):
    first = live_stack.chat("passport", "How do I renew my passport?")
    issued = first["sender"]
    assert ISSUED.fullmatch(issued)
    follow_up = live_stack.chat("passport", "and how much does it cost?")
    assert follow_up["sender"] == issued
    fee = "\n".join(m.get("text") or "" for m in follow_up["messages"]).lower()
    assert "passport" in fee  # the follow-up is answered about the service in context

    forged = httpx.post(
        f"{live_stack.base_url}/api/chat",
        json={"sender": _forged(issued), "text": "and how much does it cost?"},
        timeout=90,
    ).json()
    assert forged["sender"] != issued
    cards = [m["card"]["service_id"] for m in forged["messages"] if m["type"] == "card"]
    answer = "\n".join(m.get("text") or "" for m in forged["messages"]).lower()
    assert "passport" not in answer and not any("passport" in card for card in cards)
