"""The conversation store on SQLite and PostgreSQL through the same code: hand-offs, feedback, activity,
erasure and retention, and two replicas recording one conversation's first turn at once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from actions.api.conversation_store import ConversationStore

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(sql_url):
    store = ConversationStore(sql_url)
    yield store
    store.close()


def test_handoffs_feedback_and_masking(store):
    first = store.request_handoff("line:U1", "line", "th", "asked", [{"role": "user", "text": "โทร 0812345678"}])
    again = store.request_handoff("line:U1", "line", "th", "asked", [])
    assert again.id == first.id and len(store.open_handoffs()) == 1
    assert "0812345678" not in store.handoffs_of("line:U1")[0].transcript
    store.record_feedback("line:U1", "helpful", "ต่อบัตรประชาชน", "ไปที่สำนักงานเขต", "id-card-renewal")
    assert store.add_comment_to_latest("line:U1", "ขอบคุณ a@b.co")
    assert not store.add_comment_to_latest("line:nobody", "x")
    [feedback] = store.feedback_of("line:U1")
    assert feedback.question == "ต่อบัตรประชาชน" and "a@b.co" not in (feedback.comment or "")


def test_activity_erasure_and_retention(store):
    store.touch("web:1", "web", now=NOW - dt.timedelta(days=40))
    store.touch("web:1", "web", now=NOW - dt.timedelta(days=31))
    store.touch("web:2", "web", now=NOW)
    activity = store.activity("web:1")
    assert activity is not None
    first_seen, last_seen = (
        value.replace(tzinfo=value.tzinfo or dt.UTC) for value in (activity.first_seen, activity.last_seen)
    )
    assert (first_seen, last_seen) == (NOW - dt.timedelta(days=40), NOW - dt.timedelta(days=31))
    assert store.conversations_to_forget(NOW - dt.timedelta(days=30)) == ["web:1"]
    store.request_handoff("web:2", "web", "en", "misses", [])
    store.record_feedback("web:2", "unhelpful", "q", "a", None)
    assert store.erase_records("web:2", now=NOW) == {"handoff_requests": 1, "feedback": 1}
    assert set(store.conversations_to_forget(NOW - dt.timedelta(days=30))) == {"web:1", "web:2"}
    assert store.forget_activity("web:2") == 1 and store.activity("web:2") is None
    store.record_feedback("web:3", "helpful", "q", "a", None)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)
    assert store.delete_older_than(later, later) == {"handoff_requests": 0, "feedback": 1}


def test_two_replicas_recording_a_first_turn_at_once_make_one_row(sql_url):
    replicas = [ConversationStore(sql_url) for _ in range(2)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def turns(store: ConversationStore) -> None:
        barrier.wait()
        try:
            for n in range(20):
                store.touch(f"web:{n}", "web")
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=turns, args=(store,)) for store in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert all(replicas[0].activity(f"web:{n}") is not None for n in range(20))
    for store in replicas:
        store.close()
