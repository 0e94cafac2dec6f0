"""A typed pick goes to Rasa as the quick reply it names (a loopback Rasa records what it gets)."""

from __future__ import annotations

import asyncio

from conversation.picks import TypedPicks
from conversation.rasa_client import RasaClient
from conversation.turn import TurnRequest, run_turn
from tests.conversation.loopback import FakeRasa, Reply

WEBHOOK = "/webhooks/rest/webhook"
ASK_BACK = [
    {
        "recipient_id": "web:p1",
        "text": "หมายถึงบริการไหนครับ",
        "buttons": [
            {"title": "ทำหนังสือเดินทางครั้งแรก", "payload": '/ask_fee{"service":"passport-first-issue"}'},
            {"title": "ต่ออายุหนังสือเดินทาง", "payload": '/ask_fee{"service":"passport-renewal"}'},
        ],
    }
]
ANSWER = [{"recipient_id": "web:p1", "text": "ok", "buttons": [{"title": "เอกสาร", "payload": "ต้องใช้เอกสารอะไร"}]}]


def turn(fake: FakeRasa, picks: TypedPicks, text: str, reply: list[dict], sender: str = "web:p1") -> str:
    """Send ``text`` (Rasa answers ``reply``); what Rasa received."""

    async def go() -> None:
        rasa = RasaClient(fake.url, 5.0)
        try:
            await run_turn(TurnRequest(sender, text), rasa, picks=picks)
        finally:
            await rasa.aclose()

    fake.replies[WEBHOOK] = Reply.json(reply)
    asyncio.run(go())
    return str(fake.received[-1].json()["message"])


def test_a_typed_ordinal_after_an_ask_back_reaches_rasa_as_its_payload(fake_rasa, catalogue):
    picks = TypedPicks(catalogue)
    assert turn(fake_rasa, picks, "สอบถามเรื่องพาสปอร์ต", ASK_BACK) == "สอบถามเรื่องพาสปอร์ต"
    assert turn(fake_rasa, picks, "the second one", ANSWER) == '/ask_fee{"service":"passport-renewal"}'
    # The answer offered no service: the next message goes as typed.
    assert turn(fake_rasa, picks, "อันแรก", ANSWER) == "อันแรก"


def test_a_distinguishing_word_picks_among_the_offered_only(fake_rasa, catalogue):
    picks = TypedPicks(catalogue)
    turn(fake_rasa, picks, "สอบถามเรื่องพาสปอร์ต", ASK_BACK)
    assert turn(fake_rasa, picks, "ต่ออายุครับ", ANSWER) == '/ask_fee{"service":"passport-renewal"}'


def test_offers_are_per_conversation_expire_and_are_bounded(fake_rasa, catalogue):
    now = [0.0]
    picks = TypedPicks(catalogue, ttl_seconds=60, max_entries=2, clock=lambda: now[0])
    turn(fake_rasa, picks, "พาสปอร์ต", ASK_BACK, sender="web:a")
    assert turn(fake_rasa, picks, "อันแรก", ANSWER, sender="web:b") == "อันแรก"  # b was offered nothing
    turn(fake_rasa, picks, "พาสปอร์ต", ASK_BACK, sender="web:c")
    turn(fake_rasa, picks, "พาสปอร์ต", ASK_BACK, sender="web:d")
    assert len(picks) == 2  # the oldest (a) dropped
    assert turn(fake_rasa, picks, "อันแรก", ANSWER, sender="web:a") == "อันแรก"
    now[0] = 61.0
    assert turn(fake_rasa, picks, "อันแรก", ANSWER, sender="web:c") == "อันแรก"  # expired


CARD_WITH_RELATED = [
    {"recipient_id": "web:p1", "custom": {"type": "service_card", "service_id": "passport-renewal"}},
    {
        "recipient_id": "web:p1",
        "text": "บริการที่เกี่ยวข้อง",
        "buttons": [
            {"title": "ทำหนังสือเดินทางครั้งแรก", "payload": '/ask_service{"service":"passport-first-issue"}'},
            {"title": "หนังสือเดินทางหาย", "payload": '/ask_service{"service":"passport-lost-replacement"}'},
        ],
    },
]


def test_after_an_answer_its_related_services_are_not_picked_by_typing(fake_rasa, catalogue):
    """The words after an answer are a follow-up about it: only a tap moves to a related service."""
    picks = TypedPicks(catalogue)
    turn(fake_rasa, picks, "ต่ออายุพาสปอร์ต", CARD_WITH_RELATED)
    assert turn(fake_rasa, picks, "อันแรก", ANSWER) == "อันแรก"
    turn(fake_rasa, picks, "ต่ออายุพาสปอร์ต", CARD_WITH_RELATED)
    assert turn(fake_rasa, picks, "ถ้าทำหายต้องใช้อะไร", ANSWER) == "ถ้าทำหายต้องใช้อะไร"
