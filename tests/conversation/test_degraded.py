"""Rasa down or slow: the citizen still gets the catalogue's best answer, in their language.

Real parts: the seed catalogue in a SQLite file with its FAISS index and the embedded encoder;
``RasaClient`` talks HTTP to a loopback port where nothing listens, or to one that never answers.
"""

from __future__ import annotations

import asyncio
import re
from typing import Literal

import pytest

from conversation.degraded import CatalogueFallback
from conversation.messages import TurnStatus, canned_reply
from conversation.rasa_client import RasaClient
from conversation.turn import TurnRequest, TurnResult, run_turn
from gateway.settings import SearchSettings
from texts import text

THAI = re.compile(r"[\u0e01-\u0e4e]")
THRESHOLDS = SearchSettings().thresholds()


@pytest.fixture(scope="module")
def fallback(catalogue) -> CatalogueFallback:
    return CatalogueFallback(catalogue, THRESHOLDS)


def turn(
    url: str,
    said: str,
    fallback: CatalogueFallback | None,
    *,
    language: Literal["th", "en"] | None = None,
    timeout_seconds: float = 5.0,
) -> TurnResult:
    async def run() -> TurnResult:
        rasa = RasaClient(url, timeout_seconds)
        try:
            return await run_turn(TurnRequest("citizen-1", said, language=language), rasa, fallback)
        finally:
            await rasa.aclose()

    return asyncio.run(run())


def cards(result: TurnResult) -> list[dict]:
    return [m["card"] for m in result.messages if m["type"] == "card"]


def test_rasa_not_started_gives_the_thai_catalogue_answer_with_its_card(closed_port_url, fallback):
    result = turn(closed_port_url, "ต่ออายุบัตรประชาชนต้องใช้อะไร", fallback)
    assert result.status == TurnStatus.DEGRADED
    assert result.language == "th"
    assert result.messages[0] == {"type": "text", "text": text("conversation.degraded", "th")}
    [card] = cards(result)
    assert card["lang"] == "th"
    assert card["service_id"] == "id-card-renewal"


def test_an_english_question_gets_the_english_answer(closed_port_url, fallback):
    result = turn(closed_port_url, "How do I renew my passport?", fallback)
    assert result.status == TurnStatus.DEGRADED
    assert result.language == "en"
    assert result.messages[0]["text"] == text("conversation.degraded", "en")
    [card] = cards(result)
    assert card["lang"] == "en"
    assert "passport" in card["title"].lower()
    said = " ".join(m.get("text") or "" for m in result.messages)
    assert not THAI.search(said), said


def test_a_rasa_that_never_answers_is_degraded_too(silent_rasa, fallback):
    result = turn(silent_rasa, "ทำพาสปอร์ตครั้งแรกที่ไหน", fallback, timeout_seconds=0.3)
    assert result.status == TurnStatus.DEGRADED
    assert cards(result)


def test_the_widget_switch_sets_the_answers_language(closed_port_url, fallback):
    result = turn(closed_port_url, "ต่ออายุบัตรประชาชนต้องใช้อะไร", fallback, language="en")
    assert result.language == "en"
    assert cards(result)[0]["lang"] == "en"


def test_a_question_the_catalogue_does_not_cover_gets_its_honest_no_match(closed_port_url, fallback):
    result = turn(closed_port_url, "เล่าเรื่องตลกให้ฟังหน่อย", fallback)
    assert result.status == TurnStatus.DEGRADED
    assert not cards(result)
    assert result.messages[1]["text"] == text("answers.no_match", "th")


def test_a_button_that_names_a_service_is_answered_about_it(closed_port_url, fallback, seed_services):
    service = seed_services[-1]
    result = turn(closed_port_url, f'/ask_service{{"service": "{service.id}"}}', fallback, language="en")
    assert result.status == TurnStatus.DEGRADED
    assert cards(result)[0]["service_id"] == service.id


def test_a_button_without_context_keeps_the_apology(closed_port_url, fallback):
    result = turn(closed_port_url, "/ask_fee", fallback)
    assert result.status == TurnStatus.RASA_UNAVAILABLE
    assert result.messages == [{"type": "text", "text": canned_reply(TurnStatus.RASA_UNAVAILABLE, "en")}]


def test_without_a_fallback_the_turn_keeps_the_apology(closed_port_url):
    result = turn(closed_port_url, "ต่ออายุบัตรประชาชนต้องใช้อะไร", None)
    assert result.status == TurnStatus.RASA_UNAVAILABLE
