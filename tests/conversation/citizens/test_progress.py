"""Journey progress and saved services on a real database (SQLite and PostgreSQL): kept only with
the ``profile`` consent, shared by the citizen's conversations, erased with the citizen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select

from conversation.citizens.consents import ConsentBook, ConsentRequiredError
from conversation.citizens.engine import open_citizens_engine
from conversation.citizens.models import journey_progress, journey_starts, saved_services
from conversation.citizens.progress import JourneyProgressBook

NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
BIRTH = dt.date(2026, 12, 1)


@pytest.fixture
def engine(sql_url: str) -> Iterator[Engine]:
    opened = open_citizens_engine(sql_url)
    yield opened
    opened.dispose()


@pytest.fixture
def consents(engine: Engine) -> ConsentBook:
    return ConsentBook(engine, "v1")


@pytest.fixture
def book(engine: Engine, consents: ConsentBook) -> JourneyProgressBook:
    return JourneyProgressBook(engine, consents)


def _rows(engine: Engine) -> int:
    with engine.connect() as connection:
        return sum(
            connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (journey_starts, journey_progress, saved_services)
        )


def test_without_consent_nothing_is_kept(engine: Engine, book: JourneyProgressBook) -> None:
    for write in (
        lambda: book.start("line:U1", "having-a-baby", BIRTH, now=NOW),
        lambda: book.tick("line:U1", "having-a-baby", "birth-registration", True, now=NOW),
        lambda: book.save_service("line:U1", "passport-renewal", now=NOW),
    ):
        with pytest.raises(ConsentRequiredError) as refused:
            write()
        assert refused.value.purpose == "profile"
    assert _rows(engine) == 0
    assert book.progress("line:U1", "having-a-baby") is None and book.journeys_of("line:U1") == []


def test_start_tick_and_untick_are_kept(book: JourneyProgressBook, consents: ConsentBook) -> None:
    consents.grant("line:U1", "profile", "th", "line", now=NOW)
    book.start("line:U1", "having-a-baby", BIRTH, now=NOW)
    book.tick("line:U1", "having-a-baby", "birth-registration", True, now=NOW + dt.timedelta(minutes=1))
    book.tick("line:U1", "having-a-baby", "child-support-grant", True, now=NOW + dt.timedelta(minutes=2))
    book.tick("line:U1", "having-a-baby", "child-support-grant", False, now=NOW + dt.timedelta(minutes=3))
    book.tick("line:U1", "having-a-baby", "birth-registration", True, now=NOW + dt.timedelta(minutes=4))  # twice
    found = book.progress("line:U1", "having-a-baby")
    assert found is not None
    assert (found.event_date, found.done, found.started_at) == (BIRTH, {"birth-registration"}, NOW)
    assert found.updated_at == NOW + dt.timedelta(minutes=4)
    # Saying the date again changes it and keeps the ticks.
    book.start("line:U1", "having-a-baby", dt.date(2026, 11, 30), now=NOW + dt.timedelta(hours=1))
    again = book.progress("line:U1", "having-a-baby")
    assert again is not None and again.event_date == dt.date(2026, 11, 30) and again.done == {"birth-registration"}
    assert again.started_at == NOW


def test_a_tick_starts_a_journey_without_a_date_and_journeys_come_newest_first(
    book: JourneyProgressBook, consents: ConsentBook
) -> None:
    consents.grant("web:a", "profile", "en", "web", now=NOW)
    book.start("web:a", "moving-house", None, now=NOW)
    book.tick("web:a", "death-in-the-family", "death-registration", True, now=NOW + dt.timedelta(days=1))
    followed = book.journeys_of("web:a")
    assert [(item.journey_id, item.event_date) for item in followed] == [
        ("death-in-the-family", None),
        ("moving-house", None),
    ]
    assert followed[0].done == {"death-registration"} and followed[1].done == frozenset()
    assert book.journeys_of("web:b") == []  # another citizen sees none of it
    assert book.stop("web:a", "moving-house") is True and [j.journey_id for j in book.journeys_of("web:a")] == [
        "death-in-the-family"
    ]


def test_saved_services(book: JourneyProgressBook, consents: ConsentBook) -> None:
    consents.grant("line:U1", "profile", "th", "line", now=NOW)
    assert book.save_service("line:U1", "passport-renewal", now=NOW) is True
    assert book.save_service("line:U1", "id-card-renewal", now=NOW + dt.timedelta(minutes=1)) is True
    assert book.save_service("line:U1", "passport-renewal", now=NOW + dt.timedelta(minutes=2)) is False
    assert [s.service_id for s in book.saved_services("line:U1")] == ["id-card-renewal", "passport-renewal"]
    assert book.unsave_service("line:U1", "passport-renewal") is True
    assert book.unsave_service("line:U1", "passport-renewal") is False
    assert [s.service_id for s in book.saved_services("line:U1")] == ["id-card-renewal"]


def test_a_withdrawn_consent_stops_new_writes(book: JourneyProgressBook, consents: ConsentBook) -> None:
    consents.grant("line:U1", "profile", "th", "line", now=NOW)
    book.tick("line:U1", "having-a-baby", "birth-registration", True, now=NOW)
    consents.withdraw("line:U1", "profile", now=NOW + dt.timedelta(hours=1))
    with pytest.raises(ConsentRequiredError):
        book.tick("line:U1", "having-a-baby", "child-support-grant", True, now=NOW + dt.timedelta(hours=2))
    found = book.progress("line:U1", "having-a-baby")
    assert found is not None and found.done == {"birth-registration"}


def test_forget_erases_only_that_citizen(engine: Engine, book: JourneyProgressBook, consents: ConsentBook) -> None:
    for citizen in ("line:U1", "line:U2"):
        consents.grant(citizen, "profile", "th", "line", now=NOW)
        book.start(citizen, "having-a-baby", BIRTH, now=NOW)
        book.tick(citizen, "having-a-baby", "birth-registration", True, now=NOW)
        book.save_service(citizen, "passport-renewal", now=NOW)
    assert book.forget("line:U1") == 3
    assert book.journeys_of("line:U1") == [] and book.saved_services("line:U1") == []
    assert book.progress("line:U2", "having-a-baby") is not None and _rows(engine) == 3
