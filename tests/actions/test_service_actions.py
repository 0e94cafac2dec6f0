"""Actions with real trackers (as Rasa sends them) and the real catalogue index."""

from __future__ import annotations

import asyncio
import copy

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import SearchThresholds
from actions.language import ValidateSlotMappings
from actions.service_actions import ActionAnswerDetail, ActionAnswerService, ActionBrowseLifeEvent, ActionFallback

THRESHOLDS = SearchThresholds(answer=0.45, switch=0.55)

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
    text: str,
    language: str = "th",
    entities: list | None = None,
    metadata: dict | None = None,
    intent: str = "ask_service",
    **slots,
) -> Tracker:
    """A tracker as Rasa sends it to the action server, for the latest message ``text``."""
    state = copy.deepcopy(TRACKER)
    state["slots"]["language"] = language
    state["slots"].update(slots)
    state["latest_message"]["intent"] = {"name": intent, "confidence": 0.9}
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
    events, messages = run(ActionAnswerService(catalogue, THRESHOLDS), tracker("บัตรประชาชนหมดอายุต้องทำยังไง"))
    assert {"event": "slot", "timestamp": None, "name": "service_id", "value": "id-card-renewal"} in events
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
    _, messages = run(ActionAnswerService(catalogue, THRESHOLDS), tracker("How do I renew my passport?", "en"))
    assert "passport" in messages[0]["text"].lower()
    assert messages[1]["custom"]["lang"] == "en"


def test_unverified_facts_are_flagged_to_the_citizen(catalogue):
    _, messages = run(ActionAnswerService(catalogue, THRESHOLDS), tracker("renew expired national ID card", "en"))
    service = catalogue.get("id-card-renewal")
    assert service is not None and "fees" in service.to_verify
    assert "Please confirm the" in messages[0]["text"]


def test_the_card_carries_the_caution_of_the_text_answer_word_for_word(catalogue):
    for lang, query in (("th", "บัตรประชาชนหมดอายุต้องทำยังไง"), ("en", "renew expired national ID card")):
        _, messages = run(ActionAnswerService(catalogue, THRESHOLDS), tracker(query, lang))
        card = messages[1]["custom"]
        assert "fees" in card["to_verify"]
        assert card["verify_note"] and card["verify_note"] in messages[0]["text"].splitlines()


def test_low_score_says_honestly_nothing_matched_and_offers_life_events(catalogue):
    never = SearchThresholds(answer=0.99, switch=0.99)
    events, messages = run(ActionAnswerService(catalogue, never), tracker("ขอสูตรต้มยำกุ้งหน่อย"))
    assert events == [{"event": "slot", "timestamp": None, "name": "misses", "value": 1.0}]
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
        ("DCA-2569-004567", "th", None, {"language": "th"}),  # a code is not English
        ("dopa 2569 000123", "en", None, {"language": "en"}),
    ],
)
def test_language_slot_follows_the_citizen(text, slot, metadata, expected):
    action = ValidateSlotMappings()
    result = asyncio.run(action.extract_language(CollectingDispatcher(), tracker(text, slot, metadata=metadata), {}))
    assert result == expected


def test_second_miss_in_a_row_offers_a_person(catalogue):
    never = SearchThresholds(answer=0.99, switch=0.99)
    events, messages = run(ActionAnswerService(catalogue, never), tracker("ขอสูตรต้มยำกุ้งหน่อย", misses=1.0))
    assert messages[0]["response"] == "utter_offer_human"
    assert {"event": "slot", "timestamp": None, "name": "human_offered", "value": True} in events


def _slot(events, name):
    return next(e["value"] for e in events if e.get("name") == name)


def test_follow_up_without_a_service_uses_the_one_in_context(catalogue):
    track = tracker("แล้วต้องใช้เอกสารอะไรบ้าง", intent="ask_documents", service_id="passport-renewal")
    events, messages = run(ActionAnswerDetail(catalogue, THRESHOLDS), track)
    assert _slot(events, "service_id") == "passport-renewal"
    assert messages[0]["text"].startswith("ทำหนังสือเดินทางเล่มใหม่")
    assert "หนังสือเดินทางเล่มเดิม" in messages[0]["text"]
    assert not any(m.get("custom") for m in messages)  # same service: no new card


def test_english_fee_follow_up(catalogue):
    track = tracker("and how much does it cost?", "en", intent="ask_fee", service_id="passport-renewal")
    _, messages = run(ActionAnswerDetail(catalogue, THRESHOLDS), track)
    assert "Fees:" in messages[0]["text"] and "1,000 baht" in messages[0]["text"]


def test_naming_another_service_switches_it(catalogue):
    entities = [{"entity": "service", "value": "ใบขับขี่"}]
    track = tracker("ต่อใบขับขี่ต้องใช้เอกสารอะไร", entities=entities, intent="ask_documents", service_id="passport-renewal")
    events, messages = run(ActionAnswerDetail(catalogue, THRESHOLDS), track)
    assert _slot(events, "service_id") == "driving-licence-renewal"
    assert any(m.get("custom", {}).get("service_id") == "driving-licence-renewal" for m in messages)


def test_follow_up_without_any_service_asks_back(catalogue):
    _, messages = run(ActionAnswerDetail(catalogue, THRESHOLDS), tracker("ค่าธรรมเนียมเท่าไหร่", intent="ask_fee"))
    assert messages[0]["text"].startswith("ต้องการทราบค่าธรรมเนียมของบริการไหน")
    english = tracker("how long does it take?", "en", intent="ask_processing_time")
    _, messages = run(ActionAnswerDetail(catalogue, THRESHOLDS), english)
    assert messages[0]["text"].startswith("Which service would you like the processing time for?")


def test_explicit_language_choice_is_kept():
    state = tracker("ต่ออายุบัตรประชาชน", "en", preferred_language="en")
    result = asyncio.run(ValidateSlotMappings().extract_language(CollectingDispatcher(), state, {}))
    assert result == {"language": "en"}


@pytest.mark.parametrize("query", ["???", "...", "!?"])
def test_fallback_on_punctuation_alone_does_not_pick_a_service(catalogue, query):
    events, messages = run(ActionFallback(catalogue, THRESHOLDS), tracker(query, "en"))
    assert "couldn't find a service" in messages[0]["text"]
    assert not any(event.get("name") == "service_id" for event in events)
