"""Profiles on a real database (SQLite and PostgreSQL): kept only with consent, checked before they are
written, changed under a version, deleted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, func, select

from conversation.citizens.consents import ConsentBook, ConsentRequiredError
from conversation.citizens.engine import open_citizens_engine
from conversation.citizens.models import profiles
from conversation.citizens.profiles import ProfileBook, ProfileError, ProfileFields, StaleProfileError
from knowledge.eligibility import Eligibility, Situation, evaluate

NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
CITIZEN = "line:U1"


@pytest.fixture
def engine(sql_url: str) -> Iterator[Engine]:
    opened = open_citizens_engine(sql_url)
    yield opened
    opened.dispose()


def _rows(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(profiles)).scalar_one())


def test_nothing_is_kept_without_the_profile_consent(engine: Engine) -> None:
    consents = ConsentBook(engine, "v1")
    book = ProfileBook(engine, consents)
    with pytest.raises(ConsentRequiredError):
        book.save(CITIZEN, ProfileFields(birth_year=1967), expected_version=0, now=NOW)
    with pytest.raises(ConsentRequiredError):
        book.change(CITIZEN, now=NOW, province="เชียงใหม่")
    consents.grant(CITIZEN, "reminders", "th", "line", now=NOW)  # another purpose does not do
    with pytest.raises(ConsentRequiredError):
        book.change(CITIZEN, now=NOW, province="เชียงใหม่")
    assert _rows(engine) == 0 and book.get(CITIZEN) is None


def test_a_consented_profile_is_kept_changed_and_read_as_the_evaluator_needs(engine: Engine) -> None:
    consents = ConsentBook(engine, "v1")
    consents.grant(CITIZEN, "profile", "th", "line", now=NOW)
    book = ProfileBook(engine, consents)
    first = book.change(CITIZEN, now=NOW, birth_year=2509)  # Buddhist era
    assert (first.fields.birth_year, first.version, first.created_at) == (1966, 1, NOW)
    later = NOW + dt.timedelta(hours=1)
    book.change(CITIZEN, now=later, province="จังหวัดเชียงใหม่", situations=[Situation.DISABILITY])
    stored = book.get(CITIZEN)
    assert stored is not None
    assert (stored.fields.birth_year, stored.fields.province, stored.fields.situations) == (
        1966,
        "เชียงใหม่",
        [Situation.DISABILITY],
    )
    assert (stored.version, stored.created_at, stored.updated_at) == (2, NOW, later)
    verdict = evaluate(
        Eligibility(min_age=60, provinces=["เชียงใหม่"]), stored.eligibility_profile(), dt.date(2026, 12, 3)
    )
    assert verdict.status == "unknown" and verdict.missing == ("birth_date",)  # 59 or 60 from the year alone


def test_a_save_from_a_stale_read_is_refused_and_changes_nothing(engine: Engine) -> None:
    consents = ConsentBook(engine, "v1")
    consents.grant(CITIZEN, "profile", "en", "web", now=NOW)
    book = ProfileBook(engine, consents)
    book.save(CITIZEN, ProfileFields(birth_year=1980, language="en"), expected_version=0, now=NOW)
    with pytest.raises(StaleProfileError) as stale:
        book.save(CITIZEN, ProfileFields(birth_year=1990), expected_version=0, now=NOW)
    assert stale.value.current == 1
    book.save(CITIZEN, ProfileFields(birth_year=1981), expected_version=1, now=NOW)
    with pytest.raises(StaleProfileError, match="version 2, not 1"):
        book.save(CITIZEN, ProfileFields(birth_year=1990), expected_version=1, now=NOW)
    stored = book.get(CITIZEN)
    assert stored is not None and stored.fields.birth_year == 1981 and stored.version == 2


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"birth_year": 1850}, "not a plausible year of birth"),
        ({"birth_year": 2700}, "not a plausible year of birth"),  # พ.ศ. 2700 is in the future
        ({"birth_year": dt.date.today().year + 1}, "not a plausible year of birth"),
        ({"province": "Atlantis"}, "not a Thai province"),
        ({"nationality": "martian"}, "thai"),
        ({"situations": ["astronaut"]}, "situation"),
    ],
)
def test_implausible_answers_are_refused_with_a_clear_error_and_store_nothing(
    engine: Engine, changes: dict[str, object], reason: str
) -> None:
    consents = ConsentBook(engine, "v1")
    consents.grant(CITIZEN, "profile", "th", "line", now=NOW)
    book = ProfileBook(engine, consents)
    with pytest.raises(ProfileError, match=reason if reason != "situation" else "pregnant"):
        book.change(CITIZEN, now=NOW, **changes)
    assert book.get(CITIZEN) is None


def test_fields_check_a_birth_date_against_the_year() -> None:
    assert ProfileFields(birth_date=dt.date(1966, 5, 1)).birth_year == 1966
    with pytest.raises(ValidationError, match="contradicts"):
        ProfileFields(birth_year=1970, birth_date=dt.date(1966, 5, 1))


def test_delete_removes_the_profile(engine: Engine) -> None:
    consents = ConsentBook(engine, "v1")
    consents.grant(CITIZEN, "profile", "th", "line", now=NOW)
    book = ProfileBook(engine, consents)
    book.change(CITIZEN, now=NOW, nationality="thai")
    assert book.delete(CITIZEN) is True and book.delete(CITIZEN) is False
    assert book.get(CITIZEN) is None and _rows(engine) == 0
