"""The journeys handler through the citizens desk, on a real SQLite store with the seed journeys and
catalogue: the journey with the citizen's progress, ticks only with consent, the event's date and
its due dates, "my journeys", saved services, and what Rasa told getting the citizen's progress."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from actions.journey_answer import journey_payload
from conversation.citizens.consents import ConsentBook
from conversation.citizens.desk import CitizenAnswer, CitizenDesk
from conversation.citizens.engine import open_citizens_engine
from conversation.citizens.identity import CitizenIdentity
from conversation.citizens.journey_handler import JourneyHandler, read_event_date
from conversation.citizens.journey_view import add_progress
from conversation.citizens.models import journey_progress, journey_starts, saved_services
from conversation.citizens.progress import JourneyProgressBook
from conversation.citizens.prompts import PromptBook
from conversation.rendering import render_rasa_messages
from knowledge.journeys import load_seed_journeys

NOW = dt.datetime(2026, 12, 3, 3, 0, tzinfo=dt.UTC)  # 10:00 in Bangkok
TODAY = dt.date(2026, 12, 3)
JOURNEYS = {journey.id: journey for journey in load_seed_journeys()}


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
def services(seed_services):
    by_id = {service.id: service for service in seed_services}
    return by_id.get


@pytest.fixture
def consents(engine: Engine) -> ConsentBook:
    return ConsentBook(engine, "v1")


@pytest.fixture
def book(engine: Engine, consents: ConsentBook) -> JourneyProgressBook:
    return JourneyProgressBook(engine, consents)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def desk(engine: Engine, book: JourneyProgressBook, services, clock: Clock) -> CitizenDesk:
    prompts = PromptBook(engine)
    handler = JourneyHandler(book, prompts, JOURNEYS.get, services)
    return CitizenDesk(CitizenIdentity(engine), prompts, [handler], now=clock)


def say(desk: CitizenDesk, words: str, lang: str = "th", sender: str = "line:U1") -> CitizenAnswer:
    answer = asyncio.run(desk.intercept(sender, words, lang, "line"))  # type: ignore[arg-type]
    assert answer is not None, words
    return answer


def journey_of(answer: CitizenAnswer) -> dict[str, Any]:
    found = [m["journey"] for m in answer.messages if m["type"] == "journey"]
    assert len(found) == 1, answer.messages
    return found[0]


def texts_of(answer: CitizenAnswer) -> str:
    return "\n".join(str(m.get("text") or "") for m in answer.messages)


def stored(engine: Engine) -> int:
    with engine.connect() as connection:
        return sum(
            connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (journey_starts, journey_progress, saved_services)
        )


def test_a_journey_without_progress_points_at_its_first_step(desk: CitizenDesk, services) -> None:
    journey = journey_of(say(desk, "/journey having-a-baby th"))
    assert journey["title"] == JOURNEYS["having-a-baby"].title.th
    assert (journey["done_count"], journey["total"], journey["next"]) == (0, 5, "birth-registration")
    assert journey["progress_text"] == "ทำแล้ว 0 จาก 5 ขั้นตอน"
    first = journey["steps"][0]
    assert first["title"] == services("birth-registration").title.th and first["next"] and not first["done"]
    assert first["deadline"]["text"] == "ภายใน 15 วัน" and first["due"] is None  # no date given yet
    assert first["commands"]["toggle"] == "/journey_step having-a-baby birth-registration done th"
    assert first["commands"]["open"] == '/ask_service{"service":"birth-registration"}'
    assert first["labels"]["toggle"] == "ทำแล้ว"
    assert journey["date_hint"] and journey["commands"]["start"] == "/journey_start having-a-baby th"
    english = journey_of(say(desk, "/journey having-a-baby en"))
    assert english["progress_text"] == "0 of 5 done" and english["steps"][0]["labels"]["toggle"] == "Done"


def test_without_consent_a_tick_asks_for_it_and_stores_nothing(desk: CitizenDesk, engine: Engine) -> None:
    for command in (
        "/journey_step having-a-baby birth-registration done th",
        "/journey_start having-a-baby th",
        "/save_service passport-renewal th",
    ):
        answer = say(desk, command)
        (question,) = answer.messages
        assert question["type"] == "quick_replies" and "ยังไม่ได้บันทึก" in question["text"]
        assert question["options"] == [{"label": "อ่านและให้ความยินยอม", "payload": "/citizen_consent profile"}]
    assert stored(engine) == 0


def test_ticking_marks_the_step_and_moves_next(desk: CitizenDesk, consents: ConsentBook, services) -> None:
    consents.grant("line:U1", "profile", "th", "line", now=NOW)
    answer = say(desk, "/journey_step having-a-baby birth-registration done th")
    assert texts_of(answer).startswith(f"บันทึกแล้ว: {services('birth-registration').title.th} ทำแล้ว")
    journey = journey_of(answer)
    first, second = journey["steps"][:2]
    assert first["done"] and not first["next"] and first["labels"]["toggle"] == "ยังไม่ได้ทำ"
    assert first["commands"]["toggle"] == "/journey_step having-a-baby birth-registration undo th"
    assert second["next"] and journey["next"] == "universal-coverage-registration"
    assert journey["progress_text"] == "ทำแล้ว 1 จาก 5 ขั้นตอน"
    # Undone again: back to the first step.
    undone = journey_of(say(desk, "/journey_step having-a-baby birth-registration undo th"))
    assert undone["next"] == "birth-registration" and undone["done_count"] == 0


def test_the_event_date_gives_due_dates(desk: CitizenDesk, consents: ConsentBook) -> None:
    consents.grant("line:U1", "profile", "th", "line", now=NOW)
    (question,) = say(desk, "/journey_start having-a-baby th").messages
    assert "เกิดขึ้นวันที่เท่าไร" in question["text"]
    assert question["options"][0]["payload"] == "/journey_start having-a-baby - th"
    answer = say(desk, "เกิดวันที่ 1 ธ.ค. ครับ")  # the open question's answer; no year: this year
    assert "1 ธ.ค. 2569" in texts_of(answer)
    journey = journey_of(answer)
    assert journey["event_date"] == "2026-12-01" and journey["event_date_text"] == "นับจากวันที่ 1 ธ.ค. 2569"
    registration = journey["steps"][0]
    assert (registration["due"], registration["due_text"]) == ("2026-12-16", "ภายใน 16 ธ.ค. 2569")
    maternity = journey["steps"][4]
    assert maternity["due"] == "2027-12-01" and maternity["unverified"]
    assert journey["steps"][1]["due"] is None  # no deadline, no due date
    # The question is answered: the next message is not read as a date.
    assert asyncio.run(desk.intercept("line:U1", "ค่าธรรมเนียมเท่าไร", "th", "line")) is None


def test_a_late_step_is_said_to_be_overdue(desk: CitizenDesk, consents: ConsentBook) -> None:
    consents.grant("web:a", "profile", "en", "web", now=NOW)
    journey = journey_of(say(desk, "/journey_start death-in-the-family 2026-11-20 en", "en", "web:a"))
    registration = journey["steps"][0]
    assert registration["overdue"] and registration["due_text"] == "was due 21 Nov 2026"


@pytest.mark.parametrize(
    ("words", "problem"),
    [
        ("2027-01-05", "has not come yet"),  # the future
        ("1/12/2560", "more than 5 years ago"),  # 2017: surely a typo
        ("on the 99th", "could not read that date"),
    ],
)
def test_a_bad_event_date_is_refused_clearly(
    desk: CitizenDesk, consents: ConsentBook, engine: Engine, words: str, problem: str
) -> None:
    consents.grant("web:a", "profile", "en", "web", now=NOW)
    say(desk, "/journey_start having-a-baby en", "en", "web:a")
    assert problem in texts_of(say(desk, words, "en", "web:a"))
    assert stored(engine) == 0


def test_a_question_instead_of_a_date_goes_to_the_bot(desk: CitizenDesk, consents: ConsentBook) -> None:
    consents.grant("web:a", "profile", "en", "web", now=NOW)
    say(desk, "/journey_start having-a-baby en", "en", "web:a")
    assert asyncio.run(desk.intercept("web:a", "how much is a passport?", "en", "web")) is None


def test_the_date_words_citizens_use() -> None:
    assert read_event_date("เกิดวันที่ 1 ธ.ค.", TODAY) == dt.date(2026, 12, 1)
    assert read_event_date("yesterday", TODAY) == dt.date(2026, 12, 2)
    assert read_event_date("เมื่อวาน", TODAY) == dt.date(2026, 12, 2)
    assert read_event_date("เมื่อวานซืน", TODAY) == dt.date(2026, 12, 1)
    assert read_event_date("3 วันก่อน", TODAY) == dt.date(2026, 11, 30)
    assert read_event_date("1/12/2569", TODAY) == dt.date(2026, 12, 1)
    assert read_event_date("๑/๑๒/๒๕๖๙", TODAY) == dt.date(2026, 12, 1)
    assert read_event_date("2026-12-01", TODAY) == dt.date(2026, 12, 1)
    assert read_event_date("Dec 25", TODAY) == dt.date(2025, 12, 25)  # no year, not yet this year: last year
    assert read_event_date("sometime", TODAY) is None


def test_my_journeys_lists_each_with_its_next_step(desk: CitizenDesk, consents: ConsentBook, services) -> None:
    assert "ยังไม่มีเรื่องที่ติดตาม" in texts_of(say(desk, "/my_journeys th"))
    consents.grant("line:U1", "profile", "th", "line", now=NOW)
    say(desk, "/journey_step having-a-baby birth-registration done th")
    (listed,) = say(desk, "เรื่องที่ติดตามอยู่").messages  # the phrase stands for /my_journeys
    next_title = services("universal-coverage-registration").title.th
    assert f"{JOURNEYS['having-a-baby'].title.th}: ทำแล้ว 1/5 · ขั้นต่อไป: {next_title}" in listed["text"]
    assert listed["options"] == [{"label": JOURNEYS["having-a-baby"].title.th, "payload": "/journey having-a-baby th"}]


def test_unknown_ids_get_a_clear_answer_and_nothing_is_stored(
    desk: CitizenDesk, consents: ConsentBook, engine: Engine
) -> None:
    consents.grant("web:a", "profile", "en", "web", now=NOW)
    assert 'no journey "having-a-pony"' in texts_of(say(desk, "/journey_step having-a-pony x done en", "en", "web:a"))
    assert 'no step "passport-renewal"' in texts_of(
        say(desk, "/journey_step having-a-baby passport-renewal done en", "en", "web:a")
    )
    assert "like this" in texts_of(say(desk, "/journey_step having-a-baby birth-registration maybe en", "en", "web:a"))
    assert 'no service "nope"' in texts_of(say(desk, "/save_service nope en", "en", "web:a"))
    assert stored(engine) == 0


def test_saving_a_service(desk: CitizenDesk, consents: ConsentBook, book: JourneyProgressBook, services) -> None:
    consents.grant("web:a", "profile", "en", "web", now=NOW)
    title = services("passport-renewal").title.en
    assert texts_of(say(desk, "/save_service passport-renewal en", "en", "web:a")) == f"{title} is saved."
    assert texts_of(say(desk, "/save_service passport-renewal en", "en", "web:a")) == f"{title} was already saved."
    assert [s.service_id for s in book.saved_services("web:a")] == ["passport-renewal"]
    assert texts_of(say(desk, "/unsave_service passport-renewal en", "en", "web:a")) == f"{title} is no longer saved."
    assert book.saved_services("web:a") == []


def test_a_linked_conversation_sees_the_same_progress(desk: CitizenDesk, consents: ConsentBook, engine: Engine) -> None:
    consents.grant("line:U1", "profile", "th", "line", now=NOW)
    say(desk, "/journey_step having-a-baby birth-registration done th")
    CitizenIdentity(engine).link("web:b", "line:U1", "web", now=NOW)
    journey = journey_of(say(desk, "/journey having-a-baby th", sender="web:b"))
    assert journey["steps"][0]["done"] and journey["next"] == "universal-coverage-registration"


def test_a_journey_rasa_told_gets_the_citizens_progress(desk: CitizenDesk, consents: ConsentBook, services) -> None:
    consents.grant("line:U1", "profile", "th", "line", now=NOW)
    say(desk, "/journey_start having-a-baby 2026-12-01 th")
    say(desk, "/journey_step having-a-baby birth-registration done th")
    told = journey_payload(JOURNEYS["having-a-baby"], services, "th")
    rendered = render_rasa_messages([{"recipient_id": "line:U1", "custom": told}, {"text": "บริการ"}])
    shown = asyncio.run(add_progress(rendered, desk, "line:U1", now=NOW))
    journey = shown[0]["journey"]
    assert journey["steps"][0]["done"] and journey["next"] == "universal-coverage-registration"
    assert journey["steps"][0]["due"] == "2026-12-16"
    assert shown[1] == {"type": "text", "text": "บริการ"}
    # Another citizen, and no citizens store at all: nothing done, but the buttons are there.
    other = asyncio.run(add_progress(rendered, desk, "line:U2", now=NOW))[0]["journey"]
    alone = asyncio.run(add_progress(rendered, None, "line:U1", now=NOW))[0]["journey"]
    for view in (other, alone):
        assert view["done_count"] == 0 and view["steps"][0]["commands"]["toggle"].endswith("done th")
