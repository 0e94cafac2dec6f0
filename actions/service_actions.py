"""Actions that answer from the catalogue: find a service, answer a follow-up about
it, fall back to search when NLU is unsure, and browse by life event.

Every one searches the citizen's words; the intent only decides what to say about the
service found (see :mod:`actions.context` and :mod:`knowledge.routing`)."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import SearchThresholds, clearly_named, resolve_question, resolve_service
from actions.journey_answer import JourneyLookup, journey_payload
from actions.language import current_language
from actions.referral_answer import referral_text
from actions.service_answer import (
    choice_text,
    detail_text,
    follow_up_buttons,
    life_event_buttons,
    service_buttons,
    service_card,
    service_summary_text,
)
from knowledge.life_event_words import life_event_in
from knowledge.schema import LifeEvent, Service
from knowledge.service_search import CatalogueSearch, ReferralMatch, ServiceMatch
from texts import MAX_QUICK_REPLIES, Lang, field_name, life_event_name, text

__all__ = [
    "ActionAnswerDetail",
    "ActionAnswerService",
    "ActionBrowseLifeEvent",
    "ActionFallback",
    "answer_detail",
    "answer_service",
    "answered",
    "ask_back",
    "missed",
    "tell_service",
]

logger = logging.getLogger(__name__)

MISSES_BEFORE_HUMAN = 2
MAX_RELATED = 3  # related services offered after an answer

_DETAIL_BY_INTENT = {
    "ask_documents": "documents",
    "ask_fee": "fees",
    "ask_where": "where_to_apply",
    "ask_processing_time": "processing_time",
    "ask_eligibility": "eligibility",
}


def answered(service: Service, question: str, answer: str) -> list[EventType]:
    """Slots every answer sets: the service in context, and what to attach a rating to."""
    return [
        SlotSet("service_id", service.id),
        SlotSet("last_question", question[:1000]),
        SlotSet("last_answer", answer[:2000]),
        SlotSet("misses", 0.0),
        SlotSet("human_offered", False),
    ]


def refer(dispatcher: CollectingDispatcher, referral: ReferralMatch, lang: Lang) -> None:
    """A matter outside the catalogue that a referral topic covers: who handles it, never a near card."""
    dispatcher.utter_message(text=referral_text(referral.referral, lang), buttons=life_event_buttons(lang))


def missed(
    dispatcher: CollectingDispatcher, tracker: Tracker, lang: Lang, referral: ReferralMatch | None = None
) -> list[EventType]:
    """Nothing in the catalogue fits: say so plainly and where else to ask (the ``referral`` topic's
    agency when one fits); after repeated misses, offer a person."""
    if referral is not None:
        refer(dispatcher, referral, lang)
        return []  # the citizen was told where to go: not a miss that calls for a person
    misses = float(tracker.get_slot("misses") or 0) + 1
    if misses >= MISSES_BEFORE_HUMAN:
        dispatcher.utter_message(response="utter_offer_human")
        return [SlotSet("misses", misses), SlotSet("human_offered", True)]
    dispatcher.utter_message(text=text("answers.no_match", lang), buttons=life_event_buttons(lang))
    return [SlotSet("misses", misses)]


def ask_back(dispatcher: CollectingDispatcher, candidates: list[ServiceMatch], intent: str, lang: Lang) -> None:
    """Close candidates: name each and offer it as a quick reply that answers the same question."""
    services = [m.service for m in candidates]
    dispatcher.utter_message(text=choice_text(services, lang), buttons=service_buttons(services, lang, intent))


def tell_service(dispatcher: CollectingDispatcher, service: Service, related: list[ServiceMatch], lang: Lang) -> str:
    """The answer to "tell me about X": text and card, then related services; returns the text."""
    answer = service_summary_text(service, lang)
    dispatcher.utter_message(text=answer)
    dispatcher.utter_message(json_message=service_card(service, lang))
    if related:
        buttons = service_buttons([m.service for m in related[:MAX_RELATED]], lang)
        dispatcher.utter_message(text=text("answers.also_related", lang), buttons=buttons)
    return answer


def answer_service(
    dispatcher: CollectingDispatcher, service: Service, related: list[ServiceMatch], question: str, lang: Lang
) -> list[EventType]:
    """The whole answer about a service, then the follow-up questions; the slots it sets."""
    answer = tell_service(dispatcher, service, related, lang)
    dispatcher.utter_message(text=text("answers.more_about", lang), buttons=follow_up_buttons(lang))
    return answered(service, question, answer)


def answer_detail(
    dispatcher: CollectingDispatcher, service: Service, field: str, question: str, lang: Lang, card: bool
) -> list[EventType]:
    """One detail of a service (documents, fees ...), then the other follow-ups; with its ``card``
    when the service is new to the conversation. The slots it sets."""
    answer = detail_text(service, field, lang)
    dispatcher.utter_message(text=answer, buttons=follow_up_buttons(lang, answered=field))
    if card:
        dispatcher.utter_message(json_message=service_card(service, lang))
    return answered(service, question, answer)


class ActionAnswerService(Action):
    """Answer "tell me about a service" with the service the words name, ask back between close
    ones, or say honestly that the catalogue does not cover it."""

    def __init__(self, catalogue: CatalogueSearch, thresholds: SearchThresholds) -> None:
        self.catalogue = catalogue
        self.thresholds = thresholds

    def name(self) -> str:
        return "action_answer_service"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = current_language(tracker)
        query = tracker.latest_message.get("text") or ""
        try:
            resolution = resolve_question(tracker, self.catalogue, self.thresholds)
        except Exception:
            logger.exception("catalogue search failed")
            dispatcher.utter_message(text=text("answers.error", lang))
            return []
        if resolution.source == "ask":
            ask_back(dispatcher, resolution.candidates, "ask_service", lang)
            return []
        if resolution.service is None:
            logger.info("no confident match (%d chars)", len(query))
            return missed(dispatcher, tracker, lang, resolution.referral)
        if resolution.picked_for in _DETAIL_BY_INTENT:  # typed from a choice offered for a fee, documents ...
            field = _DETAIL_BY_INTENT[resolution.picked_for]
            return answer_detail(dispatcher, resolution.service, field, query, lang, card=True)
        return answer_service(dispatcher, resolution.service, resolution.related, query, lang)


class ActionFallback(ActionAnswerService):
    """NLU (or the dialogue policy) is unsure: try the catalogue before giving up.

    As RulePolicy's core fallback (a message no rule covers, e.g. ``inform`` outside a form) nothing
    tells Rasa to listen afterwards, so it predicted this action again and again up to its limit of
    ten (ten replies to one message) and left the conversation unable to answer anything after. So
    the turn always ends here: listen next."""

    def name(self) -> str:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        return [*await super().run(dispatcher, tracker, domain), FollowupAction("action_listen")]


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
        if intent not in _DETAIL_BY_INTENT:
            intent = "ask_documents"
        field = _DETAIL_BY_INTENT[intent]
        try:
            resolution = resolve_service(tracker, self.catalogue, self.thresholds)
        except Exception:
            logger.exception("catalogue search failed")
            dispatcher.utter_message(text=text("answers.error", lang))
            return []
        if resolution.source == "ask":
            ask_back(dispatcher, resolution.candidates, intent, lang)
            return []
        if resolution.service is None and resolution.referral is not None:
            refer(dispatcher, resolution.referral, lang)
            return []
        if resolution.service is None:
            dispatcher.utter_message(
                text=text("answers.ask_which_service", lang, label=field_name(field, lang)),
                buttons=life_event_buttons(lang),
            )
            return []
        question = tracker.latest_message.get("text") or ""
        return answer_detail(dispatcher, resolution.service, field, question, lang, card=resolution.source == "named")


class ActionBrowseLifeEvent(Action):
    """List the services under a life event, as quick replies."""

    def __init__(
        self, catalogue: CatalogueSearch, thresholds: SearchThresholds, journeys: JourneyLookup | None = None
    ) -> None:
        """``journeys``: the life event's step-by-step journey (knowledge/journey_store.py), told first."""
        self.catalogue = catalogue
        self.thresholds = thresholds
        self.journeys = journeys

    def name(self) -> str:
        return "action_browse_life_event"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = current_language(tracker)
        value: Any = next(tracker.get_latest_entity_values("life_event"), None)
        try:
            event = LifeEvent(value)
        except ValueError:
            # No life event named: words that clearly name a service are answered about it; then the
            # life event in the citizen's words ("ลูกเพิ่งคลอด"), which Rasa may not have tagged.
            found = clearly_named(tracker, self.catalogue, self.thresholds)
            question = str(tracker.latest_message.get("text") or "")
            if found is not None:
                return answer_service(dispatcher, found.match.service, found.related, question, lang)
            named = life_event_in(question) if not question.startswith("/") else None
            if named is None:
                dispatcher.utter_message(text=text("answers.browse_pick", lang), buttons=life_event_buttons(lang))
                return []
            event = named
        name = life_event_name(event, lang)
        services = self.catalogue.by_life_event(event)
        if not services:
            dispatcher.utter_message(text=text("answers.browse_empty", lang, event=name))
            return []
        journey = self.journeys(event.value) if self.journeys is not None else None
        told = journey_payload(journey, self.catalogue.get, lang) if journey is not None else None
        if told is not None:  # the stepper / carousel; its "text" for channels that cannot show it
            dispatcher.utter_message(json_message=told)
        shown = services[:MAX_QUICK_REPLIES]
        dispatcher.utter_message(
            text=text("answers.browse_intro", lang, event=name),
            buttons=service_buttons(shown, lang),
        )
        return []
