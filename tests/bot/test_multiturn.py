"""Multi-turn conversations through /api/chat against a real Rasa server: context,
follow-ups, switching services and languages, the status form, hand-off, feedback."""

from __future__ import annotations

import re
import uuid

import pytest

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

THAI = re.compile(r"[\u0e01-\u0e4e]")


def _sender() -> str:
    return f"multi-{uuid.uuid4().hex[:12]}"


def _text(reply: dict) -> str:
    return "\n".join(m.get("text") or "" for m in reply["messages"])


def _card_ids(reply: dict) -> list[str]:
    return [m["card"]["service_id"] for m in reply["messages"] if m["type"] == "card"]


def test_thai_follow_ups_answer_for_the_service_in_context(live_stack):
    sender = _sender()
    assert "passport-renewal" in _card_ids(live_stack.chat(sender, "อยากทราบวิธีต่ออายุพาสปอร์ตครับ"))
    documents = _text(live_stack.chat(sender, "แล้วต้องใช้เอกสารอะไรบ้าง"))
    assert "เอกสารที่ต้องใช้" in documents and "หนังสือเดินทางเล่มเดิม" in documents
    fee = _text(live_stack.chat(sender, "ค่าธรรมเนียมเท่าไหร่ครับ"))
    assert "ค่าธรรมเนียม" in fee and "บาท" in fee


def test_english_follow_up_and_switching_service(live_stack):
    sender = _sender()
    live_stack.chat(sender, "How do I renew my passport?")
    cost = _text(live_stack.chat(sender, "and how much does it cost?"))
    assert "Fees:" in cost and "passport" in cost.lower()
    switched = live_stack.chat(sender, "what about the elderly allowance?")
    assert "elderly-allowance" in _card_ids(switched)
    who = _text(live_stack.chat(sender, "who can apply?"))
    assert "Who can apply:" in who and not THAI.search(who)


def test_follow_up_without_a_service_asks_which_one(live_stack):
    reply = live_stack.chat(_sender(), "ค่าธรรมเนียมเท่าไหร่")
    assert "บริการไหน" in _text(reply)


def test_language_switch_is_explicit_and_kept(live_stack):
    sender = _sender()
    switched = live_stack.chat(sender, "พูดภาษาอังกฤษได้ไหม")
    assert switched["messages"][0]["text"].startswith("Sure, I'll answer in English")
    kept = live_stack.chat(sender, "สวัสดีครับ")
    assert _text(kept).startswith("Hello")
    back = live_stack.chat(sender, "ตอบเป็นภาษาไทยได้ไหม")
    assert THAI.search(_text(back))
    assert THAI.search(_text(live_stack.chat(sender, "hello")))


def test_a_language_change_restates_the_service_in_context(live_stack):
    sender = _sender()
    assert "passport-renewal" in _card_ids(live_stack.chat(sender, "อยากทราบวิธีต่ออายุพาสปอร์ตครับ"))
    english = live_stack.chat(sender, "please answer in English")
    assert english["language"] == "en"
    assert english["messages"][0]["text"] == "Sure, I'll answer in English from now on."
    assert [(m["card"]["service_id"], m["card"]["lang"]) for m in english["messages"] if m["type"] == "card"] == [
        ("passport-renewal", "en")
    ]
    assert "Fees:" in _text(english) and not THAI.search(_text(english))
    thai = live_stack.chat(sender, "ตอบเป็นภาษาไทยได้ไหม")
    assert thai["language"] == "th"
    assert thai["messages"][0]["text"].startswith("ได้เลยครับ จากนี้ผมจะตอบเป็นภาษาไทย")
    assert [m["card"]["lang"] for m in thai["messages"] if m["type"] == "card"] == ["th"]
    assert "passport-renewal" in _card_ids(thai) and "ค่าธรรมเนียม" in _text(thai)


def test_status_form_cancel_and_come_back(live_stack):
    sender = _sender()
    ask = live_stack.chat(sender, "ขอเช็คสถานะคำขอหน่อยครับ")
    assert "เลขที่คำขอ" in _text(ask)
    assert "ยกเลิกการตรวจสอบสถานะแล้ว" in _text(live_stack.chat(sender, "ยกเลิก"))
    again = live_stack.chat(sender, "ตรวจสอบสถานะคำขอครับ")
    assert "เลขที่คำขอ" in _text(again)
    wrong = live_stack.chat(sender, "DCA-2569-999999")
    assert "ไม่พบคำขอเลขที่ DCA-2569-999999" in _text(wrong)
    needs_id = live_stack.chat(sender, "DCA-2569-004567")
    assert "13 หลัก" in _text(needs_id)
    bad_id = live_stack.chat(sender, "3101200456788")
    assert "ไม่ถูกต้อง" in _text(bad_id) and "3101200456788" not in _text(bad_id)
    status = live_stack.chat(sender, "3-1012-00456-78-9")
    assert "อยู่ระหว่างพิจารณา" in _text(status)


def test_service_question_mid_form_then_back_to_the_form(live_stack):
    sender = _sender()
    live_stack.chat(sender, "I want to check the status of my application")
    detour = live_stack.chat(sender, "how do I pay my vehicle tax online?")
    assert "vehicle-tax-renewal" in _card_ids(detour)
    assert "reference number" in _text(detour)  # the form asks again
    done = live_stack.chat(sender, "DLT-2569-010203")
    assert "Status: Approved" in _text(done)


def test_asking_for_a_person_stores_a_handoff(live_stack):
    sender = _sender()
    reply = live_stack.chat(sender, "ขอคุยกับเจ้าหน้าที่หน่อยครับ")
    assert "ส่งเรื่องให้เจ้าหน้าที่แล้ว" in _text(reply)
    runtime = live_stack.app_state.runtime
    assert any(r.sender_id == live_stack.rasa_sender(sender) for r in runtime.conversations.open_handoffs())


def test_rating_an_answer_is_stored_with_question_and_answer(live_stack):
    sender = _sender()
    live_stack.chat(sender, "How do I renew my passport?")
    thanks = live_stack.chat(sender, '/give_feedback{"rating":"unhelpful"}')
    assert "What was missing" in _text(thanks)
    live_stack.chat(sender, "It should list the fee for a 10-year passport")
    runtime = live_stack.app_state.runtime
    record = next(r for r in runtime.conversations.feedback() if r.sender_id == live_stack.rasa_sender(sender))
    assert record.rating == "unhelpful" and record.question == "How do I renew my passport?"
    assert "passport" in record.answer.lower() and "10-year" in (record.comment or "")


def test_punctuation_alone_is_not_taken_for_small_talk(live_stack):
    reply = _text(live_stack.chat(_sender(), "???"))
    assert "couldn't find" in reply or "หาบริการที่ตรงกับคำถามนี้ไม่เจอ" in reply
