"""A hand-off desk on a real conversations database (SQLite file and PostgreSQL) with a clock the test moves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from actions.api.conversation_store import ConversationStore
from conversation.handoff.desk import HandoffDesk
from conversation.handoff.settings import HandoffSettings
from conversation.handoff.store import HandoffStore


class Clock:
    """Now, as the test says (a Wednesday 10:00 in Bangkok, working hours); ``advance`` moves it on."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 12, 2, 3, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def conversations(sql_url: str) -> Iterator[ConversationStore]:
    store = ConversationStore(sql_url)
    yield store
    store.close()


@pytest.fixture
def desk(conversations: ConversationStore, clock: Clock) -> HandoffDesk:
    return HandoffDesk(HandoffStore(conversations.engine, clock), HandoffSettings())
