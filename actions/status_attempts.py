"""How many application-status checks one conversation, and one client, may make in a while.

Reference numbers are sequential (``DOPA-2569-000123``), so without a limit anyone could walk
through them and read whose application is where. An attempt is counted each time the form is
about to check a reference number or a national ID against the applications; once a conversation
or a client has made ``attempts`` of them within ``window_seconds``, the form says when to try
again (in the citizen's language) and stops asking until then.

The client comes from the message metadata (``client``): the web chat API puts a pseudonym of the
client's address there (an HMAC, never the address itself), LINE the user. Counting per client too
means starting new conversations does not reset the count. Counters use ``limits``' moving window
(each attempt expires ``window_seconds`` after it was made, so the wait we tell is exact), in the
storage its URI names: ``memory://`` for one gateway, ``redis://...`` when several share the count.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItemPerSecond
from limits.storage import MovingWindowSupport, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.language import current_language
from texts import text

__all__ = ["CHECKED_SLOTS", "AttemptLimit", "StatusAttempts", "cool_down_events", "cool_down_text", "is_checking"]

# The slots whose values are looked up in the applications; "__invalid__" is not a lookup.
CHECKED_SLOTS = ("reference_number", "national_id")
_NOT_A_VALUE = (None, "", "__invalid__")
_NAMESPACE = "status-check"


@dataclass(frozen=True)
class AttemptLimit:
    """At most ``attempts`` checks in any ``window_seconds``."""

    attempts: int = 5
    window_seconds: int = 15 * 60

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.window_seconds < 1:
            raise ValueError(f"an attempt limit needs at least 1 attempt and 1 s, got {self}")


def _keys(tracker: Tracker) -> list[str]:
    keys = [f"conversation:{tracker.sender_id}"]
    client = (tracker.latest_message.get("metadata") or {}).get("client")
    if isinstance(client, str) and client:
        keys.append(f"client:{client}")
    return keys


class StatusAttempts:
    """The attempt counters, per conversation (Rasa's sender id) and per client."""

    def __init__(self, limit: AttemptLimit, storage_uri: str = "memory://") -> None:
        storage = storage_from_string(storage_uri)
        if not isinstance(storage, MovingWindowSupport):
            raise ValueError(f"the status-check storage {storage_uri.split('://', 1)[0]}:// has no moving window")
        self._limiter = MovingWindowRateLimiter(storage)
        self._item = RateLimitItemPerSecond(limit.attempts, limit.window_seconds, namespace=_NAMESPACE)

    def wait(self, tracker: Tracker) -> float | None:
        """Seconds until this conversation and client may check again; None when they may now."""
        waits = []
        for key in _keys(tracker):
            if not self._limiter.test(self._item, key):
                reset_at = self._limiter.get_window_stats(self._item, key).reset_time
                waits.append(max(reset_at - time.time(), 1.0))
        return max(waits) if waits else None

    def attempt(self, tracker: Tracker) -> float | None:
        """Count one check; None when it is allowed, else the seconds to wait (and nothing is counted)."""
        if (wait := self.wait(tracker)) is not None:
            return wait
        for key in _keys(tracker):
            if not self._limiter.hit(self._item, key):  # another request took the last attempt meanwhile
                return self.wait(tracker) or 1.0
        return None


def is_checking(tracker: Tracker) -> bool:
    """Is the form about to look a reference number or an ID up (rather than ask or refuse its shape)?"""
    candidates = tracker.slots_to_validate()
    return any(candidates.get(slot) not in _NOT_A_VALUE for slot in CHECKED_SLOTS if slot in candidates)


def cool_down_text(wait_seconds: float, tracker: Tracker) -> str:
    """ "Too many checks: try again in N minutes", in the citizen's language."""
    lang = current_language(tracker)
    minutes = max(1, math.ceil(wait_seconds / 60))
    wait = (
        text("status_attempts.one_minute", lang)
        if minutes == 1
        else text("status_attempts.minutes", lang, count=minutes)
    )
    return text("status_attempts.cool_down", lang, wait=wait)


def cool_down_events(dispatcher: CollectingDispatcher, tracker: Tracker, wait_seconds: float) -> list[EventType]:
    """Say when to try again, forget what was typed, and stop the form (it asks nothing more)."""
    dispatcher.utter_message(text=cool_down_text(wait_seconds, tracker))
    return [
        SlotSet("reference_number", None),
        SlotSet("national_id", None),
        SlotSet("requested_slot", None),
        ActiveLoop(None),
    ]
