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
from actions.service_answer import last_checked_text, unverified_fields
from gateway.settings import SearchSettings
from texts import format_date, text

_SEARCH = SearchSettings()  # the thresholds the gateway ships with
THRESHOLDS = _SEARCH.thresholds()
NEVER = SearchThresholds(answer=0.99, switch=0.99, ask_margin=0.0, spread=0.0)

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
    confidence: float = 0.9,
    message: dict | None = None,
    **slots,
) -> Tracker:
    """A tracker as Rasa sends it to the action server, for the latest message ``text``
    (``message``: more of what NLU said about it, such as the response selector's pick)."""
    state = copy.deepcopy(TRACKER)
    state["slots"]["language"] = language
    state["slots"].update(slots)
    state["latest_message"].update(message or {})
    state["latest_message"]["intent"] = {"name": intent, "confidence": confidence}
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


def test_unconfirmed_facts_are_named_to_the_citizen(catalogue):
    # The elderly allowance's eligibility is not confirmed (issue 12: the 2023 income rule's
    # criteria were still pending): the answer says so by name, not with a general warning.
    _, messages = run(
        ActionAnswerService(catalogue, THRESHOLDS), tracker("How do I apply for the elderly allowance?", "en")
    )
    service = catalogue.get("elderly-allowance")
    assert service is not None and "eligibility" in service.unverified_fields()
    lines = messages[0]["text"].splitlines()
    (note,) = [line for line in lines if "not been confirmed with the agency" in line]
    assert "who can apply" in note.lower()
    assert lines[-1].startswith("Source: ") and ("last checked" in lines[-1] or "not yet checked" in lines[-1])


def test_the_card_carries_the_caution_of_the_text_answer_word_for_word(catalogue):
    for lang, query in (("th", "บัตรประชาชนหมดอายุต้องทำยังไง"), ("en", "How do I apply for the elderly allowance?")):
        _, messages = run(ActionAnswerService(catalogue, THRESHOLDS), tracker(query, lang))
        card = messages[1]["custom"]
        service = catalogue.get(card["service_id"])
        assert service is not None
        assert card["unverified"] == unverified_fields(service)
        assert card["to_verify"] == service.to_verify  # kept for older channels
        if card["verify_note"]:
            assert card["verify_note"] in messages[0]["text"].splitlines()
        assert card["last_checked_text"] == last_checked_text(service, lang)
        checked = service.last_checked()
        said = format_date(checked, lang) if checked else text("card.unchecked", lang)
        assert said in messages[0]["text"].splitlines()[-1]


def test_low_score_says_honestly_nothing_matched_and_offers_life_events(catalogue):
    events, messages = run(ActionAnswerService(catalogue, NEVER), tracker("ขอสูตรต้มยำกุ้งหน่อย"))
    assert events == [{"event": "slot", "timestamp": None, "name": "misses", "value": 1.0}]
    assert "หาบริการที่ตรงกับคำถามนี้ไม่เจอ" in messages[0]["text"]
    assert len(messages[0]["buttons"]) == 10
    assert messages[0]["buttons"][0]["payload"].startswith("/browse_life_event")


def test_browse_life_event_lists_services(catalogue):
    entities = [{"entity": "life_event", "value": "driving"}]
    _, messages = run(ActionBrowseLifeEvent(catalogue, THRESHOLDS), tracker("/browse_life_event", "en", entities))
    assert messages[0]["text"] == "Services for Driving and vehicles:"
    assert 1 <= len(messages[0]["buttons"]) <= 13


def test_browse_unknown_life_event_offers_the_list(catalogue):
    entities = [{"entity": "life_event", "value": "holiday"}]
    _, messages = run(ActionBrowseLifeEvent(catalogue, THRESHOLDS), tracker("x", "th", entities))
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
    events, messages = run(ActionAnswerService(catalogue, NEVER), tracker("ขอสูตรต้มยำกุ้งหน่อย", misses=1.0))
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


# --- retrieval-aware routing: every question is searched; the intent says what to tell ----------


def _card_ids(messages) -> list[str]:
    return [m["custom"]["service_id"] for m in messages if m.get("custom", {}).get("type") == "service_card"]


@pytest.mark.parametrize("entities", [[{"entity": "service", "value": "ภาษีรถ"}], []])
def test_a_where_question_naming_a_service_answers_where_for_it(catalogue, entities):
    question = tracker("ภาษีรถหมดเดือนนี้ จ่ายที่ไหนได้บ้าง", entities=entities, intent="ask_where")
    events, messages = run(ActionAnswerDetail(catalogue, THRESHOLDS), question)
    assert _slot(events, "service_id") == "vehicle-tax-renewal"
    assert "ยื่นได้ที่:" in messages[0]["text"]
    assert _card_ids(messages) == ["vehicle-tax-renewal"]


def test_a_fee_question_naming_a_service_answers_its_fee_with_nothing_in_context(catalogue):
    events, messages = run(
        ActionAnswerDetail(catalogue, THRESHOLDS), tracker("เบี้ยผู้สูงอายุได้เดือนละเท่าไหร่", intent="ask_fee")
    )
    assert _slot(events, "service_id") == "elderly-allowance"
    assert "ค่าธรรมเนียม:" in messages[0]["text"]


WIDE = SearchThresholds(_SEARCH.min_score, _SEARCH.switch_score, ask_margin=0.1, spread=_SEARCH.ask_back_spread)


def test_close_siblings_are_asked_back_and_the_quick_reply_answers_the_same_question(catalogue):
    asked = tracker("ต่อพาสปอร์ตต้องใช้เอกสารอะไร", intent="ask_documents")
    events, messages = run(ActionAnswerDetail(catalogue, WIDE), asked)
    assert events == [] and not _card_ids(messages)  # a question, not an answer
    choice = messages[0]
    assert choice["text"].startswith("คำถามนี้ตรงกับหลายบริการครับ")
    payloads = [b["payload"] for b in choice["buttons"]]
    assert '/ask_documents{"service":"passport-renewal"}' in payloads
    assert '/ask_documents{"service":"passport-first-issue"}' in payloads
    assert all(b["title"] in choice["text"] for b in choice["buttons"])  # each choice named in full
    picked = tracker(
        '/ask_documents{"service":"passport-renewal"}',
        entities=[{"entity": "service", "value": "passport-renewal"}],
        intent="ask_documents",
    )
    events, messages = run(ActionAnswerDetail(catalogue, WIDE), picked)
    assert _slot(events, "service_id") == "passport-renewal"
    assert messages[0]["text"].startswith("ทำหนังสือเดินทางเล่มใหม่") and "เอกสารที่ต้องใช้:" in messages[0]["text"]
    assert _card_ids(messages) == ["passport-renewal"]


def test_a_close_call_that_includes_the_service_in_context_stays_with_it(catalogue):
    follow_up = tracker("ต่อพาสปอร์ตต้องใช้เอกสารอะไร", intent="ask_documents", service_id="passport-renewal")
    events, messages = run(ActionAnswerDetail(catalogue, WIDE), follow_up)
    assert _slot(events, "service_id") == "passport-renewal"
    asked = tracker("ต่อพาสปอร์ต", service_id="passport-renewal")
    events, messages = run(ActionAnswerService(catalogue, WIDE), asked)
    assert _card_ids(messages) == ["passport-renewal"]


def test_english_choices_are_in_english(catalogue):
    _, messages = run(ActionAnswerService(catalogue, WIDE), tracker("house registration move", "en"))
    assert messages[0]["text"].startswith("That could be more than one service.")
    assert "Moving out of a house registration" in messages[0]["text"]
    assert all(b["payload"].startswith('/ask_service{"service":"house-registration-') for b in messages[0]["buttons"])


def test_outside_the_catalogue_the_reply_is_honest_with_no_card(catalogue):
    for lang, question in (
        ("th", "ขอใบอนุญาตตกปลาในเขื่อนหน่อยครับ"),
        ("en", "What's the weather like in Chiang Mai today?"),
    ):
        events, messages = run(ActionAnswerService(catalogue, THRESHOLDS), tracker(question, lang))
        assert not _card_ids(messages)
        assert not any(event.get("name") == "service_id" for event in events)
        assert "1111" in messages[0]["text"]
        assert messages[0]["buttons"][0]["payload"].startswith("/browse_life_event")
    assert "doesn't cover this" in messages[0]["text"]


def test_related_services_and_life_event_lists_pick_a_service_exactly(catalogue):
    _, messages = run(ActionAnswerService(catalogue, THRESHOLDS), tracker("บัตรประชาชนหายทำใหม่ที่ไหน"))
    related = next(m for m in messages if m.get("text") == "บริการที่อาจเกี่ยวข้อง")
    assert all(b["payload"].startswith('/ask_service{"service":"id-card-') for b in related["buttons"])
    picked = tracker(
        '/ask_service{"service":"id-card-first-issue"}',
        entities=[{"entity": "service", "value": "id-card-first-issue"}],
    )
    _, messages = run(ActionAnswerService(catalogue, THRESHOLDS), picked)
    assert _card_ids(messages) == ["id-card-first-issue"]


def test_a_life_event_question_that_clearly_names_a_service_is_answered_about_it(catalogue):
    words = "บัตรสวัสดิการแห่งรัฐใช้ซื้อของไม่ได้แล้ว ต้องทำยังไง"
    _, messages = run(
        ActionBrowseLifeEvent(catalogue, THRESHOLDS), tracker(words, intent="browse_life_event", confidence=0.6)
    )
    assert _card_ids(messages) == ["state-welfare-card"]
    sure = tracker(words, intent="browse_life_event", confidence=0.97)  # NLU is sure: the menu it asked for
    _, messages = run(ActionBrowseLifeEvent(catalogue, THRESHOLDS), sure)
    assert messages[0]["text"] == "เลือกหมวดที่ต้องการได้เลยครับ"


@pytest.mark.parametrize("query", ["เบอร์ติดต่อผม 08x-xxx-xx78 ค่ะ", "ต่ออายุบัตรประชาชน"])
def test_the_fallback_always_ends_the_turn(catalogue, query):
    # As Rasa's core fallback nothing else says "listen now": without this it ran ten times per message.
    events, _ = run(ActionFallback(catalogue, THRESHOLDS), tracker(query, intent="inform", confidence=0.7))
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "action_listen"}


def test_a_life_event_with_a_journey_tells_its_steps_first(catalogue):
    from knowledge.journeys import load_seed_journeys

    baby = next(journey for journey in load_seed_journeys() if journey.life_event == "birth")
    action = ActionBrowseLifeEvent(catalogue, THRESHOLDS, journeys=lambda event: baby if event == "birth" else None)
    entities = [{"entity": "life_event", "value": "birth"}]

    _, messages = run(action, tracker("/browse_life_event", "th", entities))
    steps, menu = messages
    journey = steps["custom"]  # the stepper / carousel, with its plain text for other channels
    assert journey["type"] == "journey" and journey["id"] == baby.id and journey["title"] == baby.title.th
    first = journey["steps"][0]
    assert (first["service"], first["title"]) == ("birth-registration", catalogue.get("birth-registration").title.th)
    assert first["deadline"]["text"] == "ภายใน 15 วัน" and not first["unverified"]
    assert any(step["unverified"] and step["deadline"]["text"] == "ภายใน 12 เดือน" for step in journey["steps"])
    assert journey["unchecked_note"] == text("journeys.unchecked_deadline", "th")
    assert journey["text"].startswith(baby.title.th)
    assert f"1. {catalogue.get('birth-registration').title.th} (ภายใน 15 วัน)" in journey["text"]
    assert "(ภายใน 12 เดือน*)" in journey["text"]  # not checked against its source: marked, and said so
    assert menu["buttons"] and menu["buttons"][0]["payload"]  # the services stay one tap away, last

    _, messages = run(action, tracker("/browse_life_event", "en", [{"entity": "life_event", "value": "driving"}]))
    assert [m["text"] for m in messages] == ["Services for Driving and vehicles:"]  # no journey: the menu alone
