"""The language an action answers in."""

from __future__ import annotations

from actions.language import current_language
from tests.actions.test_service_actions import tracker


def test_the_language_slot_decides_the_answer_language():
    assert current_language(tracker("How do I renew my passport?", "th")) == "th"
    assert current_language(tracker("ต่ออายุบัตรประชาชน", "en")) == "en"


def test_without_a_slot_the_message_language_decides():
    assert current_language(tracker("How do I renew my passport?", None)) == "en"  # type: ignore[arg-type]
    assert current_language(tracker("ขอ passport ใหม่", None)) == "th"  # type: ignore[arg-type]
