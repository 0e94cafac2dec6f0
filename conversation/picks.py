"""Typed picks read as the quick reply they name, before Rasa sees the message.

After an ask-back the citizen may type "อันแรก", "the second one" or "ต่ออายุ" instead of tapping.
Rasa's NLU reads such a message as anything (thanks, small talk, goodbye, cancel), and the rule for
that intent answers it without looking at what was offered. So the gateway remembers the services
each conversation was just offered (the reply's last quick replies, when each picks a service) and,
when the next message picks one of them (:func:`actions.pick.typed_pick`: an ordinal, a title, a
word only that service uses), sends Rasa that quick reply's payload, exactly as a tap would.

Bounded on purpose: an entry lives ``ttl_seconds`` and at most ``max_entries`` are kept, oldest
first dropped. It is this process's memory: with several gateway replicas a pick that lands on
another replica is not rewritten, and the actions' own reading of the tracker
(:func:`actions.pick.picked`) still catches it when NLU sends it to a catalogue action.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from actions.pick import parse_offer, typed_pick
from knowledge.service_search import CatalogueSearch

__all__ = ["TypedPicks"]


@dataclass(frozen=True)
class _Offered:
    payloads: tuple[str, ...]
    service_ids: tuple[str, ...]
    expires: float


class TypedPicks:
    def __init__(
        self,
        catalogue: CatalogueSearch,
        ttl_seconds: float = 1800.0,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.catalogue = catalogue
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, _Offered] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def remember(self, conversation: str, messages: Sequence[dict[str, Any]]) -> None:
        """Keep what the reply offered: its last quick replies, when every one picks a service and the
        reply asked which one (no card). After an answer its quick replies are related services; the next
        words are about the answered service (a follow-up) unless the citizen taps one."""
        answered = any(m.get("type") == "card" for m in messages)
        options = (
            []
            if answered
            else next((m.get("options") or [] for m in reversed(messages) if m.get("type") == "quick_replies"), [])
        )
        payloads = [str(option.get("payload") or "") for option in options]
        offers = [parse_offer(payload) for payload in payloads]
        with self._lock:
            self._entries.pop(conversation, None)
            if not offers or not all(offers):
                return
            ids = tuple(offer.service_id for offer in offers if offer is not None)
            self._entries[conversation] = _Offered(tuple(payloads), ids, self._clock() + self.ttl_seconds)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def payload_for(self, conversation: str, text: str) -> str | None:
        """The payload of the offered quick reply ``text`` picks, or None (then it goes as typed)."""
        with self._lock:
            offered = self._entries.get(conversation)
            if offered is not None and offered.expires <= self._clock():
                del self._entries[conversation]
                offered = None
        if offered is None or not self.catalogue.ready:
            return None
        services = [self.catalogue.get(sid) for sid in offered.service_ids]
        if any(service is None for service in services):
            return None  # an offered service left the catalogue meanwhile: let Rasa read the words
        index = typed_pick(text, [s for s in services if s is not None], self.catalogue)
        return offered.payloads[index] if index is not None else None
