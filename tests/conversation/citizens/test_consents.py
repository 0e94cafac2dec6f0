"""Consents on a real database: granted once, withdrawn, required before anything is kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from conversation.citizens.consents import ConsentBook, ConsentRequiredError
from conversation.citizens.engine import open_citizens_engine

NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def engine(sql_url: str) -> Iterator[Engine]:
    opened = open_citizens_engine(sql_url)
    yield opened
    opened.dispose()


def test_nothing_is_consented_until_the_citizen_says_yes(engine: Engine) -> None:
    book = ConsentBook(engine, "v1")
    with pytest.raises(ConsentRequiredError) as refused:
        book.require("line:U1", "profile")
    assert refused.value.purpose == "profile"
    given = book.grant("line:U1", "profile", "th", "line", now=NOW)
    assert book.require("line:U1", "profile") == given
    assert (given.wording_version, given.language, given.channel, given.active) == ("v1", "th", "line", True)
    assert book.active("line:U1", "reminders") is None  # one purpose does not give another


def test_granting_twice_keeps_the_first_record_and_withdrawal_is_recorded(engine: Engine) -> None:
    book = ConsentBook(engine, "v1")
    first = book.grant("web:a", "reminders", "en", "web", now=NOW)
    again = book.grant("web:a", "reminders", "en", "web", now=NOW + dt.timedelta(days=1))
    assert again.id == first.id and again.granted_at == NOW
    assert book.withdraw("web:a", "reminders", now=NOW + dt.timedelta(days=2)) is True
    assert book.withdraw("web:a", "reminders", now=NOW + dt.timedelta(days=3)) is False
    assert book.active("web:a", "reminders") is None
    [record] = book.history("web:a")
    assert record.withdrawn_at == NOW + dt.timedelta(days=2)
    assert book.forget("web:a") == 1 and book.history("web:a") == []


def test_an_unknown_purpose_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match="unknown purpose"):
        ConsentBook(engine, "v1").grant("line:U1", "marketing", "th", "line", now=NOW)  # type: ignore[arg-type]
