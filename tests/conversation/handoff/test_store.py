"""The hand-off requests' states on SQLite and PostgreSQL: one open request per conversation, conditional
state changes so two officers cannot both take one, masked messages, presence."""

from __future__ import annotations

import threading

import pytest

from actions.api.conversation_store import ConversationStore
from conversation.handoff.store import HandoffNotFoundError, HandoffStateError, HandoffStore

TRANSCRIPT = [{"from": "citizen", "text": "ขอคุยกับเจ้าหน้าที่ โทร 0812345678"}]


def request(conversations: ConversationStore, sender: str = "web:a", lang: str = "th"):
    return conversations.request_handoff(sender, "web", lang, "asked", TRANSCRIPT)


def test_a_new_request_waits_and_a_second_one_returns_it(conversations):
    first = request(conversations)
    assert first.status == "waiting"
    assert request(conversations).id == first.id
    assert "0812345678" not in first.transcript


def test_concurrent_requests_of_one_conversation_make_one_row_and_no_error(conversations):
    results, errors = [], []

    def ask() -> None:
        try:
            results.append(request(conversations, "web:race").id)
        except Exception as error:  # pragma: no cover - the assertion below shows it
            errors.append(error)

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(set(results)) == 1
    assert [r.sender_id for r in conversations.open_handoffs()] == ["web:race"]


def test_take_is_won_by_one_officer_and_the_other_is_told_who(conversations, clock):
    store = HandoffStore(conversations.engine, clock)
    record = request(conversations)
    taken = store.take(record.id, "somchai", "Somchai")
    assert (taken.status, taken.assigned_to, taken.assigned_name) == ("taken", "somchai", "Somchai")
    assert store.take(record.id, "somchai", "Somchai").status == "taken"  # a second click is fine
    with pytest.raises(HandoffStateError) as refused:
        store.take(record.id, "malee", "Malee")
    assert refused.value.state == "taken" and refused.value.assigned_to == "somchai"
    with pytest.raises(HandoffNotFoundError):
        store.take(9999, "malee", "Malee")


def test_only_the_holder_finishes_and_a_finished_request_is_final(conversations, clock):
    store = HandoffStore(conversations.engine, clock)
    record = request(conversations)
    store.take(record.id, "somchai", "Somchai")
    with pytest.raises(HandoffStateError):
        store.finish(record.id, "malee", "released", ("taken",))
    released = store.finish(record.id, "somchai", "released", ("taken",))
    assert released.status == "released" and released.closed_at is not None
    with pytest.raises(HandoffStateError):
        store.finish(record.id, "somchai", "closed", ("waiting", "taken"), "answered")
    # Finished, the conversation may ask again: a new request.
    assert request(conversations).id != record.id


def test_messages_are_masked_and_listed_after_a_cursor(conversations, clock):
    store = HandoffStore(conversations.engine, clock)
    record = request(conversations)
    first = store.add_message(record, "citizen", "เบอร์ผม 0812345678 ครับ")
    second = store.add_message(record, "agent", "ได้รับแล้วค่ะ", agent="somchai")
    store.add_message(record, "system", "officer joined")
    assert "0812345678" not in first.text
    assert [m.id for m in store.messages(record.id, after=first.id)] == [second.id, second.id + 1]
    assert [m.author for m in store.messages_of_sender("web:a")] == ["agent", "system"]
    assert store.unread(record.id, None) == 1 and store.unread(record.id, first.id) == 0
    assert store.last_citizen_message(record.id).id == first.id


def test_a_reply_token_is_used_once_and_only_while_fresh(conversations, clock):
    store = HandoffStore(conversations.engine, clock)
    record = request(conversations)
    store.keep_reply_token(record.id, "token-1")
    assert store.take_reply_token(record.id, 50) == "token-1"
    assert store.take_reply_token(record.id, 50) is None
    store.keep_reply_token(record.id, "token-2")
    clock.advance(seconds=51)
    assert store.take_reply_token(record.id, 50) is None


def test_presence_is_set_and_changed(conversations, clock):
    store = HandoffStore(conversations.engine, clock)
    store.set_presence("somchai", "online")
    store.set_presence("malee", "away")
    store.set_presence("somchai", "away")
    assert store.presence() == {"somchai": "away", "malee": "away"}


def test_lists_by_state_and_holder(conversations, clock):
    store = HandoffStore(conversations.engine, clock)
    a, b, c = (request(conversations, sender) for sender in ("web:a", "web:b", "web:c"))
    store.take(b.id, "somchai", "Somchai")
    store.finish(c.id, "somchai", "closed", ("waiting", "taken"), "no_reply")
    assert [r.id for r in store.requests("open")] == [a.id, b.id]
    assert [r.id for r in store.requests("waiting")] == [a.id]
    assert [r.id for r in store.requests("open", mine="somchai")] == [b.id]
    assert [r.id for r in store.requests("closed")] == [c.id]
    assert [r.id for r in store.requests("all")] == [c.id, b.id, a.id]
