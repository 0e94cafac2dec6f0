"""The reminders handler through the citizens desk, on a real SQLite store with the seed journeys and
catalogue and a controlled clock: consent first (nothing stored without it), a document's expiry date
typed the ways Thai citizens write it, a journey's deadlines from the day of the event, the list with
its cancel buttons, and an unrelated message left to the bot."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert

from conversation.citizens.consents import ConsentBook
from conversation.citizens.desk import CitizenAnswer, CitizenDesk
from conversation.citizens.engine import open_citizens_engine
from conversation.citizens.identity import CitizenIdentity
from conversation.citizens.models import journey_progress, journey_starts
from conversation.citizens.prompts import PromptBook
from conversation.citizens.reminder_handler import ReminderHandler, read_expiry_date
from conversation.citizens.reminders import BANGKOK, ReminderBook
from conversation.citizens.settings import CitizensSettings
from knowledge.journeys import load_seed_journeys
from texts import text

NOW = dt.datetime(2026, 12, 3, 3, 0, tzinfo=dt.UTC)  # 10:00 in Bangkok
JOURNEYS = {journey.id: journey for journey in load_seed_journeys()}
SENDER = "line:U1"


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    opened = open_citizens_engine(f"sqlite:///{tmp_path / 'citizens.db'}")
    yield opened
    opened.dispose()


@pytest.fixture
def book(engine: Engine) -> ReminderBook:
    return ReminderBook(engine, ConsentBook(engine, "v1"))


@pytest.fixture
def chat(engine: Engine, book: ReminderBook, seed_services):
    services = {service.id: service for service in seed_services}
    prompts = PromptBook(engine)
    handler = ReminderHandler(book, prompts, JOURNEYS.get, services.get, CitizensSettings(expiry_reminder_days=30))
    clock = Clock()
    desk = CitizenDesk(CitizenIdentity(engine), prompts, [handler], now=clock)

    def say(said: str, lang: str = "th", sender: str = SENDER) -> CitizenAnswer | None:
        return asyncio.run(desk.intercept(sender, said, lang, "line"))  # type: ignore[arg-type]

    say.clock = clock  # type: ignore[attr-defined]
    return say


def _text(answer: CitizenAnswer | None) -> str:
    assert answer is not None
    return "\n".join(str(message.get("text", "")) for message in answer.messages)


def _options(answer: CitizenAnswer | None) -> list[dict[str, Any]]:
    assert answer is not None
    return [option for message in answer.messages for option in message.get("options", [])]


def _consent(book: ReminderBook, citizen: str = SENDER, lang: str = "th") -> None:
    book.consents.grant(citizen, "reminders", lang, "line", now=NOW)


def test_without_consent_the_answer_is_the_consent_question_and_nothing_is_kept(chat, book, engine) -> None:
    for said in ("/remind_expiry passport-renewal", "เตือนฉันเมื่อพาสปอร์ตหมดอายุครับ", "/remind_journey having-a-baby"):
        answer = chat(said)
        assert _text(answer) == text("citizens_reminders.consent_needed", "th")
        assert [option["payload"] for option in _options(answer)] == ["/citizen_consent reminders"]
    assert PromptBook(engine).open(SENDER, now=NOW) is None  # not even the question is kept
    assert chat("15 มีนาคม 2570") is None  # so a date typed now is not read as an expiry date
    assert book.all_of(SENDER) == []


def test_a_passport_expiry_in_buddhist_era_with_a_thai_month_sets_a_reminder(chat, book) -> None:
    _consent(book)
    asked = chat("เตือนฉันเมื่อพาสปอร์ตหมดอายุครับ")
    assert _text(asked) == text("citizens_reminders.expiry_ask_date", "th", document="หนังสือเดินทาง")
    done = chat("หมดอายุ 15 มีนาคม 2570 ครับ")
    assert "13 ก.พ. 2570 เวลา 09:00 น." in _text(done) and "15 มี.ค. 2570" in _text(done)
    assert [o["payload"] for o in _options(done)] == ["/my_reminders th", '/ask_service{"service":"passport-renewal"}']
    [reminder] = book.of(SENDER)
    assert (reminder.kind, reminder.subject, reminder.language) == ("document_expiry", "passport-renewal", "th")
    assert reminder.due_at.astimezone(BANGKOK) == dt.datetime(2027, 2, 13, 9, 0, tzinfo=BANGKOK)
    assert reminder.detail["expires_on"] == "2027-03-15"
    assert chat("15 มีนาคม 2570") is None  # the question is closed: the next date is the bot's


def test_a_date_that_cannot_be_read_is_asked_again_and_something_else_goes_to_the_bot(chat, book) -> None:
    _consent(book, lang="en")
    chat("remind me when my driving licence expires", "en")
    assert _text(chat("32/13/2027", "en")) == text("citizens_reminders.expiry_bad_date", "en")
    assert "15 Mar 2027" in _text(chat("15/3/2027", "en"))
    chat("/remind_expiry id-card-renewal en", "en")
    assert chat("how do I renew my ID card?", "en") is None  # another question: the bot answers it
    assert [r.subject for r in book.of(SENDER)] == ["driving-licence-renewal"]


def test_an_expired_document_is_told_to_renew_now_and_nothing_is_kept(chat, book) -> None:
    _consent(book)
    chat("/remind_expiry id-card-renewal")
    answer = chat("2026-11-30")
    assert _text(answer) == text("citizens_reminders.expiry_expired", "th", document="บัตรประจำตัวประชาชน",
                                 date="30 พ.ย. 2569", service="ทำบัตรประจำตัวประชาชนใหม่กรณีบัตรหมดอายุ")  # fmt: skip
    assert [o["payload"] for o in _options(answer)] == ['/ask_service{"service":"id-card-renewal"}']
    assert book.all_of(SENDER) == []


def test_which_document_is_asked_when_none_is_named(chat, book) -> None:
    _consent(book)
    answer = chat("ตั้งเตือน")
    assert _text(answer) == text("citizens_reminders.expiry_choose", "th")
    assert [option["payload"] for option in _options(answer)] == [
        "/remind_expiry driving-licence-renewal th",
        "/remind_expiry id-card-renewal th",
        "/remind_expiry passport-renewal th",
    ]


def test_a_journey_without_its_event_date_offers_to_start_it(chat, book) -> None:
    _consent(book)
    answer = chat("/remind_journey having-a-baby th")
    assert "เกิดขึ้นวันไหน" in _text(answer)
    assert [option["payload"] for option in _options(answer)] == ["/journey_start having-a-baby th"]
    assert book.all_of(SENDER) == []
    assert "journey" in _text(chat("/remind_journey no-such-journey en", "en"))


def test_a_journey_with_its_date_gets_a_reminder_per_open_deadline(chat, book, engine) -> None:
    _consent(book, lang="en")
    with engine.begin() as connection:
        connection.execute(insert(journey_starts).values(citizen_id=SENDER, journey_id="having-a-baby",
                                                         event_date=dt.date(2026, 12, 1), started_at=NOW,
                                                         updated_at=NOW))  # fmt: skip
    answer = chat("/remind_journey having-a-baby en", "en")
    said = _text(answer)
    assert said.startswith("Reminders set for")
    # Birth registration: within 15 days of 1 Dec, so the last day is 15 Dec, reminded the day before.
    assert "reminder 15 Dec 2026, 00:00 (due 15 Dec 2026)" in said
    reminders = book.of(SENDER)
    assert [r.detail["service"] for r in reminders] == ["birth-registration", "social-security-maternity-benefit"]
    assert reminders[0].due_at.astimezone(BANGKOK) == dt.datetime(2026, 12, 15, 0, 0, tzinfo=BANGKOK)
    # Asking again adds nothing twice; a step ticked done is left out of a new round.
    chat("/remind_journey having-a-baby en", "en")
    assert len(book.of(SENDER)) == 2
    with engine.begin() as connection:
        connection.execute(insert(journey_progress).values(citizen_id=SENDER, journey_id="having-a-baby",
                                                           service_id="birth-registration", done_at=NOW))  # fmt: skip
    assert [r.detail["service"] for r in book.of(SENDER)] == ["social-security-maternity-benefit"]  # done: not listed
    assert book.cancel(SENDER, reminders[1].id)
    assert book.of(SENDER) == []
    again = _text(chat("/remind_journey having-a-baby en", "en"))  # the cancelled one again, not the done step
    assert "Birth registration" not in again
    assert [r.detail["service"] for r in book.of(SENDER)] == ["social-security-maternity-benefit"]


def test_a_deadline_already_past_is_said_not_reminded(chat, book, engine) -> None:
    _consent(book)
    with engine.begin() as connection:
        connection.execute(insert(journey_starts).values(citizen_id=SENDER, journey_id="death-in-the-family",
                                                         event_date=dt.date(2026, 11, 20), started_at=NOW,
                                                         updated_at=NOW))  # fmt: skip
    said = _text(chat("/remind_journey death-in-the-family th"))
    assert "เลยกำหนดไปแล้วเมื่อ 20 พ.ย. 2569" in said  # the 24-hour death notification
    assert [r.detail["service"] for r in book.of(SENDER)] == ["social-security-funeral-grant"]


def test_my_reminders_lists_them_with_cancel_buttons_that_work(chat, book) -> None:
    _consent(book)
    assert _text(chat("การเตือนของฉัน")) == text("citizens_reminders.list_empty", "th")
    chat("/remind_expiry passport-renewal")
    chat("15/3/2570")
    chat("/remind_expiry driving-licence-renewal")
    chat("1 มกราคม 2571")
    listed = chat("/my_reminders")
    lines = _text(listed).splitlines()
    assert lines[0] == text("citizens_reminders.list_title", "th")
    assert lines[1].startswith("1. เตือน 13 ก.พ. 2570 เวลา 09:00 น. — หนังสือเดินทางหมดอายุ 15 มี.ค. 2570")
    assert lines[2].startswith("2. ") and "ใบขับขี่" in lines[2]
    first, second = book.of(SENDER)
    assert [o["payload"] for o in _options(listed)] == [
        f"/remind_cancel {first.id} th",
        f"/remind_cancel {second.id} th",
    ]
    assert _text(chat(f"/remind_cancel {first.id} th")) == text("citizens_reminders.cancelled", "th")
    assert [r.id for r in book.of(SENDER)] == [second.id]
    # Another citizen cannot cancel it by its number.
    assert _text(chat(f"/remind_cancel {second.id}", sender="line:Uother")) == text(
        "citizens_reminders.cancel_unknown", "th"
    )
    assert _text(chat("/remind_cancel x")) == text("citizens_reminders.cancel_unknown", "th")


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("15 มีนาคม 2570", dt.date(2027, 3, 15)),
        ("๑๕ มี.ค. ๒๕๗๐", dt.date(2027, 3, 15)),
        ("15/3/2570", dt.date(2027, 3, 15)),
        ("15/03/2027", dt.date(2027, 3, 15)),
        ("2027-03-15", dt.date(2027, 3, 15)),
        ("March 15, 2027", dt.date(2027, 3, 15)),
        ("ไม่แน่ใจ", None),
    ],
)
def test_expiry_dates_as_citizens_type_them(said: str, expected: dt.date | None) -> None:
    assert read_expiry_date(said) == expected
