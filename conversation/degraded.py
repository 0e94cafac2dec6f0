"""The best catalogue answer while Rasa is down or too slow.

The catalogue search lives in the gateway, so a citizen can still be told which service fits and
what it needs. The answer is the one the bot's own "tell me about a service" action gives
(:class:`actions.service_actions.ActionAnswerService`: the same routing, ask-back, referral and
no-match decisions, the same texts and card), run here on a tracker that holds only this message.
Without Rasa there is no intent and no context: every question is answered as "tell me about it".
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import SearchThresholds
from actions.service_actions import ActionAnswerService
from conversation.rendering import render_rasa_messages
from knowledge.service_search import CatalogueSearch
from texts import Lang

__all__ = ["CatalogueFallback"]

logger = logging.getLogger(__name__)

# A quick-reply payload as the widget and LINE send it back: ``/intent{"service": "..."}``.
_PAYLOAD = re.compile(r"^/(?P<intent>\w+)(?P<entities>\{.*\})?$", re.DOTALL)


def _payload_entities(text: str) -> list[dict[str, Any]] | None:
    """The entities of a button payload, [] for a payload without any, None for words."""
    found = _PAYLOAD.match(text)
    if found is None:
        return None
    try:
        values = json.loads(found["entities"] or "{}")
    except ValueError:
        return []
    if not isinstance(values, dict):
        return []
    return [{"entity": str(name), "value": value} for name, value in values.items()]


def _tracker(text: str, lang: Lang, entities: list[dict[str, Any]]) -> Tracker:
    return Tracker.from_dict(
        {
            "sender_id": "degraded",
            "slots": {"language": lang},
            # No NLU ran: the words are a question to search, nothing more.
            "latest_message": {
                "text": text,
                "intent": {"name": "ask_service", "confidence": 0.0},
                "entities": entities,
            },
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


class CatalogueFallback:
    """Answers one message from the catalogue alone, in the channel-neutral message shapes."""

    def __init__(self, catalogue: CatalogueSearch, thresholds: SearchThresholds) -> None:
        self._action = ActionAnswerService(catalogue, thresholds)
        self._catalogue = catalogue

    @property
    def ready(self) -> bool:
        return self._catalogue.ready

    async def answer(self, text: str, lang: Lang) -> list[dict[str, Any]]:
        """The catalogue's answer to ``text`` in ``lang``; [] when there is nothing to say (the
        catalogue is not loaded yet, or a button payload that names no service)."""
        if not self.ready:
            return []
        entities = _payload_entities(text)
        if entities is not None and not any(entity["entity"] == "service" for entity in entities):
            return []  # a button ("/ask_fee") means something only with the conversation's context
        # Searching embeds the text (CPU work): off the event loop, as the channels' other turns run on it.
        return await asyncio.to_thread(self._answer_sync, text, lang, entities or [])

    def _answer_sync(self, text: str, lang: Lang, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
        dispatcher = CollectingDispatcher()
        asyncio.run(self._action.run(dispatcher, _tracker(text, lang, entities), {}))
        return render_rasa_messages(dispatcher.messages)
