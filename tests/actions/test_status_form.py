"""The status form's validation and answer, with the embedded sample provider."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.api.status_provider import SampleStatusProvider, normalise_reference
from actions.status_form import ActionCancelStatusCheck, ActionCheckStatus, ValidateCheckStatusForm, format_date
from tests.actions.test_service_actions import run, tracker

PROVIDER = SampleStatusProvider()


def validate(method: str, value, state):
    dispatcher = CollectingDispatcher()
    result = asyncio.run(getattr(ValidateCheckStatusForm(PROVIDER), method)(value, dispatcher, state, {}))
    return result, [m["text"] for m in dispatcher.messages]


def extract(method: str, state):
    return asyncio.run(getattr(ValidateCheckStatusForm(PROVIDER), method)(CollectingDispatcher(), state, {}))


@pytest.mark.parametrize("typed", ["DOPA-2569-000123", "dopa 2569 000123", "เลขที่คำขอ DOPA2569000123 ครับ"])
def test_reference_numbers_as_people_type_them(typed):
    assert normalise_reference(typed) == "DOPA-2569-000123"


def test_reference_is_extracted_only_when_asked_for():
    asked = tracker("DOPA-2569-000123", requested_slot="reference_number", intent="inform")
    assert extract("extract_reference_number", asked) == {"reference_number": "DOPA-2569-000123"}
    assert extract("extract_reference_number", tracker("DOPA-2569-000123")) == {}


def test_cancel_or_another_question_is_left_to_its_rule():
    cancel = tracker("ยกเลิก", requested_slot="reference_number", intent="cancel")
    assert extract("extract_reference_number", cancel) == {}
    question = tracker("ต่อภาษีรถออนไลน์ได้ไหม", requested_slot="national_id", intent="ask_service")
    assert extract("extract_national_id", question) == {}
    garbage = tracker("ไม่รู้เหมือนกัน", requested_slot="reference_number", intent="inform")
    assert extract("extract_reference_number", garbage) == {"reference_number": "__invalid__"}


def test_unknown_and_malformed_references_are_refused_with_a_reason():
    result, texts = validate("validate_reference_number", "DOPA-2569-999999", tracker("x"))
    assert result == {"reference_number": None} and "ไม่พบคำขอเลขที่ DOPA-2569-999999" in texts[0]
    result, texts = validate("validate_reference_number", "__invalid__", tracker("x", "en"))
    assert result == {"reference_number": None} and texts[0].startswith("I couldn't find a reference number")


def test_id_is_only_asked_when_the_service_needs_it():
    form = ValidateCheckStatusForm(PROVIDER)
    slots = ["reference_number", "national_id"]
    no_id = tracker("x", reference_number="DOPA-2569-000123")
    assert asyncio.run(form.required_slots(slots, CollectingDispatcher(), no_id, {})) == ["reference_number"]
    needs_id = tracker("x", reference_number="DCA-2569-004567")
    assert asyncio.run(form.required_slots(slots, CollectingDispatcher(), needs_id, {})) == slots


def test_invalid_id_is_refused_with_the_reason_and_never_echoed():
    state = tracker("x", reference_number="DCA-2569-004567")
    result, texts = validate("validate_national_id", "3101200456788", state)
    assert result == {"national_id": None}
    assert "ไม่ตรงกับเลขตรวจสอบ" in texts[0] and "3101200456788" not in texts[0]
    result, texts = validate("validate_national_id", "31012004567", state)
    assert "13 หลัก" in texts[0] and "11 หลัก" in texts[0]


def test_valid_id_of_someone_else_is_refused_masked():
    result, texts = validate("validate_national_id", "1103702071811", tracker("x", reference_number="DCA-2569-004567"))
    assert result == {"national_id": None}
    assert "x-xxxx-xxxx1-81-1" in texts[0] and "1103702071811" not in texts[0]


def test_matching_id_is_accepted():
    state = tracker("x", reference_number="DCA-2569-004567")
    assert validate("validate_national_id", "3-1012-00456-78-9", state)[0] == {"national_id": "3101200456789"}


def test_status_answer_in_thai_with_buddhist_date_then_forgets_the_id(catalogue):
    state = tracker("x", reference_number="DCA-2569-004567", national_id="3101200456789")
    events, messages = run(ActionCheckStatus(PROVIDER, catalogue), state)
    assert "อยู่ระหว่างพิจารณา" in messages[0]["text"] and "18 พ.ย. 2569" in messages[0]["text"]
    assert {"event": "slot", "timestamp": None, "name": "national_id", "value": None} in events


def test_status_answer_in_english(catalogue):
    _, messages = run(ActionCheckStatus(PROVIDER, catalogue), tracker("x", "en", reference_number="DLT-2569-010203"))
    assert "Status: Approved" in messages[0]["text"] and "21 Nov 2026" in messages[0]["text"]


def test_cancel_keeps_the_reference_for_coming_back():
    events, messages = run(ActionCancelStatusCheck(), tracker("ยกเลิก", reference_number="DCA-2569-004567"))
    assert messages[0]["text"].startswith("ยกเลิกการตรวจสอบสถานะแล้ว")
    assert {"event": "active_loop", "timestamp": None, "name": None} in events
    assert not any(e.get("name") == "reference_number" for e in events)


def test_dates_by_language():
    assert format_date(dt.date(2026, 11, 18), "th") == "18 พ.ย. 2569"
    assert format_date(dt.date(2026, 11, 18), "en") == "18 Nov 2026"
