"""Language switch, hand-off and feedback actions, with a real SQLite conversation store."""

from __future__ import annotations

from actions.conversation_actions import (
    ActionChangeLanguage,
    ActionHandoff,
    ActionRecordFeedback,
    ActionRecordFeedbackComment,
)
from tests.actions.test_service_actions import run, tracker


def _slots(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_change_language_from_words_and_entities():
    events, messages = run(ActionChangeLanguage(), tracker("พูดภาษาอังกฤษได้ไหม", intent="change_language"))
    assert _slots(events) == {"preferred_language": "en", "language": "en"}
    assert messages[0]["text"] == "Sure, I'll answer in English from now on."
    entity = [{"entity": "language", "value": "th"}]
    events, messages = run(ActionChangeLanguage(), tracker("please reply in that other one", "en", entity))
    assert _slots(events)["preferred_language"] == "th"
    assert "ภาษาไทย" in messages[0]["text"]


def test_handoff_is_stored_once_with_the_transcript(conversations):
    state = tracker("ขอคุยกับเจ้าหน้าที่", intent="ask_human", metadata={"channel": "web"})
    state.events = [
        {"event": "user", "text": "ทำพาสปอร์ตหาย"},
        {"event": "bot", "text": "ขออภัยครับ ..."},
        {"event": "user", "text": "ขอคุยกับเจ้าหน้าที่"},
    ]
    _, messages = run(ActionHandoff(conversations), state)
    assert "ส่งเรื่องให้เจ้าหน้าที่แล้ว" in messages[0]["text"] and "#1" in messages[0]["text"]
    run(ActionHandoff(conversations), state)  # asking twice does not open a second request
    [request] = conversations.open_handoffs()
    assert request.sender_id == "citizen-1" and request.channel == "web" and request.reason == "asked"
    assert "ทำพาสปอร์ตหาย" in request.transcript


def test_rating_is_stored_with_question_and_answer(conversations):
    state = tracker(
        "/give_feedback",
        intent="give_feedback",
        entities=[{"entity": "rating", "value": "helpful"}],
        last_question="ทำพาสปอร์ตที่ไหน",
        last_answer="กรมการกงสุล ...",
        service_id="passport-renewal",
    )
    events, messages = run(ActionRecordFeedback(conversations), state)
    assert _slots(events) == {"feedback_pending": False}
    assert messages[0]["text"].startswith("ขอบคุณสำหรับคำติชม")
    [record] = conversations.feedback()
    assert (record.rating, record.question, record.answer, record.service_id) == (
        "helpful",
        "ทำพาสปอร์ตที่ไหน",
        "กรมการกงสุล ...",
        "passport-renewal",
    )


def test_unhelpful_rating_asks_for_a_comment_which_is_stored(conversations):
    state = tracker("not useful", "en", intent="give_feedback", last_question="q", last_answer="a")
    events, messages = run(ActionRecordFeedback(conversations), state)
    assert _slots(events) == {"feedback_pending": True} and messages == []
    run(ActionRecordFeedbackComment(conversations), tracker("x", "en", feedback_comment="It didn't say the fee"))
    assert conversations.feedback()[0].comment == "It didn't say the fee"


def test_skipping_the_comment_stores_none(conversations):
    run(ActionRecordFeedback(conversations), tracker("ไม่ช่วยเลย", last_question="q", last_answer="a"))
    run(ActionRecordFeedbackComment(conversations), tracker("x", feedback_comment="ข้าม"))
    assert conversations.feedback()[0].comment is None


def test_nothing_to_rate_yet(conversations):
    _, messages = run(ActionRecordFeedback(conversations), tracker("ช่วยได้มาก"))
    assert "ให้คะแนน" in messages[0]["text"]
    assert conversations.feedback() == []
