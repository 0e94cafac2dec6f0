"""Every turn leaves one event: what became of the message, read from the reply the citizen got.

Rasa is a real loopback server answering what the bot's actions send (their own texts, cards and
buttons); the events go to a real SQLite file. A store that fails still lets the citizen have
the answer, and logs nothing of what they wrote.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from actions.referral_answer import referral_text
from actions.service_answer import choice_text, life_event_buttons, service_buttons, service_card
from conversation.rasa_client import RasaClient
from conversation.turn import TurnRequest, TurnResult, run_turn
from conversation.turn_events import TurnEventStore
from conversation.turn_recording import TurnRecorder
from knowledge.referrals import load_referrals
from tests.conversation.loopback import FakeRasa, Reply
from tests.support import free_port
from texts import text

WEBHOOK = "/webhooks/rest/webhook"
CITIZEN = "web:citizen-1"


@pytest.fixture
def events(tmp_path: Path):
    store = TurnEventStore(f"sqlite:///{tmp_path / 'conversations.db'}")
    yield store
    store.close()


def turn(url: str, said: str, recorder: TurnRecorder, channel: str = "web") -> TurnResult:
    async def run() -> TurnResult:
        rasa = RasaClient(url, 5.0)
        try:
            return await run_turn(TurnRequest(CITIZEN, said, channel=channel), rasa, recorder=recorder)
        finally:
            await rasa.aclose()

    result = asyncio.run(run())
    recorder.flush()
    return result


def _services(seed_services, *ids):
    by_id = {service.id: service for service in seed_services}
    return [by_id[service_id] for service_id in ids]


def _replies(seed_services) -> dict[str, tuple[list[dict], str, str | None]]:
    """Rasa's REST replies as the actions make them, with the outcome each must be recorded as."""
    [renewal, lost] = _services(seed_services, "id-card-renewal", "id-card-replacement-lost-damaged")
    referral = load_referrals()[0]
    return {
        "a card": (
            [{"text": "ต่ออายุบัตรได้ที่สำนักงานเขต"}, {"custom": service_card(renewal, "th")}],
            "answered",
            "id-card-renewal",
        ),
        "an ask-back": (
            [{"text": choice_text([renewal, lost], "th"), "buttons": service_buttons([renewal, lost], "th")}],
            "asked_back",
            None,
        ),
        "no match": (
            [{"text": text("answers.no_match", "en"), "buttons": life_event_buttons("en")}],
            "out_of_catalogue",
            None,
        ),
        "a referral": (
            [{"text": referral_text(referral, "th"), "buttons": life_event_buttons("th")}],
            "out_of_catalogue",
            None,
        ),
        "a person offered after two misses": (
            [
                {
                    "text": "I'm sorry I couldn't find the answer twice in a row. Would you like a staff member?",
                    "buttons": [{"title": "Yes, please", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}],
                }
            ],
            "out_of_catalogue",
            None,
        ),
        "a hand-off": ([{"text": text("answers.handoff_done", "th", ticket="17")}], "handoff", None),
        "small talk": ([{"text": "สวัสดีครับ มีอะไรให้ช่วยไหมครับ"}], "other", None),
    }


@pytest.mark.parametrize(
    "case",
    [
        "a card",
        "an ask-back",
        "no match",
        "a referral",
        "a person offered after two misses",
        "a hand-off",
        "small talk",
    ],
)
def test_the_outcome_is_read_from_the_reply(fake_rasa: FakeRasa, events, seed_services, case):
    raw, outcome, service_id = _replies(seed_services)[case]
    fake_rasa.replies[WEBHOOK] = Reply.json(raw)
    result = turn(fake_rasa.url, "ทำบัตรประชาชนใหม่", TurnRecorder(events))
    [row] = events.of(CITIZEN)
    assert (row["outcome"], row["service_id"]) == (outcome, service_id)
    assert row["language"] == result.language and row["channel"] == "web"


def test_rasa_down_is_recorded_as_a_fallback_with_its_status(events):
    result = turn(f"http://127.0.0.1:{free_port()}", "ทำพาสปอร์ตที่ไหน", TurnRecorder(events), channel="line")
    assert result.status.value == "rasa_unavailable"
    [row] = events.of(CITIZEN)
    assert (row["outcome"], row["channel"]) == ("fallback", "line")


def test_the_recorded_message_is_masked_and_a_tap_is_marked(fake_rasa: FakeRasa, events):
    fake_rasa.replies[WEBHOOK] = Reply.json([{"text": "รับทราบครับ"}])
    recorder = TurnRecorder(events)
    turn(fake_rasa.url, "เลขบัตร 1101700203451 เบอร์ 081-234-5678 ครับ", recorder)
    turn(fake_rasa.url, '/ask_service{"service":"id-card-renewal"}', recorder)
    typed, tapped = events.of(CITIZEN)
    assert "1101700203451" not in typed["message"] and "081-234-5678" not in typed["message"]
    assert typed["message"].startswith("เลขบัตร ")
    with events.engine.connect() as connection:
        flags = [row.tapped for row in connection.exec_driver_sql("SELECT tapped FROM turn_events ORDER BY id")]
    assert flags == [0, 1]
    assert tapped["message"] == '/ask_service{"service":"id-card-renewal"}'


def test_the_top_score_is_recorded_for_searched_turns_only(fake_rasa: FakeRasa, events, seed_services):
    scored: list[str] = []

    def scorer(said: str) -> float:
        scored.append(said)
        return 0.61234

    recorder = TurnRecorder(events, scorer)
    raw, _outcome, _service = _replies(seed_services)["a card"]
    fake_rasa.replies[WEBHOOK] = Reply.json(raw)
    turn(fake_rasa.url, "ต่ออายุบัตร โทร 0812345678", recorder)
    fake_rasa.replies[WEBHOOK] = Reply.json([{"text": "สวัสดีครับ"}])
    turn(fake_rasa.url, "สวัสดี", recorder)
    with events.engine.connect() as connection:
        scores = [row.top_score for row in connection.exec_driver_sql("SELECT top_score FROM turn_events ORDER BY id")]
    assert scores == [0.6123, None]
    assert scored and "0812345678" not in scored[0]  # the scorer sees the masked words only


def test_a_store_that_fails_still_answers_the_citizen_and_logs_no_words(fake_rasa: FakeRasa, tmp_path, caplog):
    broken = TurnEventStore(f"sqlite:///{tmp_path / 'gone.db'}")
    broken.close()
    (tmp_path / "gone.db").unlink()
    (tmp_path / "gone.db").mkdir()  # a directory where the database was: every write fails
    fake_rasa.replies[WEBHOOK] = Reply.json([{"text": "ต่ออายุได้ที่สำนักงานเขตครับ"}])
    with caplog.at_level(logging.WARNING):
        result = turn(fake_rasa.url, "ต่ออายุบัตรประชาชนคุณสมชาย", TurnRecorder(broken))
    assert result.messages == [{"type": "text", "text": "ต่ออายุได้ที่สำนักงานเขตครับ"}]
    assert "could not record a turn event" in caplog.text
    assert "สมชาย" not in caplog.text


def test_a_recorder_that_raises_does_not_fail_the_turn(fake_rasa: FakeRasa):
    class Exploding:
        def record(self, request: TurnRequest, result: TurnResult) -> None:
            raise RuntimeError("boom")

    fake_rasa.replies[WEBHOOK] = Reply.json([{"text": "ได้เลยครับ"}])

    async def run() -> TurnResult:
        rasa = RasaClient(fake_rasa.url, 5.0)
        try:
            return await run_turn(TurnRequest(CITIZEN, "สวัสดี"), rasa, recorder=Exploding())
        finally:
            await rasa.aclose()

    assert asyncio.run(run()).messages == [{"type": "text", "text": "ได้เลยครับ"}]
