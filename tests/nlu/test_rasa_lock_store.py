"""The turn-order Redis lock store on a real Redis: a turn whose own ticket expired while it waited for a
dead replica's ticket still goes ahead (Rasa's own store waits for ever there), and turns that are alive
still go one at a time, in order.

Runs in the Rasa environment (.venv-rasa, Python 3.10) only; the same store through two real `rasa run`
replicas: tests/conversation/test_rasa_replicas.py.
"""

import asyncio
import time
import uuid

import pytest

pytestmark = pytest.mark.rasa_env

pytest.importorskip("nlu.rasa_lock_store")

from rasa.core.lock_store import LockStore, RedisLockStore  # noqa: E402
from rasa.utils.endpoints import EndpointConfig  # noqa: E402

from nlu.rasa_lock_store import TurnOrderRedisLockStore  # noqa: E402
from tests.services import REDIS_HOST, REDIS_PORT, delete_redis_keys  # noqa: E402

LIFETIME = 1.0  # seconds a ticket lives (TICKET_LOCK_LIFETIME)
POLL = 1.5  # longer than the gap between the two tickets: both expire between two polls


@pytest.fixture
def prefix(redis_url: str, redis_prefix: str):
    own = "".join(ch for ch in redis_prefix if ch.isalnum()) + uuid.uuid4().hex[:6]
    yield own
    delete_redis_keys(redis_url, own, databases=(1,))


def _store(cls: type, prefix: str) -> RedisLockStore:
    return cls(host=REDIS_HOST, port=REDIS_PORT, db=1, key_prefix=prefix)


async def _retried_turn_after_a_dead_one(store: RedisLockStore, conversation: str) -> str:
    """A replica took a ticket and died (it never gives it back); the retried turn comes 0.2 s later."""
    store.issue_ticket(conversation, LIFETIME)
    await asyncio.sleep(0.2)
    async with store.lock(conversation, lock_lifetime=LIFETIME, wait_time_in_seconds=POLL):
        return "answered"


def test_a_retried_turn_goes_ahead_once_the_dead_replicas_ticket_expires(prefix: str):
    store = _store(TurnOrderRedisLockStore, prefix)
    began = time.monotonic()
    answer = asyncio.run(asyncio.wait_for(_retried_turn_after_a_dead_one(store, "web:dead-holder"), 10))
    assert answer == "answered"
    assert time.monotonic() - began < LIFETIME + 2 * POLL
    assert store.get_lock("web:dead-holder") is None  # cleaned up after the turn


def test_rasas_own_store_waits_for_ever_there(prefix: str):
    """Why the class exists: the same sequence on Rasa 3.6's RedisLockStore never gets the lock."""
    store = _store(RedisLockStore, prefix)
    with pytest.raises(asyncio.TimeoutError):
        asyncio.run(asyncio.wait_for(_retried_turn_after_a_dead_one(store, "web:rasa-own"), 3 * POLL + LIFETIME))


def test_live_turns_of_one_conversation_still_go_one_at_a_time_in_order(prefix: str):
    store = _store(TurnOrderRedisLockStore, prefix)
    order: list[str] = []

    async def turn(name: str, delay: float) -> None:
        await asyncio.sleep(delay)
        async with store.lock("web:busy", lock_lifetime=30, wait_time_in_seconds=0.05):
            order.append(f"{name} starts")
            await asyncio.sleep(0.3)
            order.append(f"{name} ends")

    async def three_turns() -> None:
        await asyncio.gather(turn("first", 0), turn("second", 0.05), turn("third", 0.1))

    asyncio.run(three_turns())
    assert order == [
        "first starts",
        "first ends",
        "second starts",
        "second ends",
        "third starts",
        "third ends",
    ]


def test_rasa_builds_it_from_the_endpoints_file_section(prefix: str):
    """As gateway/rasa_endpoints.py writes the section: the module path as the type, Redis fields beside it."""
    config = EndpointConfig(
        url=REDIS_HOST,
        type="nlu.rasa_lock_store.TurnOrderRedisLockStore",
        port=REDIS_PORT,
        db=1,
        key_prefix=prefix,
        username="default",
        password="unused-without-acl",
    )
    store = LockStore.create(config)
    assert isinstance(store, TurnOrderRedisLockStore)
    assert store.key_prefix == f"{prefix}:lock:"
    assert store.red.connection_pool.connection_kwargs["username"] == "default"
    assert store.red.ping()
