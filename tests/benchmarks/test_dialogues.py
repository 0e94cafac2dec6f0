"""The dialogue benchmark's reading of ``/api/chat`` replies (no stack): which service a reply answers
about, which it offers, which fields it shows, and what pressing a quick reply sends."""

from __future__ import annotations

import importlib.util
import sys
import threading
from pathlib import Path

import uvicorn

from gateway.app import create_app
from knowledge.evaluation.dialogues import Dialogue, Expectation, Turn
from tests.conversation.loopback import Reply, fake_rasa_server
from tests.support import TEST_SECRETS, ThreadedServer, make_settings, wait_until

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))  # the benchmark imports citizen_kinds beside it
_spec = importlib.util.spec_from_file_location("dialogues_bench", ROOT / "benchmarks" / "dialogues.py")
assert _spec and _spec.loader
bench = importlib.util.module_from_spec(_spec)
sys.modules["dialogues_bench"] = bench
_spec.loader.exec_module(bench)

CATALOGUE = [
    {
        "id": "id-card-renewal",
        "title": {"th": "ทำบัตรประจำตัวประชาชนใหม่กรณีบัตรหมดอายุ", "en": "Renewing an expired Thai national ID card"},
    },
    {"id": "id-card-replacement-lost-damaged", "title": {"th": "ทำบัตรใหม่กรณีบัตรหาย", "en": "Replacing a lost ID card"}},
]
TITLES = bench.ck.title_index(CATALOGUE)
VALUES = {
    "id-card-renewal": {
        "documents": ["บัตรเดิม", "The old card"],
        "fees": ["ฟรี", "Free of charge"],
        "where": ["สำนักงานเขต", "Any district office"],
        "time": ["ทันที", "Same day"],
        "eligibility": ["ผู้ถือบัตร", "Card holders"],
    }
}


def _reply(*messages, language="en", status="ok"):
    return {"sender": "s", "language": language, "status": status, "messages": list(messages)}


CARD = {
    "type": "card",
    "card": {
        "service_id": "id-card-renewal",
        "summary": "x",
        "facts": [{"key": "fees", "value": "Free  of charge"}],
        "documents": ["The old card"],
    },
}
ASK = {
    "type": "quick_replies",
    "text": "Which one?",
    "options": [
        {"label": "Renewing an expired Thai national ID card", "payload": '/ask_fee{"service":"id-card-renewal"}'},
        {"label": "Replacing a lost ID card", "payload": '/ask_fee{"service":"id-card-replacement-lost-damaged"}'},
    ],
}


def test_a_card_answers_and_shows_its_facts():
    reading = bench.read_reply(_reply({"type": "text", "text": "Renewing ..."}, CARD), TITLES, VALUES)
    assert (reading.ok, reading.service, reading.language) == (True, "id-card-renewal", "en")
    assert reading.fields_shown == {"fees", "documents"}


def test_a_follow_up_answer_without_a_card_is_read_from_its_title():
    text = "Renewing an expired Thai national ID card\nWhere to apply:\nAny district office"
    reading = bench.read_reply(_reply({"type": "quick_replies", "text": text, "options": []}), TITLES, VALUES)
    assert reading.service == "id-card-renewal" and reading.fields_shown == {"where"}


def test_an_ask_back_offers_services_and_answers_none():
    reading = bench.read_reply(_reply(ASK), TITLES, VALUES)
    assert reading.service is None
    assert reading.offered == ("id-card-renewal", "id-card-replacement-lost-damaged")


def test_a_failed_turn_is_not_ok():
    assert not bench.read_reply(_reply(language="th", status="rasa_timeout"), TITLES, VALUES).ok
    assert not bench.read_reply(None, TITLES, VALUES).ok


def test_pressing_a_quick_reply_sends_its_payload():
    reply = _reply(ASK)
    assert bench.quick_reply_for(reply, "id-card-replacement-lost-damaged", TITLES) == (
        '/ask_fee{"service":"id-card-replacement-lost-damaged"}'
    )
    assert bench.quick_reply_for(reply, "passport-renewal", TITLES) is None
    assert bench.quick_reply_for(None, "id-card-renewal", TITLES) is None


def test_a_dialogue_continues_the_conversation_the_gateway_issued(tmp_path):
    """Played against a real gateway (and a loopback Rasa that records what reaches it): the first
    turn's made-up id starts a conversation, and every later turn sends the id the gateway gave."""
    said = (Turn("text", Expectation("en", any=True), text=words) for words in ("hello", "thanks", "bye"))
    dialogue = Dialogue("d1", "en", "a citizen", "says hello", tuple(said))
    with fake_rasa_server() as rasa:
        rasa.replies[f"/webhooks/rest/webhook?token={TEST_SECRETS['rasa']}"] = Reply.json([{"text": "Hello there"}])
        settings = make_settings(tmp_path)
        settings.rasa.url = rasa.url
        settings.store.seed_on_empty = False
        port = settings.gateway.port
        server = ThreadedServer(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            assert wait_until(lambda: server.started, timeout=30)
            bench.play(f"http://127.0.0.1:{port}", dialogue, TITLES, VALUES)
        finally:
            server.should_exit = True
            thread.join(15)
    senders = [r.json()["sender"] for r in rasa.received if r.path.startswith("/webhooks/rest/webhook")]
    assert len(senders) == 3 and len(set(senders)) == 1, senders
    assert senders[0].startswith("web:") and "d1" not in senders[0]  # issued by the gateway, not made up
