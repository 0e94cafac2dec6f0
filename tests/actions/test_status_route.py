"""A status question: the form when it carries a reference or names no service, else an answer about the service."""

from __future__ import annotations

from actions.status_route import ActionRouteStatus
from tests.actions.test_service_actions import THRESHOLDS, run, tracker


def _slots(events) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_a_status_question_naming_a_service_is_answered_about_it_and_offers_the_check(catalogue):
    events, messages = run(
        ActionRouteStatus(catalogue, THRESHOLDS), tracker("บัตรคนพิการที่ยื่นไว้ได้หรือยัง", intent="check_status")
    )
    slots = _slots(events)
    assert slots["status_route"] == "service" and slots["service_id"] == "disability-card-registration"
    assert any(m.get("custom", {}).get("service_id") == "disability-card-registration" for m in messages)
    offer = messages[-1]
    assert "เลขที่คำขอ" in offer["text"]
    assert offer["buttons"][0] == {"title": "ตรวจสอบสถานะคำขอ", "payload": "/check_status"}


def test_a_status_question_with_a_reference_number_is_the_status_form(catalogue):
    question = tracker("เช็คสถานะคำขอ dlt 2569 010203 หน่อยครับ", intent="check_status")
    events, messages = run(ActionRouteStatus(catalogue, THRESHOLDS), question)
    assert _slots(events) == {"reference_number": "DLT-2569-010203", "status_route": "form"}  # the form skips asking
    assert messages == []


def test_a_status_question_naming_no_service_is_the_status_form(catalogue):
    for words, lang in (("ขอเช็คสถานะคำขอหน่อยครับ", "th"), ("I want to check the status of my application", "en")):
        events, messages = run(ActionRouteStatus(catalogue, THRESHOLDS), tracker(words, lang, intent="check_status"))
        assert _slots(events) == {"status_route": "form"} and messages == []
    events, _ = run(ActionRouteStatus(catalogue, THRESHOLDS), tracker("/check_status", intent="check_status"))
    assert _slots(events) == {"status_route": "form"}  # the offer's quick reply
