"""Actions with real trackers (as Rasa sends them) and the real catalogue index."""

from __future__ import annotations

import asyncio
import copy

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.language import ValidateSlotMappings
from actions.service_actions import ActionAnswerService, ActionBrowseLifeEvent

TRACKER = {
    "sender_id": "citizen-1",
    "slots": {"language": "th", "service_id": None},
    "latest_message": {"text": "", "intent": {"name": "ask_service", "confidence": 0.9}, "entities": []},
    "events": [],
    "paused": False,
    "followup_action": None,
    "active_loop": {},
    "latest_action_name": "action_listen",
}


def tracker(
    text: str, language: str = "th", entities: list | None = None, metadata: dict | None = None
) -> Tracker:
    state = copy.deepcopy(TRACKER)
    state["slots"]["language"] = language
    state["latest_message"]["text"] = text
    state["latest_message"]["entities"] = entities or []
    if metadata:
        state["latest_message"]["metadata"] = metadata
    return Tracker.from_dict(state)


def run(action, track: Tracker) -> tuple[list, list]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, track, {}))
    return events, dispatcher.messages


def test_answer_gives_text_card_and_sets_the_service(catalogue):
    events, messages = run(ActionAnswerService(catalogue, 0.35), tracker("บัตรประชาชนหมดอายุต้องทำยังไง"))
    assert events == [{"event": "slot", "timestamp": None, "name": "service_id", "value": "id-card-renewal"}]
    assert messages[0]["text"].startswith("ทำบัตรประจำตัวประชาชนใหม่")
    card = messages[1]["custom"]
    assert card["type"] == "service_card" and card["lang"] == "th"
    assert card["links"][-1]["url"].startswith("https://")


def test_answer_text_is_one_message_on_every_channel(catalogue, seed_services):
    from actions.service_answer import service_summary_text

    for service in seed_services:
        for lang in ("th", "en"):
            assert "\n\n" not in service_summary_text(service, lang)  # Rasa would split it


def test_english_answer_is_in_english(catalogue):
    _, messages = run(ActionAnswerService(catalogue, 0.35), tracker("How do I renew my passport?", "en"))
    assert "passport" in messages[0]["text"].lower()
    assert messages[1]["custom"]["lang"] == "en"


def test_unverified_facts_are_flagged_to_the_citizen(catalogue):
    _, messages = run(ActionAnswerService(catalogue, 0.35), tracker("renew expired national ID card", "en"))
    service = catalogue.get("id-card-renewal")
    assert service is not None and "fees" in service.to_verify
    assert "Please confirm the" in messages[0]["text"]


def test_low_score_says_honestly_nothing_matched_and_offers_life_events(catalogue):
    events, messages = run(ActionAnswerService(catalogue, 0.99), tracker("ขอสูตรต้มยำกุ้งหน่อย"))
    assert events == []
    assert "หาบริการที่ตรงกับคำถามนี้ไม่เจอ" in messages[0]["text"]
    assert len(messages[0]["buttons"]) == 10
    assert messages[0]["buttons"][0]["payload"].startswith("/browse_life_event")


def test_browse_life_event_lists_services(catalogue):
    entities = [{"entity": "life_event", "value": "driving"}]
    _, messages = run(ActionBrowseLifeEvent(catalogue), tracker("/browse_life_event", "en", entities))
    assert messages[0]["text"] == "Services for Driving and vehicles:"
    assert 1 <= len(messages[0]["buttons"]) <= 13


def test_browse_unknown_life_event_offers_the_list(catalogue):
    entities = [{"entity": "life_event", "value": "holiday"}]
    _, messages = run(ActionBrowseLifeEvent(catalogue), tracker("x", "th", entities))
    assert messages[0]["text"] == "เลือกหมวดที่ต้องการได้เลยครับ"


@pytest.mark.parametrize(
    ("text", "slot", "metadata", "expected"),
    [
        ("How do I renew my passport?", "th", None, {"language": "en"}),
        ("ขอ passport ใหม่", "en", None, {"language": "th"}),
        ("👍", "en", None, {"language": "en"}),
        ("สวัสดี", "th", {"language": "en"}, {"language": "en"}),
        ('/browse_life_event{"life_event":"birth"}', "en", None, {}),
    ],
)
def test_language_slot_follows_the_citizen(text, slot, metadata, expected):
    action = ValidateSlotMappings()
    result = asyncio.run(
        action.extract_language(CollectingDispatcher(), tracker(text, slot, metadata=metadata), {})
    )
    assert result == expected
