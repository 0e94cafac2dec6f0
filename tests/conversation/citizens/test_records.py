"""Export, erasure and retention over every table of the citizens store (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, insert, select

from conversation.citizens.consents import ConsentBook
from conversation.citizens.engine import open_citizens_engine
from conversation.citizens.identity import CitizenIdentity
from conversation.citizens.models import (
    citizen_prompts,
    journey_progress,
    journey_starts,
    link_attempts,
    link_codes,
    metadata,
    reminders,
    saved_services,
)
from conversation.citizens.profiles import ProfileBook
from conversation.citizens.prompts import PromptBook
from conversation.citizens.records import CITIZEN_TABLES, SENDER_TABLES, CitizenRecords

NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
CITIZEN = "line:Ucitizen"
WEB = "web:linked-chat"
OTHER = "line:Uother"


@pytest.fixture
def engine(sql_url: str) -> Iterator[Engine]:
    opened = open_citizens_engine(sql_url)
    yield opened
    opened.dispose()


def _everything(engine: Engine, citizen_id: str, now: dt.datetime, sender: str | None = None) -> None:
    """A citizen with a row in every table, as the handlers leave them."""
    consents = ConsentBook(engine, "v1")
    consents.grant(citizen_id, "profile", "th", "line", now=now)
    consents.grant(citizen_id, "reminders", "th", "line", now=now)
    ProfileBook(engine, consents).change(citizen_id, now=now, birth_year=1966, province="เชียงใหม่")
    with engine.begin() as connection:
        connection.execute(
            insert(journey_starts).values(
                citizen_id=citizen_id, journey_id="having-a-baby", event_date=None, started_at=now, updated_at=now
            )
        )
        connection.execute(
            insert(journey_progress).values(
                citizen_id=citizen_id, journey_id="having-a-baby", service_id="birth-registration", done_at=now
            )
        )
        connection.execute(insert(saved_services).values(citizen_id=citizen_id, service_id="id-card", saved_at=now))
        connection.execute(
            insert(reminders).values(
                citizen_id=citizen_id,
                kind="journey_deadline",
                subject="having-a-baby",
                detail=json.dumps({"step": "birth-registration"}),
                language="th",
                due_at=now + dt.timedelta(days=3),
                status="pending",
                attempts=0,
                created_at=now,
            )
        )
        connection.execute(
            insert(link_codes).values(
                code_hash=f"{citizen_id:0<64}"[:64],
                citizen_id=citizen_id,
                created_at=now,
                expires_at=now + dt.timedelta(minutes=10),
                used_at=now,
                used_by=sender,
            )
        )
    if sender is not None:
        CitizenIdentity(engine).link(sender, citizen_id, "web", now=now)
    PromptBook(engine).ask(sender or citizen_id, "profile.province", {}, now=now, minutes=10**6)
    with engine.begin() as connection:  # a wrong code typed in the linked chat
        connection.execute(insert(link_attempts).values(sender_id=sender or citizen_id, attempted_at=now))


def _count(engine: Engine, table_name: str, citizen_id: str) -> int:
    table = metadata.tables[table_name]
    column = table.c.sender_id if table in SENDER_TABLES else table.c.citizen_id
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).where(column == citizen_id)).scalar_one())


def test_every_table_of_the_store_is_covered() -> None:
    covered = {table.name for table in CITIZEN_TABLES} | {table.name for table in SENDER_TABLES}
    assert covered == set(metadata.tables)  # a new table must be exported and erased too


def test_export_holds_everything_of_the_citizen_and_nothing_of_anyone_else(engine: Engine) -> None:
    _everything(engine, CITIZEN, NOW, sender=WEB)
    _everything(engine, OTHER, NOW)
    ConsentBook(engine, "v1").withdraw(CITIZEN, "reminders", now=NOW + dt.timedelta(days=1))

    records = CitizenRecords(engine)
    assert records.citizen_of(WEB) == CITIZEN
    exported = records.export(records.citizen_of(WEB))
    assert exported["citizen_id"] == CITIZEN
    assert [(c["purpose"], c["withdrawn_at"] is not None) for c in exported["consents"]] == [
        ("profile", False),
        ("reminders", True),
    ]
    [profile] = exported["profiles"]
    assert (profile["birth_year"], profile["province"]) == (1966, "เชียงใหม่")
    assert exported["journey_progress"][0]["service_id"] == "birth-registration"
    assert exported["saved_services"][0]["service_id"] == "id-card"
    assert exported["reminders"][0]["detail"] == {"step": "birth-registration"}
    assert exported["citizen_senders"][0]["sender_id"] == WEB
    assert "code_hash" not in exported["link_codes"][0]
    assert [prompt["sender_id"] for prompt in exported["citizen_prompts"]] == [WEB]
    assert [attempt["sender_id"] for attempt in exported["link_attempts"]] == [WEB]
    assert OTHER not in json.dumps(exported)
    json.dumps(exported)  # an access request is answered as JSON


def test_erase_removes_every_row_of_the_citizen_and_their_linked_conversation(engine: Engine) -> None:
    _everything(engine, CITIZEN, NOW, sender=WEB)
    _everything(engine, OTHER, NOW, sender="web:other-chat")
    records = CitizenRecords(engine)

    erased = records.erase(CITIZEN)
    assert erased["consents"] == 2 and erased["profiles"] == 1 and erased["citizen_prompts"] == 1
    assert all(erased[table.name] >= 1 for table in (*CITIZEN_TABLES, *SENDER_TABLES))
    for table in CITIZEN_TABLES:
        assert _count(engine, table.name, CITIZEN) == 0, table.name
        assert _count(engine, table.name, OTHER) >= 1, table.name  # someone else's rows stay
    assert _count(engine, citizen_prompts.name, WEB) == 0 and _count(engine, link_attempts.name, WEB) == 0
    assert records.citizen_of(WEB) == WEB  # the web chat is its own again, with nothing kept
    assert not records.has_data(CITIZEN) and records.has_data(OTHER)
    assert records.erase(CITIZEN) == dict.fromkeys(erased, 0)


def test_purge_erases_citizens_untouched_for_kept_days_only(engine: Engine) -> None:
    old = NOW - dt.timedelta(days=400)
    _everything(engine, CITIZEN, old, sender=WEB)
    _everything(engine, OTHER, old)
    with engine.begin() as connection:  # the other citizen ticked a step last week: touched
        connection.execute(
            insert(journey_progress).values(
                citizen_id=OTHER,
                journey_id="having-a-baby",
                service_id="child-grant",
                done_at=NOW - dt.timedelta(days=7),
            )
        )
    records = CitizenRecords(engine)
    touched = records.last_touched()
    assert touched[OTHER] == NOW - dt.timedelta(days=7)
    assert touched[CITIZEN] == old + dt.timedelta(days=3)  # the reminder's due day is the newest

    assert records.purge(NOW, kept_days=365) == 1
    assert not records.has_data(CITIZEN) and records.has_data(OTHER)
    assert records.purge(NOW, kept_days=365) == 0
    assert records.purge(NOW + dt.timedelta(days=366), kept_days=365) == 1
