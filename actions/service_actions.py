"""Actions that answer from the catalogue: find a service, answer a follow-up about
it, fall back to search when NLU is unsure, and browse by life event."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import SearchThresholds, resolve_service
from actions.language import current_language
from actions.service_answer import (
    detail_text,
    follow_up_buttons,
    life_event_buttons,
    service_card,
    service_summary_text,
)
from knowledge.schema import LifeEvent, Service
from knowledge.service_search import CatalogueSearch, ServiceMatch
from texts import MAX_QUICK_REPLIES, Lang, field_name, life_event_name, text

__all__ = ["ActionAnswerDetail", "ActionAnswerService", "ActionBrowseLifeEvent", "ActionFallback"]

logger = logging.getLogger(__name__)

MISSES_BEFORE_HUMAN = 2

_DETAIL_BY_INTENT = {
    "ask_documents": "documents",
    "ask_fee": "fees",
    "ask_where": "where_to_apply",
    "ask_processing_time": "processing_time",
    "ask_eligibility": "eligibility",
}


def _answered(service: Service, question: str, answer: str) -> list[EventType]:
    """Slots every answer sets: the service in context, and what to attach a rating to."""
    return [
        SlotSet("service_id", service.id),
        SlotSet("last_question", question[:1000]),
        SlotSet("last_answer", answer[:2000]),
        SlotSet("misses", 0.0),
        SlotSet("human_offered", False),
    ]


def _missed(dispatcher: CollectingDispatcher, tracker: Tracker, lang: Lang) -> list[EventType]:
    """Nothing matched: say so honestly; after repeated misses, offer a person."""
    misses = float(tracker.get_slot("misses") or 0) + 1
    if misses >= MISSES_BEFORE_HUMAN:
        dispatcher.utter_message(response="utter_offer_human")
        return [SlotSet("misses", misses), SlotSet("human_offered", True)]
    dispatcher.utter_message(text=text("answers.no_match", lang), buttons=life_event_buttons(lang))
    return [SlotSet("misses", misses)]


def _related_buttons(related: list[ServiceMatch], lang: Lang) -> list[dict[str, str]]:
    return [{"title": m.service.title.get(lang), "payload": m.service.title.get(lang)} for m in related]


class ActionAnswerService(Action):
    """Answer "tell me about a service" with the best catalogue match, or say honestly there is none."""

    def __init__(self, catalogue: CatalogueSearch, thresholds: SearchThresholds) -> None:
        self.catalogue = catalogue
        self.thresholds = thresholds

    def name(self) -> str:
        return "action_answer_service"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = current_language(tracker)
        query = tracker.latest_message.get("text") or ""
        try:
            matches = self.catalogue.search(query, k=4)
        except Exception:
            logger.exception("catalogue search failed")
            dispatcher.utter_message(text=text("answers.error", lang))
            return []
        if not matches or matches[0].hit.score < self.thresholds.answer:
            logger.info("no confident match (%d chars)", len(query))
            return _missed(dispatcher, tracker, lang)
        best = matches[0].service
        answer = service_summary_text(best, lang)
        dispatcher.utter_message(text=answer)
        dispatcher.utter_message(json_message=service_card(best, lang))
        related = [m for m in matches[1:] if m.hit.score >= self.thresholds.answer]
        if related:
            dispatcher.utter_message(text=text("answers.also_related", lang), buttons=_related_buttons(related, lang))
        dispatcher.utter_message(text=text("answers.more_about", lang), buttons=follow_up_buttons(lang))
        return _answered(best, query, answer)


class ActionFallback(ActionAnswerService):
    """NLU (or the dialogue policy) is unsure: try the catalogue before giving up."""

    def name(self) -> str:
        return "action_fallback"


class ActionAnswerDetail(Action):
    """Answer documents / fees / where / how long / who for the service named now or talked about last."""

    def __init__(self, catalogue: CatalogueSearch, thresholds: SearchThresholds) -> None:
        self.catalogue = catalogue
        self.thresholds = thresholds

    def name(self) -> str:
        return "action_answer_detail"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = current_language(tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        field = _DETAIL_BY_INTENT.get(intent, "documents")
        try:
            resolution = resolve_service(tracker, self.catalogue, self.thresholds)
        except Exception:
            logger.exception("catalogue search failed")
            dispatcher.utter_message(text=text("answers.error", lang))
            return []
        if resolution.service is None:
            dispatcher.utter_message(
                text=text("answers.ask_which_service", lang, label=field_name(field, lang)),
                buttons=life_event_buttons(lang),
            )
            return []
        service = resolution.service
        answer = detail_text(service, field, lang)
        dispatcher.utter_message(text=answer, buttons=follow_up_buttons(lang, answered=field))
        if resolution.source == "named":
            dispatcher.utter_message(json_message=service_card(service, lang))
        return _answered(service, tracker.latest_message.get("text") or "", answer)


class ActionBrowseLifeEvent(Action):
    """List the services under a life event, as quick replies."""

    def __init__(self, catalogue: CatalogueSearch) -> None:
        self.catalogue = catalogue

    def name(self) -> str:
        return "action_browse_life_event"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = current_language(tracker)
        value: Any = next(tracker.get_latest_entity_values("life_event"), None)
        try:
            event = LifeEvent(value)
        except ValueError:
            dispatcher.utter_message(text=text("answers.browse_pick", lang), buttons=life_event_buttons(lang))
            return []
        name = life_event_name(event, lang)
        services = self.catalogue.by_life_event(event)
        if not services:
            dispatcher.utter_message(text=text("answers.browse_empty", lang, event=name))
            return []
        shown = services[:MAX_QUICK_REPLIES]
        dispatcher.utter_message(
            text=text("answers.browse_intro", lang, event=name),
            buttons=[{"title": s.title.get(lang), "payload": s.title.get(lang)} for s in shown],
        )
        return []
