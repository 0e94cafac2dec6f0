"""A status question is not always a status check: "how long until my new passport comes?" names a
service and wants to hear about it, while "check DLT-2569-010203" wants the form.

The rules (``bot/data/rules/status_form.yml``) start the status form after this action only when it
sets ``status_route`` to "form": when the message carries a reference number, or names no service
clearly. Otherwise it answers about the service and offers the status check as a quick reply.
A conversation or client over the status-check attempt limit (:mod:`actions.status_attempts`) is
told when to try again instead, and the form does not start.
"""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api.status_provider import normalise_reference
from actions.context import SearchThresholds, find_service
from actions.language import current_language
from actions.service_actions import answered, ask_back, tell_service
from actions.service_answer import follow_up_buttons, status_check_buttons
from actions.status_attempts import StatusAttempts, cool_down_text
from knowledge.routing import Answer, AskBack, offered_score
from knowledge.service_search import CatalogueSearch
from texts import text

__all__ = ["ROUTE_SLOT", "ActionRouteStatus"]

logger = logging.getLogger(__name__)

ROUTE_SLOT = "status_route"


def _to_form(reference: str | None = None) -> list[EventType]:
    events: list[EventType] = [SlotSet(ROUTE_SLOT, "form")]
    if reference:  # the form then asks only for what is still missing
        events.insert(0, SlotSet("reference_number", reference))
    return events


class ActionRouteStatus(Action):
    def __init__(
        self, catalogue: CatalogueSearch, thresholds: SearchThresholds, attempts: StatusAttempts | None = None
    ) -> None:
        self.catalogue = catalogue
        self.thresholds = thresholds
        self.attempts = attempts

    def name(self) -> str:
        return "action_route_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        said = str(tracker.latest_message.get("text") or "")
        if self.attempts is not None and (wait := self.attempts.wait(tracker)) is not None:
            dispatcher.utter_message(text=cool_down_text(wait, tracker))
            return [SlotSet(ROUTE_SLOT, "service")]  # the rules then start no form
        if not said.strip() or said.startswith("/"):
            return _to_form()
        if reference := normalise_reference(said):
            return _to_form(reference)
        try:
            decision = find_service(tracker, self.catalogue, self.thresholds)
        except Exception:
            logger.exception("catalogue search failed; checking the status instead")
            return _to_form()
        if offered_score(decision) < self.thresholds.switch:  # no service named clearly: the form
            return _to_form()
        lang = current_language(tracker)
        events: list[EventType] = [SlotSet(ROUTE_SLOT, "service")]
        buttons = status_check_buttons(lang)
        if isinstance(decision, AskBack):
            ask_back(dispatcher, decision.candidates, "ask_service", lang)
        elif isinstance(decision, Answer):
            service = decision.match.service
            events += answered(service, said, tell_service(dispatcher, service, decision.related, lang))
            buttons += follow_up_buttons(lang)
        dispatcher.utter_message(text=text("answers.status_offer", lang), buttons=buttons)
        return events
