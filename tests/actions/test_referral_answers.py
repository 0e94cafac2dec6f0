"""A question about a matter the catalogue does not cover: who handles it, never a near card."""

from __future__ import annotations

import pytest

from actions.catalogue_first import ActionAnswerOrRespond
from actions.service_actions import ActionAnswerDetail, ActionAnswerService
from tests.actions.test_service_actions import THRESHOLDS, run, tracker


def _cards(messages: list[dict]) -> list[dict]:
    return [m["custom"] for m in messages if (m.get("custom") or {}).get("type") == "service_card"]


def _said(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


@pytest.mark.parametrize(
    ("question", "lang", "not_covered"),
    [
        ("อยากมีปืนไว้ป้องกันตัว ต้องขอใบอนุญาตอาวุธปืนที่ไหนคะ", "th", "ไม่อยู่ในรายการบริการที่ผมตอบได้"),
        ("How do I apply for a firearm licence in Thailand?", "en", "isn't covered by the catalogue"),
    ],
)
def test_a_matter_outside_the_catalogue_is_referred_without_a_card(catalogue, question, lang, not_covered):
    _, messages = run(ActionAnswerService(catalogue, THRESHOLDS), tracker(question, language=lang))
    assert not _cards(messages)
    assert not_covered in _said(messages)
    assert "1111" in _said(messages)


def test_a_detail_question_about_such_a_matter_is_referred_too(catalogue):
    question = tracker("ขอใบอนุญาตมีอาวุธปืน ป.4 ค่าธรรมเนียมเท่าไหร่", intent="ask_fee")
    _, messages = run(ActionAnswerDetail(catalogue, THRESHOLDS), question)
    assert not _cards(messages)
    assert "ไม่อยู่ในรายการบริการที่ผมตอบได้" in _said(messages)


def test_an_unsure_out_of_scope_intent_gets_the_referral_instead_of_not_something_i_do(catalogue):
    question = tracker("ขอใบอนุญาตพกพาอาวุธปืนทำยังไงครับ", intent="out_of_scope", confidence=0.6)
    _, messages = run(ActionAnswerOrRespond(catalogue, THRESHOLDS), question)
    assert "ไม่อยู่ในรายการบริการที่ผมตอบได้" in _said(messages)
    assert not any(m.get("response") == "utter_out_of_scope" for m in messages)


def test_a_catalogue_licence_is_still_answered_with_its_card(catalogue):
    _, messages = run(ActionAnswerService(catalogue, THRESHOLDS), tracker("ใบขับขี่หมดอายุ จะต่ออายุต้องทำยังไง"))
    assert [card["service_id"] for card in _cards(messages)] == ["driving-licence-renewal"]


def test_a_short_follow_up_stays_with_the_service_in_context_rather_than_a_topic(catalogue):
    # "what exams do I take?" fits the police-cadet exam topic's short questions too
    question = tracker("ต้องสอบอะไรบ้าง", intent="ask_documents", service_id="driving-licence-temporary")
    _, messages = run(ActionAnswerDetail(catalogue, THRESHOLDS), question)
    assert "ไม่อยู่ในรายการบริการที่ผมตอบได้" not in _said(messages)
    assert messages[0]["text"].startswith(catalogue.get("driving-licence-temporary").title.th)
