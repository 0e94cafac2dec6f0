"""Actions that answer from the catalogue: find a service, browse by life event."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.language import current_language
from actions.service_answer import life_event_buttons, service_card, service_summary_text
from actions.texts import LIFE_EVENT_NAMES, Lang, text
from knowledge.schema import LifeEvent
from knowledge.service_search import CatalogueSearch

__all__ = ["ActionAnswerService", "ActionBrowseLifeEvent"]

logger = logging.getLogger(__name__)

_RELATED = 3


def _lang(tracker: Tracker) -> Lang:
    return "en" if current_language(tracker) == "en" else "th"


class ActionAnswerService(Action):
    """Answer "ask about a service" with the best catalogue match, or say honestly there is none."""

    def __init__(self, catalogue: CatalogueSearch, min_score: float) -> None:
        self.catalogue = catalogue
        self.min_score = min_score

    def name(self) -> str:
        return "action_answer_service"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = _lang(tracker)
        query = tracker.latest_message.get("text") or ""
        try:
            matches = self.catalogue.search(query, k=_RELATED + 1)
        except Exception:
            logger.exception("catalogue search failed")
            dispatcher.utter_message(text=text("error", lang))
            return []
        if not matches or matches[0].hit.score < self.min_score:
            logger.info("no confident match", extra={"query_chars": len(query)})
            dispatcher.utter_message(text=text("no_match", lang), buttons=life_event_buttons(lang))
            return []
        best = matches[0].service
        dispatcher.utter_message(text=service_summary_text(best, lang))
        dispatcher.utter_message(json_message=service_card(best, lang))
        related = [m.service for m in matches[1:] if m.hit.score >= self.min_score]
        if related:
            dispatcher.utter_message(
                text=text("also_related", lang),
                buttons=[{"title": s.title.get(lang), "payload": s.title.get(lang)} for s in related],
            )
        return [SlotSet("service_id", best.id)]


class ActionBrowseLifeEvent(Action):
    """List the services under a life event, as quick replies."""

    def __init__(self, catalogue: CatalogueSearch) -> None:
        self.catalogue = catalogue

    def name(self) -> str:
        return "action_browse_life_event"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = _lang(tracker)
        value: Any = next(tracker.get_latest_entity_values("life_event"), None)
        try:
            event = LifeEvent(value)
        except ValueError:
            dispatcher.utter_message(text=text("browse_pick", lang), buttons=life_event_buttons(lang))
            return []
        name = LIFE_EVENT_NAMES[event][lang]
        services = self.catalogue.by_life_event(event)
        if not services:
            dispatcher.utter_message(text=text("browse_empty", lang, event=name))
            return []
        dispatcher.utter_message(
            text=text("browse_intro", lang, event=name),
            buttons=[{"title": s.title.get(lang), "payload": s.title.get(lang)} for s in services[:13]],
        )
        return []
