"""Fuzzing what the LINE channel does with raw webhook events before any turn runs: storing them in
the durable queue and reading them into the SDK's models. Whatever LINE (or someone who has the
channel secret) sends inside a signed body, nothing raises: an event is stored or skipped, read or
named by its raw kind, and the queue stays usable."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels.line.parsing import parse_event, raw_kind
from channels.line.queue import EventQueue, chat_key

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
# Events shaped like LINE's, with each field present, missing or of the wrong type.
line_like = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["message", "follow", "unfollow", "postback", "join", "beacon", "nonsense"]) | values,
        "webhookEventId": st.text(max_size=80) | values,
        "replyToken": st.text(max_size=40) | values,
        "timestamp": st.integers() | values,
        "mode": st.sampled_from(["active", "standby"]) | values,
        "source": st.fixed_dictionaries(
            {}, optional={"type": st.sampled_from(["user", "group", "room"]) | values, "userId": values}
        )
        | values,
        "message": st.fixed_dictionaries(
            {},
            optional={
                "type": st.sampled_from(["text", "sticker", "image", "location", "audio", "file", "video", "x"])
                | values,
                "id": values,
                "text": values,
                "quoteToken": values,
                "latitude": values,
                "longitude": values,
            },
        )
        | values,
        "postback": values,
        "follow": values,
        "deliveryContext": values,
    },
)
events = st.lists(line_like | values, max_size=5)


@pytest.fixture(scope="module")
def queue(tmp_path_factory: pytest.TempPathFactory) -> EventQueue:
    return EventQueue(f"sqlite:///{Path(tmp_path_factory.mktemp('fuzz')) / 'queue.db'}")


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events)
def test_any_events_are_stored_or_skipped_and_read_or_named(queue: EventQueue, batch: list[object]) -> None:
    stored = queue.enqueue(batch)  # type: ignore[arg-type]
    assert len(stored) <= len(batch)
    for raw in batch:
        if not isinstance(raw, dict):
            continue
        assert isinstance(chat_key(raw), str)
        if parse_event(raw) is None:
            assert raw_kind(raw) in ("unknown_message", "unreadable")
    assert queue.unfinished() >= 0  # the queue still answers


@pytest.mark.parametrize("kind", [["text"], {"type": "text"}, 7, None, "hologram"])
def test_a_message_of_a_type_no_sdk_knows_is_an_unknown_message(kind: object) -> None:
    # Found by the fuzzer above: a list as the message type raised TypeError (unhashable) in raw_kind.
    assert raw_kind({"type": "message", "message": {"type": kind, "id": "1"}}) == "unknown_message"
