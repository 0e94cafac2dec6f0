"""Checking an application's status: a form that asks for the reference number (and
the national ID where the service needs it), validates each, then answers from a
:class:`~actions.api.status_provider.StatusProvider`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.api.id_vault import IdVault
from actions.api.status_provider import StatusProvider, normalise_reference
from actions.language import current_language
from actions.status_attempts import StatusAttempts, cool_down_events, is_checking
from knowledge.service_search import CatalogueSearch
from nlu.national_id import check_national_id, find_national_ids, mask_national_id
from nlu.thai_dates import to_buddhist_year
from texts import Lang, text

__all__ = ["ActionCancelStatusCheck", "ActionCheckStatus", "ValidateCheckStatusForm", "format_date"]

_THAI_MONTHS = ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."]


def _answering(tracker: Tracker) -> bool:
    """Did the citizen reply to the form's question (rather than cancel or ask something else)?"""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    return intent in (None, "inform", "nlu_fallback")


def format_date(date: dt.date, lang: Lang) -> str:
    """Thai readers expect the Buddhist era: 20 พ.ย. 2569; English readers 20 Nov 2026."""
    if lang == "th":
        return f"{date.day} {_THAI_MONTHS[date.month - 1]} {to_buddhist_year(date.year)}"
    return date.strftime("%-d %b %Y")


class ValidateCheckStatusForm(FormValidationAction):
    """``attempts``: how many checks a conversation and a client may make (none: no limit).
    ``id_vault``: the real national IDs behind the surrogates Rasa sees (none: the slot is the ID)."""

    def __init__(
        self, provider: StatusProvider, attempts: StatusAttempts | None = None, id_vault: IdVault | None = None
    ) -> None:
        self.provider = provider
        self.attempts = attempts
        self.id_vault = id_vault

    def name(self) -> str:
        return "validate_check_status_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        reference = tracker.get_slot("reference_number")
        application = self.provider.find(str(reference)) if reference else None
        if application is not None and not application.requires_national_id:
            return [slot for slot in domain_slots if slot != "national_id"]
        return domain_slots

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Before a reference number or an ID is looked up, count the attempt; over the limit, the
        form says when to try again and stops (reference numbers are sequential: no walking them)."""
        if self.attempts is not None and is_checking(tracker):
            wait = self.attempts.attempt(tracker)
            if wait is not None:
                return cool_down_events(dispatcher, tracker, wait)
        events: list[EventType] = await super().get_validation_events(dispatcher, tracker, domain)
        return events

    async def extract_reference_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "reference_number":
            return {}
        said = tracker.latest_message.get("text") or ""
        reference = normalise_reference(said)
        if reference:
            return {"reference_number": reference}
        # Not a reference: if the citizen was answering, say what is wrong; otherwise let the
        # form step aside so "cancel" or a question about a service is handled by its rule.
        return {"reference_number": "__invalid__"} if _answering(tracker) else {}

    async def validate_reference_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        lang = current_language(tracker)
        if not value or value == "__invalid__":
            dispatcher.utter_message(text=text("answers.status_bad_reference", lang))
            return {"reference_number": None}
        if self.provider.find(str(value)) is None:
            dispatcher.utter_message(text=text("answers.status_unknown_reference", lang, reference=str(value)))
            return {"reference_number": None}
        return {"reference_number": value}

    async def extract_national_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "national_id":
            return {}
        said = tracker.latest_message.get("text") or ""
        entity = next(tracker.get_latest_entity_values("national_id"), None)
        found = find_national_ids(said)
        digits = str(entity) if entity else (found[0][2] if found else "".join(c for c in said if c.isdigit()))
        if digits:
            return {"national_id": digits}
        return {"national_id": "__invalid__"} if _answering(tracker) else {}

    async def validate_national_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        lang = current_language(tracker)
        said = "" if value == "__invalid__" else str(value)
        check = check_national_id(said)
        # The slot keeps what Rasa saw (a surrogate); only this comparison uses the real ID, once.
        real = self.id_vault.take(tracker.sender_id, check.digits) if self.id_vault and check.digits else None
        if not check.valid:
            reason = check.reason or "length"
            dispatcher.utter_message(text=text(f"answers.id_bad_{reason}", lang, count=len(check.digits)))
            return {"national_id": None}
        application = self.provider.find(str(tracker.get_slot("reference_number") or ""))
        if application is not None and application.national_id and application.national_id != (real or check.digits):
            dispatcher.utter_message(text=text("answers.id_mismatch", lang, masked=mask_national_id(check.digits)))
            return {"national_id": None}
        return {"national_id": check.digits}


class ActionCheckStatus(Action):
    """The form is complete: tell the status, then forget the ID (it was only needed for this)."""

    def __init__(
        self, provider: StatusProvider, catalogue: CatalogueSearch, attempts: StatusAttempts | None = None
    ) -> None:
        self.provider = provider
        self.catalogue = catalogue
        self.attempts = attempts

    def name(self) -> str:
        return "action_check_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = current_language(tracker)
        application = self.provider.find(str(tracker.get_slot("reference_number") or ""))
        if application is None:
            # Stopped over the attempt limit, the form has already said when to try again.
            if self.attempts is None or self.attempts.wait(tracker) is None:
                dispatcher.utter_message(text=text("answers.status_bad_reference", lang))
        else:
            service = self.catalogue.get(application.service_id)
            dispatcher.utter_message(
                text=text(
                    "answers.status_line",
                    lang,
                    reference=application.reference,
                    service=service.title.get(lang) if service else application.service_id,
                    status=text(f"status.{application.status}", lang),
                    updated=format_date(application.updated, lang),
                )
            )
        return [SlotSet("reference_number", None), SlotSet("national_id", None)]


class ActionCancelStatusCheck(Action):
    """Stop the form; the reference number is kept so coming back skips that question."""

    def name(self) -> str:
        return "action_cancel_status_check"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(text=text("answers.status_cancelled", current_language(tracker)))
        return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("national_id", None)]
