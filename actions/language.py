"""Keeps the ``language`` slot in step with the language the citizen writes in."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.types import DomainDict

from actions.api.status_provider import REFERENCE_PATTERN
from nlu.language import Lang, detect_language, reply_language

__all__ = ["ValidateSlotMappings", "current_language"]


def current_language(tracker: Tracker) -> Lang:
    """The language to answer in: the slot, else the latest message's own language."""
    slot = tracker.get_slot("language")
    if slot == "th":
        return "th"
    if slot == "en":
        return "en"
    return reply_language(detect_language(tracker.latest_message.get("text") or ""))


class ValidateSlotMappings(ValidationAction):
    """Run by Rasa after every user message (``action_validate_slot_mappings``)."""

    def name(self) -> str:
        return "action_validate_slot_mappings"

    async def extract_language(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        message = tracker.latest_message or {}
        chosen = (message.get("metadata") or {}).get("language")
        if chosen in ("th", "en"):  # an explicit choice in the channel (widget switch)
            return {"language": chosen}
        preferred = tracker.get_slot("preferred_language")
        if preferred in ("th", "en"):  # the citizen asked for a language: keep it
            return {"language": preferred}
        text = message.get("text") or ""
        if text.startswith("/"):  # a button payload says nothing about the language
            return {}
        previous = tracker.get_slot("language") or "th"
        # A reference number ("DCA-2569-004567") is a code, not English: it keeps the language.
        words = REFERENCE_PATTERN.sub(" ", text)
        detected = detect_language(words, default="th" if previous == "th" else "en")
        return {"language": reply_language(detected)}

    async def validate_language(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"language": value if value in ("th", "en") else None}
