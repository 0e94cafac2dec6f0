"""Composing sentences from the table: lists, the verify note, both languages at once."""

from __future__ import annotations

import pytest

from knowledge.schema import LifeEvent
from texts import bilingual, field_name, join_list, life_event_name, text, verify_note


def test_lists_read_naturally_in_each_language():
    assert join_list([], "en") == ""
    assert join_list(["fees"], "en") == "fees"
    assert join_list(["fees", "steps"], "en") == "fees and steps"
    assert join_list(["documents", "fees", "steps"], "en") == "documents, fees and steps"
    assert join_list(["ค่าธรรมเนียม"], "th") == "ค่าธรรมเนียม"
    assert join_list(["ค่าธรรมเนียม", "ขั้นตอน"], "th") == "ค่าธรรมเนียม และขั้นตอน"
    assert join_list(["เอกสาร", "ค่าธรรมเนียม", "ขั้นตอน"], "th") == "เอกสาร ค่าธรรมเนียม และขั้นตอน"


def test_the_verify_note_names_the_fields_in_each_language():
    assert verify_note(["fees"], "en") == "Please confirm the fees with the agency; this part may have changed."
    assert verify_note(["documents", "fees", "processing_time"], "en") == (
        "Please confirm the documents to bring, fees and processing time with the agency; this part may have changed."
    )
    assert verify_note(["fees"], "th") == "โปรดตรวจสอบค่าธรรมเนียมกับหน่วยงานอีกครั้ง เพราะข้อมูลส่วนนี้อาจเปลี่ยนแปลง"
    assert verify_note(["documents", "fees", "where_to_apply"], "th") == (
        "โปรดตรวจสอบเอกสารที่ต้องใช้ ค่าธรรมเนียม และยื่นได้ที่กับหน่วยงานอีกครั้ง เพราะข้อมูลส่วนนี้อาจเปลี่ยนแปลง"
    )
    with pytest.raises(ValueError, match="at least one field"):
        verify_note([], "th")


def test_field_names_are_lower_case_inside_an_english_sentence():
    assert text("answers.processing_time", "en") == "Processing time"
    assert field_name("processing_time", "en") == "processing time"
    assert field_name("processing_time", "th") == "ระยะเวลาดำเนินการ"


def test_placeholders_are_filled_and_a_missing_value_is_an_error():
    assert text("line.too_long", "en", limit=2000) == (
        "That message is too long (over 2000 characters). Could you ask in fewer words?"
    )
    with pytest.raises(KeyError, match="limit"):
        text("line.too_long", "th")


def test_bilingual_gives_thai_then_english():
    thai, english = bilingual("line.km", value=3).split("\n\n")
    assert (thai, english) == ("3 กม.", "3 km")


def test_life_events_have_names_in_both_languages():
    assert life_event_name(LifeEvent.DRIVING, "en") == "Driving and vehicles"
    assert life_event_name(LifeEvent.DRIVING, "th") == "การขับขี่และยานพาหนะ"
