"""The profile handler through the citizens desk (SQLite and PostgreSQL, the seed catalogue, a controlled
clock): the consent notice first, the questions only after "I agree", each answer kept at once, what is
kept shown, changed and deleted, and the services the profile suggests."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from conversation.citizens.consents import ConsentBook
from conversation.citizens.desk import CitizenAnswer, CitizenDesk
from conversation.citizens.engine import open_citizens_engine
from conversation.citizens.identity import CitizenIdentity
from conversation.citizens.models import metadata
from conversation.citizens.profile_handler import ProfileHandler, parse_birth
from conversation.citizens.profiles import ProfileBook
from conversation.citizens.prompts import PromptBook
from conversation.citizens.settings import CitizensSettings
from knowledge.eligibility import Situation
from texts import MAX_QUICK_REPLIES

NOW = dt.datetime(2026, 12, 3, 3, 0, tzinfo=dt.UTC)  # 10:00 in Bangkok
LINE = "line:U0123456789abcdef0123456789abcdef"
WEB = "web:linked-chat"


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def engine(sql_url: str) -> Iterator[Engine]:
    opened = open_citizens_engine(sql_url)
    yield opened
    opened.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def desk(engine: Engine, clock: Clock, seed_services) -> CitizenDesk:
    handler = ProfileHandler(engine, CitizensSettings(kept_days=365), lambda: list(seed_services))
    return CitizenDesk(CitizenIdentity(engine), PromptBook(engine), [handler], now=clock)


def say(desk: CitizenDesk, typed: str, sender: str = LINE, lang: str = "th") -> CitizenAnswer | None:
    channel = sender.split(":")[0]
    return asyncio.run(desk.intercept(sender, typed, lang, channel))  # type: ignore[arg-type]


def said(answer: CitizenAnswer | None) -> str:
    assert answer is not None
    return "\n".join(str(message.get("text") or "") for message in answer.messages)


def options(answer: CitizenAnswer | None) -> list[dict[str, Any]]:
    assert answer is not None
    quick = [message for message in answer.messages if message["type"] == "quick_replies"]
    return quick[-1]["options"] if quick else []


def payload(answer: CitizenAnswer | None, label: str) -> str:
    return next(str(option["payload"]) for option in options(answer) if option["label"] == label)


def rows(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            name: int(connection.execute(select(func.count()).select_from(table)).scalar_one())
            for name, table in metadata.tables.items()
        }


def profile_of(engine: Engine, citizen_id: str = LINE):
    return ProfileBook(engine, ConsentBook(engine, "v")).get(citizen_id)


def test_the_consent_notice_says_what_why_how_long_who_and_how_to_delete(desk: CitizenDesk) -> None:
    notice = say(desk, "/citizen_consent profile")
    text = said(notice)
    for part in ("ปีเกิด", "จังหวัด", "ความคืบหน้า", "บริการที่บันทึกไว้", "365 วัน", "มาตรา 26", "ลบข้อมูลของฉัน", "หน่วยงาน"):
        assert part in text, part
    offered = [option["payload"] for option in options(notice)]
    assert offered == ["/citizen_consent_yes profile th", "/citizen_consent_no th"]
    english = said(say(desk, "/citizen_consent reminders", WEB, "en"))
    assert "reminders" in english and "365 days" in english and "delete my data" in english


def test_nothing_is_stored_before_the_citizen_agrees(desk: CitizenDesk, engine: Engine) -> None:
    empty = rows(engine)
    assert say(desk, "2510") is None  # no question was asked: it goes to the bot, and nothing is kept
    edit = say(desk, "/profile_edit province")  # a change without consent gets the consent question
    assert payload(edit, "ยินยอม") == "/citizen_consent_yes profile th"
    assert say(desk, "เชียงใหม่") is None
    declined = say(desk, "/citizen_consent_no")
    assert "ไม่เก็บข้อมูล" in said(declined)
    assert "ไม่ได้เก็บข้อมูล" in said(say(desk, "ข้อมูลของฉันครับ"))
    assert rows(engine) == empty


def test_the_questions_after_agreeing_keep_each_answer_at_once(desk: CitizenDesk, engine: Engine) -> None:
    asked = say(desk, "/citizen_consent_yes profile")
    assert "ปีเกิด" in said(asked) or "เกิดปี" in said(asked)
    assert ConsentBook(engine, "v").active(LINE, "profile") is not None

    wrong = say(desk, "พ.ศ. 2700")
    assert "ไม่ใช่ปีเกิด" in said(wrong) and profile_of(engine) is None  # refused, and asked again
    province_question = say(desk, "พ.ศ. 2510")
    assert "จังหวัด" in said(province_question)
    assert profile_of(engine).fields.birth_year == 1967  # kept before the next answer

    which = say(desk, "นคร")  # several provinces start so: which one?
    assert [option["label"] for option in options(which)][:3] == ["นครนายก", "นครปฐม", "นครพนม"]
    situations = say(desk, "เชียงใม่")  # a typo still finds Chiang Mai
    assert profile_of(engine).fields.province == "เชียงใหม่"
    labels = [option["label"] for option in options(situations)]
    assert len(labels) <= MAX_QUICK_REPLIES and labels[-2:] == ["ข้ออื่น ▸", "ไม่มีข้อไหนตรง"]

    more = say(desk, "ข้ออื่น ▸")
    rest = [option["label"] for option in options(more)]
    assert "คนในครอบครัวเสียชีวิต" in rest and "ตั้งครรภ์" not in rest
    after_one = say(desk, "เป็นผู้พิการ")
    assert "เป็นผู้พิการ" not in [option["label"] for option in options(after_one)]
    assert profile_of(engine).fields.situations == [Situation.DISABILITY]
    assert profile_of(engine).fields.situations_known is False  # not done yet: others may hold too
    nationality = say(desk, "เสร็จแล้ว")
    assert profile_of(engine).fields.situations_known is True
    assert "สัญชาติ" in said(nationality)

    end = say(desk, "สัญชาติไทย")
    text = said(end)
    assert "บันทึกข้อมูลแล้ว" in text and "บริการที่คุณอาจมีสิทธิ์" in text
    assert "ลงทะเบียนรับเบี้ยความพิการ: คุณอาจมีสิทธิ์" in text
    opened = [option["payload"] for option in options(end)]
    assert '/ask_service{"service":"disability-allowance"}' in opened
    assert say(desk, "สวัสดี") is None  # the questions are over: the bot answers again


def test_every_question_can_be_skipped_and_another_question_leaves_the_flow(desk: CitizenDesk, engine: Engine) -> None:
    say(desk, "/citizen_consent_yes profile", WEB, "en")
    assert "province" in said(say(desk, "skip", WEB, "en")).lower()
    assert "apply to you" in said(say(desk, "Skip", WEB, "en"))
    assert say(desk, "how do I renew my passport?", WEB, "en") is None  # not an answer: the bot answers
    assert say(desk, "Skip", WEB, "en") is None  # and the question is closed
    stored = profile_of(engine, WEB)
    assert stored is None  # skipping keeps nothing


def test_my_profile_shows_what_is_kept_with_change_and_delete(desk: CitizenDesk, engine: Engine) -> None:
    say(desk, "/citizen_consent_yes profile", WEB, "en")
    say(desk, "age 58", WEB, "en")
    say(desk, "Phuket", WEB, "en")
    shown = say(desk, "my data", WEB, "en")
    text = said(shown)
    assert "Year of birth: 1968" in text and "Province: ภูเก็ต" in text and "Situations: not given" in text
    assert "profile, to suggest services" in text and "365 days" in text
    offered = [option["payload"] for option in options(shown)]
    assert offered == ["/profile_edit en", "/my_entitlements en", "/delete_my_data en"]

    say(desk, "/profile_edit province", WEB, "en")
    done = say(desk, "Chiang Rai", WEB, "en")
    assert "saved" in said(done) and profile_of(engine, WEB).fields.province == "เชียงราย"
    assert say(desk, "Skip", WEB, "en") is None  # only the province was asked


def test_delete_my_data_asks_then_erases_everything_of_the_linked_citizen(desk: CitizenDesk, engine: Engine) -> None:
    empty = rows(engine)
    say(desk, "/citizen_consent_yes profile")
    say(desk, "2500")
    say(desk, "/citizen_consent_yes reminders")
    CitizenIdentity(engine).link(WEB, LINE, "web", now=NOW)  # the web chat is the same citizen
    assert "Year of birth: 1957" in said(say(desk, "my profile", WEB, "en"))

    confirm = say(desk, "delete my data", WEB, "en")
    assert "cannot be undone" in said(confirm)
    assert [option["payload"] for option in options(confirm)] == ["/delete_my_data_confirm en", "/my_profile en"]
    assert profile_of(engine) is not None  # asking is not deleting
    assert "deleted" in said(say(desk, payload(confirm, "Yes, delete it"), WEB, "en"))
    assert rows(engine) == empty  # every table, the link and the consent records included
    assert "ไม่มีข้อมูล" in said(say(desk, "ลบข้อมูลของฉัน"))


def test_my_entitlements_needs_the_consent_and_ranks_what_the_profile_allows(
    desk: CitizenDesk, engine: Engine, clock: Clock
) -> None:
    refused = say(desk, "ฉันมีสิทธิ์อะไรบ้างครับ")
    assert payload(refused, "บอกข้อมูลของฉัน") == "/citizen_consent profile th"
    consents = ConsentBook(engine, "v")
    consents.grant(LINE, "profile", "th", "line", now=NOW)
    ProfileBook(engine, consents).change(
        LINE, now=NOW, birth_date=dt.date(1967, 1, 10), nationality="thai", situations_known=True
    )
    listed = say(desk, "what am I entitled to", lang="en")
    text = said(listed)
    assert "may be entitled" in text
    assert "you turn 60 in January 2027" in text  # the elderly allowance, next month
    lines = text.splitlines()
    soon = next(i for i, line in enumerate(lines) if "turn 60" in line)
    assert all("you may be entitled" in line for line in lines[1:soon] if line.startswith("•"))  # eligible first
    assert any("not yet checked" in line for line in lines)  # an unverified rule is said with caution
    assert len(options(listed)) <= MAX_QUICK_REPLIES
    clock.now = NOW + dt.timedelta(days=40)  # now 60: the allowance is among the eligible
    again = said(say(desk, "/my_entitlements en", lang="en"))  # as its quick reply sends it
    assert "turn 60" not in again and "elderly living allowance: you may be entitled" in again


@pytest.mark.parametrize(
    ("typed", "birth"),
    [
        ("2510", {"birth_year": 2510}),
        ("1967", {"birth_year": 1967}),
        ("พ.ศ. 2510", {"birth_year": 2510}),
        ("๒๕๑๐", {"birth_year": 2510}),
        ("อายุ 58", {"birth_year": 1968}),
        ("58 ปี", {"birth_year": 1968}),
        ("I'm 58", {"birth_year": 1968}),
        ("10 ม.ค. 2510", {"birth_year": 1967, "birth_date": dt.date(1967, 1, 10)}),
        ("ไม่แน่ใจ", None),
    ],
)
def test_a_birth_year_is_read_as_citizens_write_it(typed: str, birth: dict[str, Any] | None) -> None:
    assert parse_birth(typed, dt.date(2026, 12, 3)) == birth


def test_stop_reminders_withdraws_the_consent_and_deletes_every_reminder(engine: Engine, desk: CitizenDesk) -> None:
    from conversation.citizens.reminders import ReminderBook

    agreed = say(desk, "/citizen_consent_yes reminders th")
    assert "หยุดแจ้งเตือน" in said(agreed)
    book = ReminderBook(engine, ConsentBook(engine, CitizensSettings().consent_wording_version))
    due = NOW + dt.timedelta(days=30)
    book.add(LINE, "document_expiry", "driving-licence-renewal", {"title": "ต่อใบขับขี่"}, "th", due, now=NOW)
    assert len(book.of(LINE)) == 1
    stopped = say(desk, "หยุดแจ้งเตือน")
    assert "หยุดการแจ้งเตือนแล้ว" in said(stopped)
    assert book.of(LINE) == []
    assert ConsentBook(engine, "any").active(LINE, "reminders") is None
    again = say(desk, "stop reminders", lang="en")
    assert "You have no reminders set." in said(again)
