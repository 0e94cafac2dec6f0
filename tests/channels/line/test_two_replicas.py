"""Two gateway processes on one PostgreSQL database take LINE events from one queue: every event is
answered exactly once, whichever replica LINE delivered it to, and a redelivery to the other replica
is not answered again.

Real parts: two gateways in their own processes (uvicorn) on a real PostgreSQL schema; LINE's cloud is
the loopback stub, Rasa a loopback stub that answers at once (what is tested is the queue, not Rasa).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.channels.line.conftest import TOKEN, fixture_event
from tests.channels.line.stub import LineStub
from tests.channels.line.test_crash import GatewayProcess, SlowRasa
from tests.services import postgres_schema
from tests.support import wait_until

pytestmark = pytest.mark.slow

EVENTS = 24


@pytest.fixture
def shared_store(postgres_url: str) -> Iterator[str]:
    with postgres_schema(postgres_url) as url:
        yield url


@pytest.fixture
def quick_rasa() -> Iterator[str]:
    fake = SlowRasa(hold=0)
    server, url = fake.serve()
    yield url
    server.shutdown()
    server.server_close()


def _replica(tmp: Path, line: LineStub, rasa_url: str, store_url: str) -> GatewayProcess:
    tmp.mkdir()
    replica = GatewayProcess(tmp, line, rasa_url)
    replica.env["CITIZENBOT_STORE__URL"] = store_url
    replica.env["CITIZENBOT_STORE__CONVERSATIONS_URL"] = store_url
    return replica


def _event(n: int) -> dict:
    event = copy.deepcopy(fixture_event("text_en"))
    event["webhookEventId"] = f"01JDTWOREPLICAS{n:011d}"
    event["replyToken"] = f"rt-two-replicas-{n}"
    event["source"] = {"type": "user", "userId": "U" + f"{n:032x}"}
    return event


def test_each_event_is_answered_once_by_one_of_two_replicas(tmp_path, shared_store, quick_rasa):
    line = LineStub(TOKEN).start()
    one = _replica(tmp_path / "one", line, quick_rasa, shared_store).start()
    two = _replica(tmp_path / "two", line, quick_rasa, shared_store).start()
    try:
        events = [_event(n) for n in range(EVENTS)]
        for n, event in enumerate(events):
            first, other = (one, two) if n % 2 == 0 else (two, one)
            assert first.deliver(event).status_code == 200
            assert other.deliver(event).status_code == 200  # LINE redelivers to the other replica
        answered = lambda: {r.json["replyToken"] for r in line.delivered()}  # noqa: E731
        assert wait_until(lambda: len(answered()) == EVENTS, 120), (
            one.log.read_text()[-2000:],
            two.log.read_text()[-2000:],
        )
        replies = [r.json["replyToken"] for r in line.delivered()]
        assert sorted(replies) == sorted(e["replyToken"] for e in events)  # each once, none twice
        engine = create_engine(shared_store)
        try:
            with engine.connect() as connection:
                outcomes = dict(connection.execute(text("SELECT event_id, outcome FROM line_event_queue")).fetchall())
        finally:
            engine.dispose()
        assert outcomes == {e["webhookEventId"]: "replied" for e in events}
    finally:
        one.stop()
        two.stop()
        line.stop()
