"""The analytics' turn events follow the privacy rules: exported with the conversation, erased with it,
unlinked when retention forgets it, deleted after privacy.analytics_days (gateway/privacy.py).

Real SQLite file; Rasa is the loopback tracker server of tests/gateway/rasa_tracker_stub.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from actions.api.conversation_store import ConversationStore
from conversation.rasa_client import RasaClient
from conversation.turn_events import Outcome, TurnEvent, TurnEventStore
from gateway.privacy import ActivityRecordingRasaClient, ConversationPrivacy, Retention
from tests.gateway.rasa_tracker_stub import TrackerRasa, tracker_rasa

TOKEN = "rasa-api-token-for-these-tests"
CITIZEN = "web:citizen-1"
OTHER = "web:citizen-2"
RETENTION = Retention(handoff_days=90, feedback_days=180, conversation_days=30, analytics_days=365)


@pytest.fixture
def rasa() -> Iterator[TrackerRasa]:
    with tracker_rasa(TOKEN) as server:
        yield server


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[tuple[ConversationStore, TurnEventStore]]:
    conversations = ConversationStore(f"sqlite:///{tmp_path / 'conversations.db'}")
    events = TurnEventStore(conversations.engine)
    yield conversations, events
    conversations.close()


def run(rasa: TrackerRasa, work: Any, store: ConversationStore | None = None) -> Any:
    async def go() -> Any:
        client = ActivityRecordingRasaClient(store, rasa.url, 5.0, auth_token=TOKEN) if store else None
        client = client or RasaClient(rasa.url, 5.0, TOKEN)
        try:
            return await work(client)
        finally:
            await client.aclose()

    return asyncio.run(go())


def talk(rasa: TrackerRasa, conversations: ConversationStore, events: TurnEventStore, conversation_id: str) -> None:
    """A turn as the gateway makes it: Rasa hears it (activity recorded), and its event is stored."""
    run(rasa, lambda client: client.send(conversation_id, "ต่ออายุบัตร", {"channel": "web"}), conversations)
    events.record(TurnEvent(conversation_id, "web", "th", "ต่ออายุบัตร", Outcome.ANSWERED, "ok", 30.0, "id-card-renewal"))


def test_export_includes_the_conversations_events(rasa, stores):
    conversations, events = stores
    talk(rasa, conversations, events, CITIZEN)
    privacy = ConversationPrivacy(conversations, RETENTION, events=events)
    exported = run(rasa, lambda client: privacy.export(CITIZEN, client))
    [row] = exported["turn_events"]
    assert row["message"] == "ต่ออายุบัตร" and row["outcome"] == "answered"


def test_erasing_a_conversation_erases_its_events(rasa, stores):
    conversations, events = stores
    talk(rasa, conversations, events, CITIZEN)
    talk(rasa, conversations, events, OTHER)
    privacy = ConversationPrivacy(conversations, RETENTION, events=events)
    erased = run(rasa, lambda client: privacy.erase(CITIZEN, client))
    assert erased["turn_events"] == 1
    assert events.of(CITIZEN) == [] and len(events.of(OTHER)) == 1


def test_events_alone_are_enough_to_find_and_erase_a_conversation(rasa, stores):
    conversations, events = stores
    events.record(TurnEvent(CITIZEN, "web", "th", "สวัสดี", Outcome.OTHER, "ok", 10.0))
    privacy = ConversationPrivacy(conversations, RETENTION, events=events)
    assert run(rasa, lambda client: privacy.export(CITIZEN, client)) is not None
    assert run(rasa, lambda client: privacy.erase(CITIZEN, client))["turn_events"] == 1


def test_retention_unlinks_forgotten_conversations_and_deletes_old_events(rasa, stores):
    conversations, events = stores
    start = dt.datetime.now(dt.UTC)
    talk(rasa, conversations, events, CITIZEN)
    privacy = ConversationPrivacy(conversations, RETENTION, events=events)

    report = run(rasa, lambda client: privacy.purge(client, now=start + dt.timedelta(days=31)))
    assert report.conversations == 1 and report.turn_events == 0 and report.turn_events_detached == 1
    assert events.of(CITIZEN) == []  # kept for the figures, no longer tied to the conversation
    with events.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM turn_events").scalar_one() == 1

    report = run(rasa, lambda client: privacy.purge(client, now=start + dt.timedelta(days=366)))
    assert report.to_dict()["turn_events"] == 1
    with events.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM turn_events").scalar_one() == 0
