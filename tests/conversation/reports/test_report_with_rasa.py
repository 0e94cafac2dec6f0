"""Starting a report and asking about one in a citizen's own words, through the real trained model.

The phrasings here are not in bot/data (written for this test). Services whose names contain
"แจ้ง" / "report" (birth, death and move notifications, a police report of a lost card) must still
get their catalogue answer, never a report form."""

from __future__ import annotations

import pytest

from texts import text

pytestmark = pytest.mark.rasa


def _said(reply: dict) -> str:
    return " ".join(str(message.get("text") or "") for message in reply["messages"])


@pytest.mark.parametrize(
    ("words", "lang"),
    [
        ("ไฟทางเดินในหมู่บ้านดับมาสามวันแล้ว อยากแจ้งให้มาซ่อม", "th"),
        ("ขอแจ้งเรื่องท่อน้ำแตกหน้าปากซอยครับ", "th"),
        ("I'd like to report a pothole on my road", "en"),
    ],
)
def test_a_problem_told_in_own_words_starts_a_report(live_stack, words: str, lang: str) -> None:
    conversation = f"report-start-{abs(hash(words))}"
    reply = live_stack.chat(conversation, words)
    said = _said(reply)
    asked = (text("reports.ask_type", lang), text("reports.ask_location", lang), text("reports.ask_description", lang))
    assert any(question[:20] in said for question in asked), said
    live_stack.chat(conversation, "ยกเลิก" if lang == "th" else "cancel")  # nothing half-made stays


@pytest.mark.parametrize(
    ("words", "lang"),
    [("เรื่องที่ร้องเรียนไปเมื่อสัปดาห์ก่อนเป็นไงบ้าง", "th"), ("any news on the problem I reported?", "en")],
)
def test_asking_about_my_reports_lists_them(live_stack, words: str, lang: str) -> None:
    reply = live_stack.chat(f"report-status-{lang}", words)
    assert text("reports.status_none", lang)[:20] in _said(reply)


@pytest.mark.parametrize(
    "words",
    [
        "แจ้งเกิดลูกต้องใช้เอกสารอะไรบ้าง",
        "แจ้งตายต้องไปที่ไหน",
        "แจ้งย้ายเข้าบ้านใหม่ทำยังไง",
        "บัตรประชาชนหาย ต้องแจ้งความไหม",
        "How do I register a birth?",
    ],
)
def test_services_named_with_report_words_are_still_answered_from_the_catalogue(live_stack, words: str) -> None:
    reply = live_stack.chat(f"not-a-report-{abs(hash(words))}", words)
    said = _said(reply)
    for lang in ("th", "en"):
        assert text("reports.ask_type", lang)[:20] not in said
        assert text("reports.ask_location", lang)[:20] not in said
        assert text("reports.ask_description", lang)[:20] not in said
    assert reply["status"] == "ok"
