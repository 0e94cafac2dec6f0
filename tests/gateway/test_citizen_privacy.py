"""What a citizen consented to keep (conversation/citizens) under the privacy rules of gateway/privacy.py:
exported and erased with the conversation (a linked conversation's citizen: all of it), purged after
``citizens.kept_days`` by the gateway's job and the CLI; and the chat flow through the real /api/chat.

Real SQLite files; Rasa is the loopback tracker server of tests/gateway (a command the citizens desk
answers never reaches Rasa, so the /api/chat test needs no Rasa at all)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, insert, select

from actions.api.conversation_store import ConversationStore
from conversation.citizens.consents import ConsentBook
from conversation.citizens.engine import open_citizens_engine
from conversation.citizens.identity import CitizenIdentity
from conversation.citizens.models import metadata, reminders
from conversation.citizens.profiles import ProfileBook
from conversation.citizens.records import CitizenRecords
from gateway import cli
from gateway.app import create_app
from gateway.privacy import ConversationPrivacy, Retention
from tests.gateway.rasa_tracker_stub import TrackerRasa
from tests.gateway.test_privacy import (  # noqa: F401 (the rasa and cli_environment fixtures)
    cli_environment,
    erase,
    export,
    purge,
    rasa,
    talk,
)
from tests.support import make_settings

LINE = "line:U0123456789abcdef0123456789abcdef"
WEB = "web:linked-chat"
OTHER = "line:Uother"
RETENTION = Retention(handoff_days=90, feedback_days=180, conversation_days=30)


def _rows(engine: Engine) -> int:
    with engine.connect() as connection:
        return sum(
            int(connection.execute(select(func.count()).select_from(table)).scalar_one())
            for table in metadata.tables.values()
        )


def keep_profile(engine: Engine, citizen_id: str, now: dt.datetime, province: str = "เชียงใหม่") -> None:
    consents = ConsentBook(engine, "v1")
    consents.grant(citizen_id, "profile", "th", "line", now=now)
    consents.grant(citizen_id, "reminders", "th", "line", now=now)
    ProfileBook(engine, consents).change(citizen_id, now=now, birth_year=1966, province=province)
    with engine.begin() as connection:
        connection.execute(
            insert(reminders).values(
                citizen_id=citizen_id,
                kind="document_expiry",
                subject="id-card-renewal",
                detail="{}",
                language="th",
                due_at=now + dt.timedelta(days=1),
                status="pending",
                attempts=0,
                created_at=now,
            )
        )


@pytest.fixture
def citizens(tmp_path: Path) -> Iterator[Engine]:
    engine = open_citizens_engine(f"sqlite:///{tmp_path / 'citizens.db'}")
    yield engine
    engine.dispose()


@pytest.fixture
def parts(tmp_path: Path, citizens: Engine) -> Iterator[tuple[ConversationStore, ConversationPrivacy]]:
    store = ConversationStore(f"sqlite:///{tmp_path / 'conversations.db'}")
    yield store, ConversationPrivacy(store, RETENTION, citizens=CitizenRecords(citizens), citizens_kept_days=365)
    store.close()


def test_the_export_of_a_linked_conversation_holds_its_citizens_data(
    rasa: TrackerRasa,  # noqa: F811
    parts,
    citizens,
) -> None:
    store, privacy = parts
    now = dt.datetime.now(dt.UTC)
    keep_profile(citizens, LINE, now)
    keep_profile(citizens, OTHER, now, province="ภูเก็ต")
    CitizenIdentity(citizens).link(WEB, LINE, "web", now=now)
    talk(rasa, store, WEB, "สวัสดี")

    exported = export(privacy, rasa.url, WEB)
    citizen = exported["citizen"]
    assert citizen["citizen_id"] == LINE
    assert citizen["profiles"][0]["province"] == "เชียงใหม่" and len(citizen["consents"]) == 2
    assert citizen["reminders"][0]["subject"] == "id-card-renewal"
    assert "ภูเก็ต" not in json.dumps(exported, ensure_ascii=False)
    assert export(privacy, rasa.url, "web:never-seen") is None


def test_a_conversation_known_only_by_its_citizen_data_is_exported_and_erased(
    rasa: TrackerRasa,  # noqa: F811
    parts,
    citizens,
) -> None:
    _store, privacy = parts
    keep_profile(citizens, LINE, dt.datetime.now(dt.UTC))
    assert export(privacy, rasa.url, LINE)["citizen"]["profiles"]  # no turn recorded, still found
    erased = erase(privacy, rasa.url, LINE)
    assert erased is not None and erased["citizen_profiles"] == 1 and erased["citizen_consents"] == 2
    assert _rows(citizens) == 0


def test_erasing_a_linked_conversation_erases_every_row_of_its_citizen_only(
    rasa: TrackerRasa,  # noqa: F811
    parts,
    citizens,
) -> None:
    store, privacy = parts
    now = dt.datetime.now(dt.UTC)
    keep_profile(citizens, OTHER, now)
    untouched = _rows(citizens)
    keep_profile(citizens, LINE, now)
    CitizenIdentity(citizens).link(WEB, LINE, "web", now=now)
    talk(rasa, store, WEB, "ลบข้อมูลของฉัน")

    erased = erase(privacy, rasa.url, WEB)
    assert erased["citizen_reminders"] == 1 and erased["citizen_citizen_senders"] == 1
    assert _rows(citizens) == untouched  # the other citizen's rows, nothing of this one
    records = CitizenRecords(citizens)
    assert not records.has_data(LINE) and records.has_data(OTHER) and records.citizen_of(WEB) == WEB
    assert rasa.said(WEB) == []


def test_the_retention_job_purges_citizens_untouched_for_kept_days(
    rasa: TrackerRasa,  # noqa: F811
    parts,
    citizens,
) -> None:
    _store, privacy = parts
    now = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
    keep_profile(citizens, LINE, now - dt.timedelta(days=400))
    keep_profile(citizens, OTHER, now - dt.timedelta(days=20))

    report = purge(privacy, rasa.url, now)
    assert report.citizens == 1 and report.to_dict()["citizens"] == 1
    records = CitizenRecords(citizens)
    assert not records.has_data(LINE) and records.has_data(OTHER)
    without = purge(ConversationPrivacy(_store, RETENTION), rasa.url, now)  # no citizens store attached
    assert without.citizens is None and "citizens" not in without.to_dict()


def test_the_cli_purge_applies_citizens_kept_days(cli_environment, rasa, capsys, monkeypatch, tmp_path) -> None:  # noqa: F811
    url = f"sqlite:///{tmp_path / 'cli-citizens.db'}"
    monkeypatch.setenv("CITIZENBOT_STORE__CITIZENS_URL", url)
    monkeypatch.setenv("CITIZENBOT_CITIZENS__KEPT_DAYS", "30")
    engine = open_citizens_engine(url)
    keep_profile(engine, LINE, dt.datetime.now(dt.UTC) - dt.timedelta(days=45))
    keep_profile(engine, OTHER, dt.datetime.now(dt.UTC) - dt.timedelta(days=2))

    assert cli.main(["privacy", "purge"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["removed"]["citizens"] == 1 and printed["citizens_kept_days"] == 30
    records = CitizenRecords(engine)
    assert not records.has_data(LINE) and records.has_data(OTHER)
    engine.dispose()


def test_the_profile_flow_through_the_web_chat_api(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    settings.store.seed_on_empty = False  # an empty catalogue loads instantly
    settings.store.citizens_url = f"sqlite:///{tmp_path / 'citizens.db'}"
    with TestClient(create_app(settings)) as client:

        def chat(said: str, sender: str | None) -> dict:
            body = {"text": said, **({"sender": sender} if sender else {})}
            response = client.post("/api/chat", json=body)
            assert response.status_code == 200, response.text
            return response.json()

        nothing = chat("my data", None)
        sender = nothing["sender"]
        assert nothing["language"] == "en" and "Nothing about you is kept" in nothing["messages"][0]["text"]
        notice = chat("/citizen_consent profile", sender)["messages"][0]
        assert "Do you agree?" in notice["text"]  # a new conversation typing a command: its letters decide
        agree = next(option["payload"] for option in notice["options"] if "citizen_consent_yes" in option["payload"])
        asked = chat(agree, sender)["messages"][0]["text"]
        assert "born" in asked or "เกิด" in asked
        chat("พ.ศ. 2510", sender)
        chat("เชียงใหม่", sender)
        shown = chat("ข้อมูลของฉัน", sender)
        text = shown["messages"][0]["text"]
        assert shown["language"] == "th" and "ปีเกิด: 2510 (1967)" in text and "จังหวัด: เชียงใหม่" in text
        assert "ลบข้อมูลทั้งหมดของคุณแล้ว" in chat("/delete_my_data_confirm", sender)["messages"][0]["text"]
        assert "ไม่ได้เก็บข้อมูล" in chat("ข้อมูลของฉัน", sender)["messages"][0]["text"]
