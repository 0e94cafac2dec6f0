"""The erasable SQL tracker store inside real Rasa: it stores like Rasa's own, and an erasure
(the conversation's events replaced with none) deletes that conversation's rows and no other's.

Runs in the Rasa environment (.venv-rasa, Python 3.10) only; PostgreSQL through a real `rasa run`:
tests/gateway/test_rasa_stores.py.
"""

import asyncio
import os
import sqlite3

import pytest

pytestmark = pytest.mark.rasa_env
# Rasa 3.6 pins SQLAlchemy 1.4, which warns about 2.0 on importing Rasa's SQL store; as the supervisor does.
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

pytest.importorskip("nlu.rasa_tracker_store")

from rasa.core.tracker_store import TrackerStore  # noqa: E402
from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered  # noqa: E402
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402
from rasa.utils.endpoints import EndpointConfig  # noqa: E402


def _conversation(sender: str) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        sender,
        [
            ActionExecuted("action_listen"),
            UserUttered("How do I renew my passport?"),
            BotUttered("Passport renewal: ..."),
        ],
    )


def test_it_appends_like_rasa_and_an_erasure_deletes_only_that_conversation(tmp_path):
    database = tmp_path / "trackers.db"
    # As the endpoints file written by gateway/rasa_endpoints.py names it.
    config = EndpointConfig(type="nlu.rasa_tracker_store.ErasableSQLTrackerStore", dialect="sqlite", db=str(database))
    store = TrackerStore.create(config, Domain.empty())
    assert type(store).__name__ == "ErasableSQLTrackerStore"

    def rows(sender: str) -> int:
        with sqlite3.connect(database) as connection:
            return connection.execute("SELECT count(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0]

    citizen, other = _conversation("web:citizen"), _conversation("web:other")
    asyncio.run(store.save(citizen))
    asyncio.run(store.save(other))
    citizen.update(UserUttered("and how much does it cost?"))
    asyncio.run(store.save(citizen))
    assert rows("web:citizen") == 4  # only the new event was added
    retrieved = asyncio.run(store.retrieve("web:citizen"))
    assert retrieved is not None and retrieved.latest_message.text == "and how much does it cost?"

    # PUT /conversations/web:citizen/tracker/events with [] saves a tracker without events.
    asyncio.run(store.save(DialogueStateTracker.from_events("web:citizen", [])))
    assert rows("web:citizen") == 0
    assert rows("web:other") == 3
    # The conversation starts afresh afterwards, as with Rasa's other stores.
    asyncio.run(store.save(_conversation("web:citizen")))
    assert rows("web:citizen") == 3
