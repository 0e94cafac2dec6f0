"""Picking an offered service by typing: ordinals, titles, a distinguishing word, and reading what
was offered from the tracker; then the actions answering the pick (real trackers, real catalogue)."""

from __future__ import annotations

import asyncio
import copy

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.pick import offered, ordinal, parse_offer, picked, typed_pick
from actions.service_actions import ActionAnswerService, ActionFallback
from actions.service_answer import follow_up_buttons, service_buttons
from gateway.settings import SearchSettings

THRESHOLDS = SearchSettings().thresholds()
PASSPORTS = ["passport-first-issue", "passport-renewal", "passport-lost-replacement"]


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("อันแรก", 0),
        ("เอาอันแรกค่ะ", 0),
        ("อันที่สองครับ", 1),
        ("ข้อ 2", 1),
        ("ข้อ ๓", 2),
        ("2", 1),
        ("อันสุดท้าย", -1),
        ("the first one", 0),
        ("The second one please", 1),
        ("option 3", 2),
        ("number 2", 1),
        ("last one", -1),
        ("I'll take the third", 2),
    ],
)
def test_ordinals_in_thai_and_english(text, position):
    assert ordinal(text) == position


@pytest.mark.parametrize("text", ["ทำครั้งแรก", "first time", "2 ปีแล้ว", "ต่ออายุ", "", "อันนี้ราคาเท่าไหร่"])
def test_words_that_only_contain_an_ordinal_are_not_one(text):
    assert ordinal(text) is None


def test_a_payload_names_the_service_and_the_question():
    offer = parse_offer('/ask_fee{"service":"passport-renewal"}')
    assert offer is not None and (offer.service_id, offer.intent) == ("passport-renewal", "ask_fee")
    assert parse_offer('/browse_life_event{"life_event":"birth"}') is None
    assert parse_offer("ค่าธรรมเนียมเท่าไหร่") is None
    assert parse_offer('/ask_fee{"service":') is None


@pytest.fixture(scope="module")
def passports(catalogue):
    return [catalogue.get(sid) for sid in PASSPORTS]


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("อันแรก", 0),
        ("the second one", 1),
        ("อันสุดท้ายค่ะ", 2),
        ("ต่ออายุ", 1),  # the renewal's own word, among the passports only
        ("หายค่ะ", 2),
        ("lost", 2),
        ("Renewal", 1),
    ],
)
def test_a_typed_pick_among_the_offered_services(catalogue, passports, text, index):
    assert typed_pick(text, passports, catalogue) == index


@pytest.mark.parametrize(
    "text",
    [
        "อันที่ห้า",  # nothing fifth was offered
        "แล้วถ้าจะทำใบขับขี่ต้องไปที่ไหน ใช้อะไรบ้าง",  # a new question, not a pick
        "พาสปอร์ต",  # every offered one is a passport: it picks none
        '/ask_service{"service":"passport-renewal"}',  # a tap is read by NLU, not here
    ],
)
def test_words_that_pick_none_of_the_offered(catalogue, passports, text):
    assert typed_pick(text, passports, catalogue) is None


TRACKER = {
    "sender_id": "citizen-pick",
    "slots": {"language": "th", "service_id": None},
    "latest_message": {"text": "", "intent": {"name": "nlu_fallback", "confidence": 0.45}, "entities": []},
    "events": [],
    "paused": False,
    "followup_action": None,
    "active_loop": {},
    "latest_action_name": "action_listen",
}


def _bot(text: str, buttons: list[dict[str, str]]) -> dict:
    return {"event": "bot", "text": text, "data": {"buttons": buttons}}


def _tracker(text: str, previous_bot: list[dict], intent: str = "nlu_fallback") -> Tracker:
    state = copy.deepcopy(TRACKER)
    state["latest_message"].update({"text": text, "intent": {"name": intent, "confidence": 0.45}})
    state["events"] = [
        {"event": "user", "text": "สอบถามเรื่องพาสปอร์ต"},
        {"event": "action", "name": "action_answer_service"},
        *previous_bot,
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text},
    ]
    return Tracker.from_dict(state)


def test_what_was_offered_is_read_from_the_bots_previous_turn(catalogue, passports):
    ask = _bot("หมายถึงบริการไหนครับ", service_buttons(passports, "th", "ask_fee"))
    offers = offered(_tracker("อันแรก", [ask]))
    assert [o.service_id for o in offers] == PASSPORTS and {o.intent for o in offers} == {"ask_fee"}
    # An answer ends with its follow-up questions: no service is on offer any more.
    answer = [ask, _bot("ต่ออายุหนังสือเดินทาง ...", follow_up_buttons("th"))]
    assert offered(_tracker("อันแรก", answer)) == []
    assert offered(_tracker("อันแรก", [])) == []
    # A card with related services after it is an answer too: typed words are a follow-up about it.
    card = {"event": "bot", "data": {"custom": {"type": "service_card", "service_id": "passport-renewal"}}}
    assert offered(_tracker("อันแรก", [card, ask])) == []


def _run(action, track: Tracker) -> tuple[list, list]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, track, {}))
    return events, dispatcher.messages


def _service_set(events: list) -> str | None:
    return next((e["value"] for e in events if e.get("event") == "slot" and e.get("name") == "service_id"), None)


def test_a_typed_ordinal_is_answered_about_the_service_it_picks(catalogue, passports):
    track = _tracker("อันที่สองค่ะ", [_bot("หมายถึงบริการไหนครับ", service_buttons(passports, "th"))])
    assert picked(track, catalogue).service.id == "passport-renewal"
    events, messages = _run(ActionFallback(catalogue, THRESHOLDS), track)
    assert _service_set(events) == "passport-renewal"
    assert messages[1]["custom"]["service_id"] == "passport-renewal"


def test_a_pick_offered_for_a_fee_answers_the_fee_with_the_card(catalogue, passports):
    ask = _bot("หมายถึงบริการไหนครับ", service_buttons(passports, "th", "ask_fee"))
    events, messages = _run(ActionAnswerService(catalogue, THRESHOLDS), _tracker("ต่ออายุ", [ask], "ask_service"))
    renewal = catalogue.get("passport-renewal")
    assert _service_set(events) == "passport-renewal"
    assert renewal.fees.th in messages[0]["text"]
    assert messages[1]["custom"]["service_id"] == "passport-renewal"


def test_without_an_offer_the_words_are_searched_as_usual(catalogue):
    events, _ = _run(ActionAnswerService(catalogue, THRESHOLDS), _tracker("ต่อพาสปอร์ต", [], "ask_service"))
    assert _service_set(events) == "passport-renewal"
