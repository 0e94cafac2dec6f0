"""Linking a second conversation with a one-time code, on SQLite and PostgreSQL, through the desk handler."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import select

from conversation.citizens.consents import ConsentBook, ConsentRequiredError
from conversation.citizens.dashboard_view import DashboardSources
from conversation.citizens.desk import CitizenDesk
from conversation.citizens.engine import open_citizens_engine
from conversation.citizens.identity import CitizenIdentity
from conversation.citizens.linking import LinkCodes, as_code, code_hash
from conversation.citizens.models import link_codes
from conversation.citizens.prompts import PromptBook
from conversation.citizens.services_handler import ServicesHandler
from conversation.citizens.signed_links import DashboardLinks
from texts import text

T0 = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
LINE, WEB = "line:U0000000000000000000000000000aaaa", "web:conversation-b"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def parts(sql_url: str):
    engine = open_citizens_engine(sql_url)
    identity = CitizenIdentity(engine)
    consents = ConsentBook(engine, "test")
    prompts = PromptBook(engine)
    codes = LinkCodes(engine, identity, consents, minutes=10, attempts=3)
    sources = DashboardSources(identity, consents, journey=lambda _id: None, service=lambda _id: None)
    handler = ServicesHandler(consents, prompts, codes, DashboardLinks("x" * 32, 30), sources, "https://bot.example")
    clock = Clock()
    desk = CitizenDesk(identity, prompts, [handler], now=clock)
    yield engine, identity, consents, codes, desk, clock
    engine.dispose()


def say(desk: CitizenDesk, sender: str, said: str, channel: str) -> list[str]:
    answer = asyncio.run(desk.intercept(sender, said, "th", channel))
    assert answer is not None, f"the desk did not answer {said!r}"
    return [str(m.get("text", "")) for m in answer.messages]


def issued_code(said: list[str]) -> str:
    digits = [word for word in said[0].replace('"', " ").split() if as_code(word)]
    return digits[0]


def test_a_code_from_line_links_the_web_chat_once(parts) -> None:
    engine, identity, consents, _codes, desk, clock = parts
    consents.grant(LINE, "profile", "th", "line", now=T0)
    code = issued_code(say(desk, LINE, "เชื่อมบัญชี", "line"))
    with engine.connect() as connection:  # only the hash is kept
        assert connection.execute(select(link_codes.c.code_hash)).scalars().all() == [code_hash(code)]
    clock.now = T0 + dt.timedelta(minutes=3)
    assert say(desk, WEB, f"เชื่อมบัญชี {code}", "web") == [text("citizens_dashboard.linked", "th")]
    assert identity.citizen_of(WEB) == LINE
    # The code worked once: another conversation cannot use it again.
    assert say(desk, "web:someone-else", f"/link {code}", "web") == [text("citizens_dashboard.link_used", "th")]
    assert identity.citizen_of("web:someone-else") == "web:someone-else"


def test_a_code_typed_after_asking_in_the_other_chat_links_it(parts) -> None:
    _engine, identity, consents, _codes, desk, _clock = parts
    consents.grant(LINE, "profile", "th", "line", now=T0)
    code = issued_code(say(desk, LINE, "link my account", "line"))
    asked = say(desk, WEB, "เชื่อมบัญชี", "web")  # the web chat keeps nothing: it is asked for the code
    assert asked[0] == text("citizens_dashboard.link_ask_code", "th")
    assert say(desk, WEB, f"{code[:3]} {code[3:]}", "web") == [text("citizens_dashboard.linked", "th")]
    assert identity.citizen_of(WEB) == LINE


def test_no_code_without_the_consent_and_nothing_stored(parts) -> None:
    engine, _identity, _consents, codes, desk, _clock = parts
    said = say(desk, LINE, "/link_account", "line")
    assert said[0] == text("citizens_dashboard.link_ask_code", "th")
    with engine.connect() as connection:
        assert connection.execute(select(link_codes)).all() == []
    with pytest.raises(ConsentRequiredError):
        codes.issue(LINE, now=T0)


def test_expired_and_unknown_codes_get_their_own_answer(parts) -> None:
    _engine, identity, consents, _codes, desk, clock = parts
    consents.grant(LINE, "profile", "th", "line", now=T0)
    code = issued_code(say(desk, LINE, "เชื่อมบัญชี", "line"))
    clock.now = T0 + dt.timedelta(minutes=10)
    assert say(desk, WEB, f"/link {code}", "web") == [text("citizens_dashboard.link_expired", "th")]
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert say(desk, WEB, f"/link {wrong}", "web") == [text("citizens_dashboard.link_unknown", "th")]
    assert identity.citizen_of(WEB) == WEB


def test_guessing_makes_the_conversation_wait_even_for_the_right_code(parts) -> None:
    _engine, identity, consents, _codes, desk, clock = parts
    consents.grant(LINE, "profile", "th", "line", now=T0)
    code = issued_code(say(desk, LINE, "เชื่อมบัญชี", "line"))
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(3):
        say(desk, WEB, f"/link {wrong}", "web")
    clock.now = T0 + dt.timedelta(minutes=1)
    waited = say(desk, WEB, f"/link {code}", "web")
    assert waited == [text("citizens_dashboard.link_wait", "th", minutes=9)]
    assert identity.citizen_of(WEB) == WEB
    # Another conversation is not held back by this one's guesses.
    assert say(desk, "web:other", f"/link {code}", "web") == [text("citizens_dashboard.linked", "th")]


def test_a_chat_with_its_own_data_is_not_linked_over(parts) -> None:
    _engine, identity, consents, _codes, desk, _clock = parts
    consents.grant(LINE, "profile", "th", "line", now=T0)
    consents.grant(WEB, "profile", "th", "web", now=T0)
    code = issued_code(say(desk, LINE, "เชื่อมบัญชี", "line"))
    assert say(desk, WEB, f"/link {code}", "web") == [text("citizens_dashboard.link_has_data", "th")]
    assert identity.citizen_of(WEB) == WEB


def test_unlink_from_either_side(parts) -> None:
    _engine, identity, consents, _codes, desk, _clock = parts
    consents.grant(LINE, "profile", "th", "line", now=T0)
    code = issued_code(say(desk, LINE, "เชื่อมบัญชี", "line"))
    say(desk, WEB, f"/link {code}", "web")
    assert say(desk, WEB, "ยกเลิกการเชื่อมบัญชี", "web") == [text("citizens_dashboard.unlinked", "th")]
    assert identity.citizen_of(WEB) == WEB
    assert say(desk, WEB, "unlink my account", "web") == [text("citizens_dashboard.not_linked", "th")]
    code = issued_code(say(desk, LINE, "เชื่อมบัญชี", "line"))
    say(desk, WEB, f"/link {code}", "web")
    assert say(desk, LINE, "/unlink_account", "line") == [text("citizens_dashboard.unlinked_others", "th", count=1)]
    assert identity.citizen_of(WEB) == WEB


def test_my_services_on_the_web_is_a_card_with_the_signed_link(parts) -> None:
    _engine, _identity, _consents, _codes, desk, _clock = parts
    answer = asyncio.run(desk.intercept(WEB, "บริการของฉัน", "th", "web"))
    assert answer is not None
    card = next(m["card"] for m in answer.messages if m["type"] == "card")
    url = card["links"][0]["url"]
    assert url.startswith("https://bot.example/me?t=") and "conversation-b" not in url
    offer = answer.messages[-1]  # nothing kept: the consent is offered
    assert offer["type"] == "quick_replies" and offer["options"][0]["payload"] == "/citizen_consent profile"
