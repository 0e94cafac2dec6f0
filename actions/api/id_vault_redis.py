"""The :class:`~actions.api.id_vault.IdVault` in Redis, for several gateway worker processes or replicas.

The turn that replaces a typed national ID by its surrogate and the action call from Rasa that needs
the real digits may reach different gateway processes; with the vault in Redis both see one entry.
Same contract as the in-memory vault: an entry lives ``ttl_seconds`` (a Redis expiry, so the clock is
the server's), ``take`` returns it once (``GETDEL``: two processes cannot both take it), ``forget``
drops a conversation's entries. Like the in-memory vault it holds the real digits, unmasked: that is
its purpose, and its only difference in exposure is where they lie, so protect the Redis (password,
TLS, no public port) as you would the gateway's memory. ``max_entries`` is not applied here: expiry
bounds the count, and Redis's own ``maxmemory`` bounds the size.

Keys: ``<prefix>:idvault:<conversation>:<surrogate>``. Calls are synchronous, as the in-memory
vault's are: a loopback Redis answers in well under a millisecond.
"""

from __future__ import annotations

import re

import redis

from actions.api.id_vault import IdVault
from nlu.pii import surrogate_national_id

__all__ = ["RedisIdVault"]

# Characters that are special in a Redis SCAN MATCH pattern.
_GLOB = re.compile(r"([*?\[\]\\])")


class RedisIdVault(IdVault):
    def __init__(self, client: redis.Redis, key_prefix: str, ttl_seconds: float = 1800.0) -> None:
        super().__init__(ttl_seconds)
        self._redis = client
        self._prefix = f"{key_prefix}:idvault:"

    @classmethod
    def from_url(cls, url: str, key_prefix: str, ttl_seconds: float = 1800.0) -> RedisIdVault:
        return cls(redis.Redis.from_url(url, decode_responses=True), key_prefix, ttl_seconds)

    def _key(self, conversation: str, surrogate: str) -> str:
        return f"{self._prefix}{conversation}:{surrogate}"

    def __len__(self) -> int:
        return sum(1 for _ in self._redis.scan_iter(match=_GLOB.sub(r"\\\1", self._prefix) + "*", count=500))

    def stand_in(self, conversation: str, digits: str) -> str:
        surrogate = surrogate_national_id(digits)
        self._redis.set(self._key(conversation, surrogate), digits, px=max(1, int(self.ttl_seconds * 1000)))
        return surrogate

    def take(self, conversation: str, surrogate: str) -> str | None:
        value = self._redis.getdel(self._key(conversation, surrogate))
        return value if isinstance(value, str) else None

    def forget(self, conversation: str) -> int:
        # The surrogate is 13 digits: "web:abc" must not match the keys of a conversation "web:abc:x".
        pattern = _GLOB.sub(r"\\\1", f"{self._prefix}{conversation}:") + "[0-9]" * 13
        keys = list(self._redis.scan_iter(match=pattern, count=500))
        return int(self._redis.delete(*keys)) if keys else 0

    def close(self) -> None:
        self._redis.close()
