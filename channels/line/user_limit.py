"""How many events one LINE user may have answered in a while, and what the bot says past that.

A citizen flooding the account (or a script behind a stolen account) must not keep Rasa, the
catalogue search and the push quota busy. Past the limit the user gets one polite bilingual
notice, then silence until the window has passed: a notice per message would be a flood of our
own. The counts live in the gateway's shared :class:`http_api.rate_limits.RateLimiter`
(``memory://`` per process, Redis across replicas).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from http_api.rate_limits import Limit, RateLimiter

__all__ = ["UserLimit", "Verdict"]

_NAMESPACE = "line-user"
_NOTICE_NAMESPACE = "line-user-notice"


@dataclass(frozen=True)
class Verdict:
    answer: bool  # handle the event as usual
    notice_minutes: int | None = None  # send the "slow down" notice, naming this wait


class UserLimit:
    def __init__(self, limiter: RateLimiter, limit: Limit) -> None:
        self._limiter = limiter
        self.limit = limit

    def check(self, user_id: str) -> Verdict:
        """Count one event of ``user_id`` (call it from a thread: the storage may be remote)."""
        wait = self._limiter.hit(_NAMESPACE, user_id, self.limit)
        if wait is None:
            return Verdict(answer=True)
        # One notice per window: the notice has its own limit of one per the user limit's window.
        if self._limiter.hit(_NOTICE_NAMESPACE, user_id, Limit(1, self.limit.seconds)) is None:
            return Verdict(answer=False, notice_minutes=max(1, math.ceil(wait / 60)))
        return Verdict(answer=False)
