"""Intents with an answer of their own (an FAQ, "that is not something I do") still get a catalogue
search: when NLU is unsure of the intent and the words clearly name a service, the service is the
answer ("บัตรทองใช้สิทธิฉุกเฉินที่ รพ.เอกชนได้ไหม" read as an FAQ is still the UCEP service).

A confident intent keeps its own answer (see :data:`actions.context.SURE_INTENT`).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import SearchThresholds, clearly_meant
from actions.language import current_language
from actions.service_actions import answer_service, refer
from knowledge.routing import Answer
from knowledge.service_search import CatalogueSearch

__all__ = ["ActionAnswerOrRespond", "own_response"]

logger = logging.getLogger(__name__)


def own_response(message: dict[str, Any]) -> str:
    """The response NLU chose for the message: the response selector's pick for a retrieval intent
    (``utter_faq/government_hotline_1111``), else ``utter_<intent>``.

    As Rasa's own retrieval action reads it: the selector named after the intent, else the one shared
    by all retrieval intents (``default``, as config.yml trains it). ``utter_faq`` alone is no response.
    """
    intent = str((message.get("intent") or {}).get("name") or "out_of_scope")
    selectors = message.get("response_selector") or {}
    retrieval = intent in selectors or intent in (selectors.get("all_retrieval_intents") or [])
    for key in (intent, "default") if retrieval else ():
        action = ((selectors.get(key) or {}).get("response") or {}).get("utter_action")
        if action:
            return str(action)
    return f"utter_{intent}"


class ActionAnswerOrRespond(Action):
    def __init__(self, catalogue: CatalogueSearch, thresholds: SearchThresholds) -> None:
        self.catalogue = catalogue
        self.thresholds = thresholds

    def name(self) -> str:
        return "action_answer_or_respond"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        message = tracker.latest_message
        try:
            found = clearly_meant(tracker, self.catalogue, self.thresholds)
        except Exception:
            logger.exception("catalogue search failed; giving the intent's own answer")
            found = None
        if isinstance(found, Answer):
            question = str(message.get("text") or "")
            return answer_service(dispatcher, found.match.service, found.related, question, current_language(tracker))
        if found is not None:
            refer(dispatcher, found, current_language(tracker))
            return []
        dispatcher.utter_message(response=own_response(message))
        return []
