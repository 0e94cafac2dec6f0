"""Counting requests per key with the ``limits`` library, so every surface answers abuse the same way.

A moving window, not a fixed one: a fixed window lets a client send twice its allowance around a window
edge (the end of one minute and the start of the next), and the ``Retry-After`` it gives is the end of the
window, not when a request would really be accepted again. The moving window remembers each hit's time,
so the wait it reports is exact (when the oldest hit in the window expires). Its cost is one timestamp per
allowed hit, bounded by the limit's count, which is small for the limits we set.

The storage comes from a URI (``memory://`` by default; ``redis://host:6379`` when several gateway
replicas must share their counts), so scaling out is configuration, not code.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import JSONResponse
from limits import RateLimitItemPerSecond
from limits.storage import MovingWindowSupport, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from http_api.errors import ApiError, api_error_handler
from texts import LANGUAGES, bilingual, text

__all__ = [
    "Limit",
    "RateLimiter",
    "TooManyRequestsError",
    "client_address",
    "enforce",
    "retry_after_header",
    "too_many_requests_handler",
]


@dataclass(frozen=True)
class Limit:
    """At most ``count`` hits in any ``seconds``-long stretch of time."""

    count: int
    seconds: int

    def __post_init__(self) -> None:
        if self.count < 1 or self.seconds < 1:
            raise ValueError(f"a limit needs a count and a window of at least 1, got {self.count}/{self.seconds}s")


class RateLimiter:
    """One counter store for the whole gateway; ``namespace`` keeps surfaces (web chat, LINE...) apart."""

    def __init__(self, storage_uri: str = "memory://") -> None:
        storage = storage_from_string(storage_uri)
        if not isinstance(storage, MovingWindowSupport):
            raise ValueError(f"the rate-limit storage {storage_uri.split('://', 1)[0]}:// has no moving window")
        self._strategy = MovingWindowRateLimiter(storage)

    def hit(self, namespace: str, key: str, limit: Limit) -> float | None:
        """Count one hit; None when it is allowed, else the seconds until the caller may try again.

        A refused hit is not counted, so a client that keeps knocking is let in as soon as its oldest
        allowed hit leaves the window, not pushed back further by every refusal.
        """
        item = RateLimitItemPerSecond(limit.count, limit.seconds, namespace=namespace)
        if self._strategy.hit(item, key):
            return None
        reset_time, _remaining = self._strategy.get_window_stats(item, key)
        return max(reset_time - time.time(), 0.001)

    def reset(self) -> None:
        """Forget every count (tests; an operator lifting a block)."""
        self._strategy.storage.reset()


def retry_after_header(seconds: float) -> str:
    """``Retry-After`` takes whole seconds; round up so a client that obeys it is never refused again."""
    return str(max(1, math.ceil(seconds)))


class TooManyRequestsError(ApiError):
    """A 429 in the error envelope; its handler adds ``Retry-After``. The message is in both
    languages (Thai first), and ``details`` holds each language alone for a client to pick one."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        seconds = max(1, math.ceil(retry_after))
        messages = {lang: text("abuse.too_many_messages", lang, seconds=seconds) for lang in LANGUAGES}
        super().__init__(
            429,
            "rate_limited",
            bilingual("abuse.too_many_messages", seconds=seconds),
            {"retry_after_seconds": seconds, "messages": messages},
        )


async def too_many_requests_handler(request: Request, error: TooManyRequestsError) -> JSONResponse:
    response = await api_error_handler(request, error)
    response.headers["Retry-After"] = retry_after_header(error.retry_after)
    return response


def enforce(limiter: RateLimiter, namespace: str, key: str, limit: Limit) -> None:
    """Count one hit; raise :class:`TooManyRequestsError` when ``key`` is over ``limit``."""
    wait = limiter.hit(namespace, key, limit)
    if wait is not None:
        raise TooManyRequestsError(wait)


def client_address(request: Request, trust_forwarded_for: bool) -> str:
    """The address to count a client by. Behind a trusted reverse proxy, the last ``X-Forwarded-For``
    entry (the one our proxy appended; earlier ones are whatever the client sent); else the peer."""
    if trust_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.client.host if request.client else "unknown"
