"""Rasa 3.6's Redis lock store, except that a turn waiting for the lock never waits forever.

Rasa serialises the turns of one conversation with tickets: each turn takes a numbered ticket that
expires after ``TICKET_LOCK_LIFETIME`` seconds, and waits (polling every second) until its number is
the first ticket still alive (``TicketLock.now_serving``). When a replica is killed holding a ticket,
its ticket expires and the turn retried on another replica goes ahead: that is what makes a replica
failure lose no turn (conversation/rasa_replicas.py).

Rasa's wait has a flaw there: the waiting turn's own ticket expires too, one lifetime after it was
issued. If the dead holder's ticket was issued less than one poll (or one blocked event loop) before
the waiter's, both expire between two polls; ``now_serving`` is then 0, never the waiter's number, and
the waiter polls until the gateway gives up on it (a killed replica's retried turn was lost this way
in CI). Here a turn goes ahead as soon as no ticket issued before its own is still alive, whether its
own ticket is alive or not, and also when the lock is gone. That is what the tickets are for: the
turns that came first, and are not dead, go first.

gateway/rasa_endpoints.py names this class in the endpoints file for a ``redis://`` lock store.
Runs in Rasa's environment (.venv-rasa) only.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import RedisLockStore

__all__ = ["TurnOrderRedisLockStore", "earlier_live_tickets"]

logger = logging.getLogger(__name__)


def earlier_live_tickets(lock: TicketLock, ticket: int) -> int:
    """How many tickets issued before ``ticket`` are still alive (the turns that must go first)."""
    return sum(1 for waiting in lock.tickets if waiting.number < ticket and not waiting.has_expired())


class TurnOrderRedisLockStore(RedisLockStore):
    """``RedisLockStore`` whose waiting turn goes ahead once no earlier ticket is alive (module doc)."""

    def __init__(self, endpoint_config: Any = None, **kwargs: Any) -> None:
        # Rasa builds a lock store named by module path as ``cls(endpoint_config=...)``, and its own
        # Redis store as ``RedisLockStore(host=endpoint_config.url, **endpoint_config.kwargs)``.
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    async def _acquire_lock(self, conversation_id: str, ticket: int, wait_time_in_seconds: float) -> TicketLock:
        while True:
            lock = self.get_lock(conversation_id)
            if lock is None:  # every earlier turn finished or expired, and the last one removed the lock
                return self.create_lock(conversation_id)
            ahead = earlier_live_tickets(lock, ticket)
            if not ahead:
                return lock
            logger.debug(
                "conversation %s: %d earlier turn(s) still hold the lock; retrying in %s s",
                conversation_id,
                ahead,
                wait_time_in_seconds,
            )
            await asyncio.sleep(wait_time_in_seconds)
