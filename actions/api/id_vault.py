"""Where a typed national ID waits, out of Rasa's sight, until the status check needs it.

The gateway replaces a national ID by a made-up one with the same checks (:func:`nlu.pii.surrogate_national_id`)
before the text goes to Rasa, so Rasa's tracker, its NLU and the status form only ever see the
surrogate. The real digits stay here, keyed by conversation and surrogate, for the form to look up
once (:meth:`IdVault.take`) and then forget.

Bounded on purpose: an entry lives ``ttl_seconds`` (a status check takes minutes, not hours) and at
most ``max_entries`` are kept, the oldest dropped first. Limit: the vault is in this process's memory,
so it serves one gateway process; with several gateway workers or replicas the turn and the action
call may land on different ones: set ``CITIZENBOT_REDIS__URL`` for :mod:`actions.api.id_vault_redis`.
A surrogate the vault does not know (expired, or another process) reads as a number that matches no
application: the citizen is asked to type the ID again.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from nlu.pii import surrogate_national_id

__all__ = ["IdVault"]


@dataclass(frozen=True)
class _Entry:
    real: str
    expires: float


class IdVault:
    def __init__(
        self, ttl_seconds: float = 1800.0, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()  # oldest first
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            self._drop_expired(self._clock())
            return len(self._entries)

    def stand_in(self, conversation: str, digits: str) -> str:
        """Keep the real ``digits`` for ``conversation``; the surrogate that replaces them."""
        surrogate = surrogate_national_id(digits)
        now = self._clock()
        with self._lock:
            self._drop_expired(now)
            self._entries[(conversation, surrogate)] = _Entry(digits, now + self.ttl_seconds)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return surrogate

    def take(self, conversation: str, surrogate: str) -> str | None:
        """The real ID behind ``surrogate`` in this conversation, forgotten as it is returned;
        None when the vault does not hold it (expired, evicted, or not a surrogate at all)."""
        with self._lock:
            self._drop_expired(self._clock())
            entry = self._entries.pop((conversation, surrogate), None)
        return entry.real if entry else None

    def forget(self, conversation: str) -> int:
        """Drop everything kept for a conversation (the citizen's data erased); how many were held."""
        with self._lock:
            keys = [key for key in self._entries if key[0] == conversation]
            for key in keys:
                del self._entries[key]
        return len(keys)

    def close(self) -> None:
        """Release what the vault holds on to (nothing in memory; the Redis vault's connection)."""

    def _drop_expired(self, now: float) -> None:
        while self._entries:
            key, entry = next(iter(self._entries.items()))
            if entry.expires > now:
                return
            del self._entries[key]
