"""One conversation turn as a citizen sees it: an answer, or a canned reply in their language.

Rasa is real (the session's ``live_stack``) or a real loopback socket that misbehaves.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Literal

import pytest

from conversation.messages import TurnStatus, canned_reply
from conversation.rasa_client import RasaClient
from conversation.turn import TurnRequest, TurnResult, run_turn
from tests.conversation.loopback import FakeRasa, Reply

WEBHOOK = "/webhooks/rest/webhook"
THAI = re.compile(r"[\u0e01-\u0e4e]")
THAI_QUESTION = "ต่ออายุบัตรประชาชนต้องใช้เอกสารอะไร"
ENGLISH_QUESTION = "How do I renew my passport?"


def turn(
    url: str,
    text: str,
    *,
    language: Literal["th", "en"] | None = None,
    channel: str = "web",
    sender: str = "citizen-1",
    timeout_seconds: float = 5.0,
) -> TurnResult:
    async def run() -> TurnResult:
        rasa = RasaClient(url, timeout_seconds)
        try:
            return await run_turn(TurnRequest(sender, text, channel=channel, language=language), rasa)
        finally:
            await rasa.aclose()

    return asyncio.run(run())


def assert_canned(result: TurnResult, status: TurnStatus, lang: Literal["th", "en"]) -> None:
    assert result.status == status
    assert result.language == lang
    assert result.messages == [{"type": "text", "text": canned_reply(status, lang)}]
    reply = result.messages[0]["text"]
    assert bool(THAI.search(reply)) is (lang == "th"), reply


# --- Rasa misbehaves: the citizen still gets an answer ---------------------------------------


@pytest.mark.parametrize(("text", "lang"), [("ทำพาสปอร์ตที่ไหน", "th"), ("where do I get a passport", "en")])
def test_rasa_not_started_gives_the_unavailable_reply_in_the_citizens_language(closed_port_url, text, lang):
    result = turn(closed_port_url, text, sender="citizen-7")
    assert_canned(result, TurnStatus.RASA_UNAVAILABLE, lang)
    assert result.sender == "citizen-7"
    assert result.duration_ms > 0


def test_rasa_that_never_answers_gives_the_timeout_reply(silent_rasa):
    result = turn(silent_rasa, "ขอเอกสารทำบัตรประชาชน", timeout_seconds=0.3)
    assert_canned(result, TurnStatus.RASA_TIMEOUT, "th")
    english = turn(silent_rasa, "what documents do I need", timeout_seconds=0.3)
    assert_canned(english, TurnStatus.RASA_TIMEOUT, "en")


@pytest.mark.parametrize(
    "reply",
    [
        Reply(500, b'{"status": "failure", "message": "An unexpected error occurred."}'),
        Reply.json({"text": "not a list"}),
        Reply(200, b"<html><body>502 Bad Gateway</body></html>", "text/html"),
    ],
    ids=["server-error", "json-object", "html-page"],
)
def test_a_broken_rasa_reply_gives_the_unavailable_reply(fake_rasa: FakeRasa, reply: Reply):
    fake_rasa.replies[WEBHOOK] = reply
    assert_canned(turn(fake_rasa.url, "hello"), TurnStatus.RASA_UNAVAILABLE, "en")


@pytest.mark.parametrize(
    "raw",
    [[], [{"recipient_id": "citizen-1"}, {"recipient_id": "citizen-1", "text": ""}]],
    ids=["empty-list", "only-empty-messages"],
)
def test_rasa_with_nothing_to_say_gives_the_no_reply_answer(fake_rasa: FakeRasa, raw):
    fake_rasa.replies[WEBHOOK] = Reply.json(raw)
    assert_canned(turn(fake_rasa.url, "ฝนตกไหมวันนี้"), TurnStatus.NO_REPLY, "th")


# --- what is sent to Rasa, and which language the reply is in --------------------------------


def test_the_message_sent_to_rasa_has_no_zero_width_characters_and_names_the_channel(fake_rasa: FakeRasa):
    fake_rasa.replies[WEBHOOK] = Reply.json([{"recipient_id": "u-line-1", "text": "ได้เลยครับ"}])
    result = turn(
        fake_rasa.url, "  \u200bต่อ\u200dอายุ\ufeffบัตร\u00adประชาชน\u2060 \n", channel="line", sender="u-line-1"
    )
    (request,) = fake_rasa.received
    assert request.json() == {
        "sender": "u-line-1",
        "message": "ต่ออายุบัตรประชาชน",
        "metadata": {"channel": "line", "detected_language": "th"},
    }
    assert result.status == TurnStatus.OK
    assert result.messages == [{"type": "text", "text": "ได้เลยครับ"}]


@pytest.mark.parametrize(
    ("text", "explicit", "detected", "lang"),
    [
        ("ทำบัตรประชาชนที่ไหน", None, "th", "th"),
        ("Where do I renew my ID card?", None, "en", "en"),
        ("ขอ passport ใหม่", None, "mixed", "th"),
        ("👍", None, "th", "th"),
        ("ทำบัตรประชาชนที่ไหน", "en", "th", "en"),
        ("Where do I renew my ID card?", "th", "en", "th"),
    ],
    ids=["thai", "english", "code-switched", "emoji-only", "explicit-en-wins", "explicit-th-wins"],
)
def test_reply_language_and_the_metadata_rasa_receives(fake_rasa: FakeRasa, text, explicit, detected, lang):
    fake_rasa.replies[WEBHOOK] = Reply.json([{"recipient_id": "citizen-1", "text": "ok"}])
    result = turn(fake_rasa.url, text, language=explicit)
    assert result.language == lang
    expected = {"channel": "web", "detected_language": detected}
    if explicit:
        expected["language"] = explicit
    assert fake_rasa.received[0].json()["metadata"] == expected


_THAI_CARD = {"type": "service_card", "lang": "th", "service_id": "passport-renewal", "title": "ต่ออายุหนังสือเดินทาง"}


@pytest.mark.parametrize(
    ("text", "explicit", "raw", "lang"),
    [
        ("ตอบเป็นภาษาอังกฤษได้ไหม", None, [{"text": "Sure, I'll answer in English from now on."}], "en"),
        ("please answer in Thai", None, [{"text": "ได้เลยครับ จากนี้ผมจะตอบเป็นภาษาไทยนะครับ"}], "th"),
        ("ตอบเป็นภาษาไทย", "en", [{"text": "Sure"}, {"custom": _THAI_CARD}], "th"),
        ("where can I read more?", None, [{"text": "อ่านต่อได้ที่ https://www.consular.go.th/passport-renewal-info"}], "th"),
    ],
    ids=["asked-for-english-in-thai", "asked-for-thai-in-english", "a-card-names-its-language", "a-url-is-not-english"],
)
def test_the_reply_language_is_the_one_the_bot_answered_in(fake_rasa: FakeRasa, text, explicit, raw, lang):
    fake_rasa.replies[WEBHOOK] = Reply.json([{"recipient_id": "citizen-1", **message} for message in raw])
    assert turn(fake_rasa.url, text, language=explicit).language == lang


def test_the_canned_reply_follows_an_explicit_language_too(closed_port_url):
    assert_canned(turn(closed_port_url, "ทำบัตรประชาชนที่ไหน", language="en"), TurnStatus.RASA_UNAVAILABLE, "en")


def test_rasas_messages_are_rendered_for_the_channels(fake_rasa: FakeRasa):
    fake_rasa.replies[WEBHOOK] = Reply.json(
        [
            {"recipient_id": "citizen-1", "text": "Here is what I found"},
            {"recipient_id": "citizen-1", "text": "Anything else?", "buttons": [{"title": "No, thanks"}]},
        ]
    )
    result = turn(fake_rasa.url, "passport")
    assert result.status == TurnStatus.OK
    assert result.messages == [
        {"type": "text", "text": "Here is what I found"},
        {
            "type": "quick_replies",
            "text": "Anything else?",
            "options": [{"label": "No, thanks", "payload": "No, thanks"}],
        },
    ]


# --- a real Rasa server ----------------------------------------------------------------------


def _live(live_stack, text: str, language: Literal["th", "en"] | None = None) -> TurnResult:
    sender = f"test-{uuid.uuid4().hex[:12]}"
    return turn(live_stack.settings.rasa.url, text, language=language, sender=sender, timeout_seconds=60)


def _cards(result: TurnResult) -> list[dict]:
    return [m["card"] for m in result.messages if m["type"] == "card"]


@pytest.mark.rasa
def test_real_rasa_answers_a_thai_question_pasted_with_zero_width_spaces(live_stack):
    result = _live(live_stack, "ต่ออายุ\u200bบัตร\u200bประชาชน\u200bต้องใช้เอกสารอะไร")
    assert result.status == TurnStatus.OK
    assert result.language == "th"
    cards = _cards(result)
    assert cards and cards[0]["service_id"] == "id-card-renewal"
    assert cards[0]["lang"] == "th"


@pytest.mark.rasa
def test_real_rasa_answers_an_english_question_in_english(live_stack):
    result = _live(live_stack, ENGLISH_QUESTION)
    assert result.status == TurnStatus.OK
    assert result.language == "en"
    cards = _cards(result)
    assert cards and "passport" in cards[0]["service_id"]
    assert cards[0]["lang"] == "en"
    texts = [m["text"] for m in result.messages if m["type"] == "text"]
    assert texts and not any(THAI.search(t) for t in texts), texts


@pytest.mark.rasa
def test_real_rasa_follows_the_explicit_language_over_the_text(live_stack):
    result = _live(live_stack, THAI_QUESTION, language="en")
    assert result.status == TurnStatus.OK
    assert result.language == "en"
    cards = _cards(result)
    assert cards and cards[0]["service_id"] == "id-card-renewal"
    assert cards[0]["lang"] == "en"
