"""Which service a turn is about: the one named now, or the one talked about last.

A named service (the ``service`` entity, or a strong search match on the whole
message) switches the conversation to it; a bare follow-up ("and how much is
it?") stays with the service in the ``service_id`` slot; with neither, the bot
asks back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rasa_sdk import Tracker

from knowledge.schema import Service
from knowledge.service_search import CatalogueSearch, ServiceMatch

__all__ = ["Resolution", "SearchThresholds", "resolve_service"]


@dataclass(frozen=True)
class SearchThresholds:
    """``answer``: lowest score worth answering; ``switch``: a follow-up this sure names a new service."""

    answer: float
    switch: float


@dataclass(frozen=True)
class Resolution:
    service: Service | None
    source: Literal["named", "context", "none"]
    related: list[ServiceMatch]


def resolve_service(tracker: Tracker, catalogue: CatalogueSearch, thresholds: SearchThresholds) -> Resolution:
    text = tracker.latest_message.get("text") or ""
    mention = next(tracker.get_latest_entity_values("service"), None)
    matches = catalogue.search(text, k=4) if text and not text.startswith("/") else []
    if mention and (not matches or matches[0].hit.score < thresholds.answer):
        matches = catalogue.search(str(mention), k=4)  # the mention alone, if the sentence was noisy
    best = matches[0] if matches else None
    related = [m for m in matches[1:] if m.hit.score >= thresholds.answer]
    if best and (best.hit.score >= thresholds.switch or (mention and best.hit.score >= thresholds.answer)):
        return Resolution(best.service, "named", related)
    current = tracker.get_slot("service_id")
    if current and (service := catalogue.get(str(current))):
        return Resolution(service, "context", [])
    if best and best.hit.score >= thresholds.answer:
        return Resolution(best.service, "named", related)
    return Resolution(None, "none", [])
