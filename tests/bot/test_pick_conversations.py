"""Asking back on a vague first question, and picking from it by tapping or typing, through /api/chat
against a real Rasa server."""

from __future__ import annotations

import json
import uuid

import pytest

pytestmark = [pytest.mark.rasa, pytest.mark.slow]


def _sender() -> str:
    return f"pick-{uuid.uuid4().hex[:12]}"


def _cards(reply: dict) -> list[dict]:
    return [m["card"] for m in reply["messages"] if m["type"] == "card"]


def _offered(reply: dict) -> list[tuple[str, str]]:
    """(service id, payload) of every quick reply that picks a service."""
    found = []
    for message in reply["messages"]:
        for option in message.get("options") or [] if message["type"] == "quick_replies" else []:
            payload = option["payload"]
            if payload.startswith("/") and "{" in payload:
                service = json.loads(payload[payload.index("{") :]).get("service")
                if service:
                    found.append((service, payload))
    return found


def _ask_back(live_stack, sender: str, question: str) -> list[tuple[str, str]]:
    reply = live_stack.chat(sender, question)
    assert reply["status"] == "ok" and not _cards(reply), reply
    offered = _offered(reply)
    assert len(offered) >= 2, reply
    return offered


def test_a_vague_question_is_asked_back_and_a_typed_ordinal_picks_the_service(live_stack):
    sender = _sender()
    offered = _ask_back(live_stack, sender, "ขอถามเรื่องบัตรประชาชนหน่อยครับ")
    assert {"id-card-renewal", "id-card-first-issue"} <= {service for service, _ in offered}
    reply = live_stack.chat(sender, "เอาอันที่สองค่ะ")
    cards = _cards(reply)
    assert cards and cards[0]["service_id"] == offered[1][0], reply
    assert reply["language"] == "th"


def test_an_english_pick_by_a_distinguishing_word(live_stack):
    sender = _sender()
    offered = _ask_back(live_stack, sender, "I have a question about my ID card")
    assert "id-card-replacement-lost-damaged" in {service for service, _ in offered}
    reply = live_stack.chat(sender, "lost")
    cards = _cards(reply)
    assert cards and cards[0]["service_id"] == "id-card-replacement-lost-damaged", reply
    assert reply["language"] == "en"


def test_tapping_an_offered_service_answers_it(live_stack):
    sender = _sender()
    offered = _ask_back(live_stack, sender, "เรื่องใบขับขี่ครับ")
    service, payload = offered[-1]
    reply = live_stack.chat(sender, payload)
    cards = _cards(reply)
    assert cards and cards[0]["service_id"] == service, reply


def test_a_specific_first_question_is_answered_not_asked_back(live_stack):
    reply = live_stack.chat(_sender(), "บัตรประชาชนหายต้องทำยังไงคะ")
    cards = _cards(reply)
    assert cards and cards[0]["service_id"] == "id-card-replacement-lost-damaged", reply
