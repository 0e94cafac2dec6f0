"""Whole conversations through /api/chat against a real Rasa server, in Thai and English."""

from __future__ import annotations

import re
import uuid

import pytest

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

THAI = re.compile(r"[\u0e01-\u0e4e]")


def _sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def _texts(reply: dict) -> list[str]:
    return [m["text"] for m in reply["messages"] if m.get("text")]


def _cards(reply: dict) -> list[dict]:
    return [m["card"] for m in reply["messages"] if m["type"] == "card"]


def test_thai_id_card_question_is_answered_in_thai_with_the_id_card_service(live_stack):
    reply = live_stack.chat(_sender(), "ต่ออายุบัตรประชาชนต้องใช้เอกสารอะไร")
    assert reply["status"] == "ok"
    assert reply["language"] == "th"
    cards = _cards(reply)
    assert cards and cards[0]["service_id"] == "id-card-renewal"
    assert cards[0]["lang"] == "th"
    answer = _texts(reply)[0]
    assert "บัตรประจำตัวประชาชน" in answer
    assert "เอกสารที่ต้องใช้" in answer
    assert "bora.dopa.go.th" in answer  # the official source is always given


def test_english_passport_question_is_answered_in_english(live_stack):
    reply = live_stack.chat(_sender(), "How do I renew my passport?")
    assert reply["status"] == "ok"
    assert reply["language"] == "en"
    cards = _cards(reply)
    assert cards and "passport" in cards[0]["service_id"]
    assert cards[0]["lang"] == "en"
    answer = _texts(reply)[0]
    assert "passport" in answer.lower()
    assert not THAI.search(answer), answer


def test_a_whole_thai_conversation(live_stack):
    sender = _sender()
    greeting = live_stack.chat(sender, "สวัสดีครับ")
    assert THAI.search(_texts(greeting)[0])
    answer = live_stack.chat(sender, "พาสปอร์ตหายต้องทำยังไงครับ")
    assert _cards(answer), answer
    assert answer["language"] == "th"
    thanks = live_stack.chat(sender, "ขอบคุณมากครับ")
    assert "ยินดี" in _texts(thanks)[0]
    bye = live_stack.chat(sender, "แค่นี้ก่อนครับ")
    assert THAI.search(_texts(bye)[0])


def test_a_whole_english_conversation(live_stack):
    sender = _sender()
    greeting = live_stack.chat(sender, "hello")
    assert "Hello" in _texts(greeting)[0]
    answer = live_stack.chat(sender, "I lost my driving licence, what should I do?")
    cards = _cards(answer)
    assert cards and "driving" in cards[0]["service_id"], answer
    thanks = live_stack.chat(sender, "thanks a lot")
    assert "welcome" in _texts(thanks)[0].lower()
    bye = live_stack.chat(sender, "bye")
    assert "goodbye" in _texts(bye)[0].lower()


def test_reply_language_follows_the_citizen_when_they_switch(live_stack):
    sender = _sender()
    assert live_stack.chat(sender, "hi there")["language"] == "en"
    thai = live_stack.chat(sender, "สวัสดีครับ")
    assert thai["language"] == "th"
    assert THAI.search(_texts(thai)[0])


def test_out_of_scope_is_declined_politely_in_the_same_language(live_stack):
    thai = live_stack.chat(_sender(), "หวยงวดนี้ออกอะไร")
    assert "บริการภาครัฐ" in _texts(thai)[0]
    english = live_stack.chat(_sender(), "tell me a joke")
    assert "government services" in _texts(english)[0]


def test_contact_details_outside_a_form_get_one_answer_and_the_conversation_goes_on(live_stack):
    # Classified `inform` with no form open, no rule applies: the policy's fallback once answered the
    # message ten times over and every later message got nothing.
    sender = _sender()
    reply = live_stack.chat(sender, "เบอร์ติดต่อผม 081-234-5678 อีเมล somchai@example.com ค่ะ")
    assert reply["status"] == "ok" and len(_texts(reply)) <= 2, _texts(reply)
    after = live_stack.chat(sender, "ทำพาสปอร์ตต้องใช้เอกสารอะไรบ้าง")
    assert after["status"] == "ok" and any("หนังสือเดินทาง" in said for said in _texts(after)), after


def test_code_switched_question_is_answered_in_thai(live_stack):
    reply = live_stack.chat(_sender(), "ขอ passport ใหม่ทำไงครับ")
    assert reply["language"] == "th"
    cards = _cards(reply)
    if cards:
        assert "passport" in cards[0]["service_id"] and cards[0]["lang"] == "th"
    else:  # "a new passport" names the family only (first, renewal, lost): asked back, in Thai
        options = [o for m in reply["messages"] if m["type"] == "quick_replies" for o in m["options"]]
        assert any("passport" in o["payload"] for o in options), reply
        assert all(THAI.search(o["label"]) for o in options), options


def test_related_services_come_as_quick_replies_that_work(live_stack):
    sender = _sender()
    reply = live_stack.chat(sender, "ทำบัตรประชาชนใหม่ที่ไหน")
    quick = [m for m in reply["messages"] if m["type"] == "quick_replies"]
    assert quick and quick[0]["options"], reply
    follow = live_stack.chat(sender, quick[0]["options"][0]["payload"])
    assert follow["status"] == "ok"
    assert _cards(follow) or any(m["type"] == "quick_replies" for m in follow["messages"])


def test_browsing_a_life_event_lists_its_services(live_stack):
    reply = live_stack.chat(_sender(), '/browse_life_event{"life_event":"driving"}', language="en")
    quick = [m for m in reply["messages"] if m["type"] == "quick_replies"]
    assert quick, reply
    labels = " ".join(o["label"].lower() for o in quick[0]["options"])
    assert "driving" in labels or "vehicle" in labels
