"""Retrieval-aware routing through /api/chat and a real Rasa server: whatever the intent, the
citizen's words are searched; the intent decides what to say about the service found."""

from __future__ import annotations

import uuid

import pytest

pytestmark = [pytest.mark.rasa, pytest.mark.slow]


def _sender() -> str:
    return f"route-{uuid.uuid4().hex[:12]}"


def _text(reply: dict) -> str:
    return "\n".join(m.get("text") or "" for m in reply["messages"])


def _card_ids(reply: dict) -> list[str]:
    return [m["card"]["service_id"] for m in reply["messages"] if m["type"] == "card"]


def _payloads(reply: dict) -> list[str]:
    return [o["payload"] for m in reply["messages"] if m["type"] == "quick_replies" for o in m["options"]]


def test_a_where_question_about_vehicle_tax_answers_where_to_pay(live_stack):
    reply = live_stack.chat(_sender(), "ภาษีรถหมดเดือนนี้ จ่ายที่ไหนได้บ้าง")
    assert _card_ids(reply) == ["vehicle-tax-renewal"], reply
    assert "ยื่นได้ที่:" in _text(reply)


def test_a_fee_question_naming_a_service_is_answered_with_nothing_in_context(live_stack):
    reply = live_stack.chat(_sender(), "How much is the elderly allowance per month?")
    assert _card_ids(reply) == ["elderly-allowance"], reply
    assert "Fees:" in _text(reply)


def test_a_status_question_naming_a_service_is_answered_and_the_check_is_one_tap_away(live_stack):
    sender = _sender()
    reply = live_stack.chat(sender, "บัตรคนพิการที่ยื่นไว้ได้หรือยัง")
    assert "disability-card-registration" in _card_ids(reply), reply
    assert "/check_status" in _payloads(reply)
    form = live_stack.chat(sender, "/check_status")
    assert "เลขที่คำขอ" in _text(form)


def test_a_status_question_with_a_reference_number_is_checked_at_once(live_stack):
    reply = live_stack.chat(_sender(), "เช็คสถานะคำขอ DLT-2569-010203 หน่อยครับ")
    assert "DLT-2569-010203" in _text(reply) and not _card_ids(reply), reply


def test_close_siblings_are_asked_back_and_the_quick_reply_answers(live_stack):
    sender = _sender()
    reply = live_stack.chat(sender, "ย้ายทะเบียนบ้าน")
    assert not _card_ids(reply), reply
    move_out = '/ask_service{"service":"house-registration-move-out"}'
    assert move_out in _payloads(reply) and '/ask_service{"service":"house-registration-move-in"}' in _payloads(reply)
    picked = live_stack.chat(sender, move_out)
    assert _card_ids(picked) == ["house-registration-move-out"], picked


def test_outside_the_catalogue_the_bot_says_so_with_no_card(live_stack):
    # A fishing licence is a topic outside the catalogue (knowledge/seed/referrals): say so and who handles it.
    reply = live_stack.chat(_sender(), "ขอใบอนุญาตตกปลาในเขื่อนหน่อยครับ")
    assert not _card_ids(reply), reply
    assert "ไม่อยู่ในรายการบริการที่ผมตอบได้" in _text(reply) and "กรมประมง" in _text(reply), reply
    assert "1111" in _text(reply)
    assert any(p.startswith("/browse_life_event") for p in _payloads(reply))
