"""Actions about the conversation itself: its language, a human agent, and ratings."""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any, Protocol

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api.conversation_store import ConversationStore
from actions.language import current_language
from actions.service_actions import tell_service
from actions.service_answer import follow_up_buttons
from knowledge.service_search import CatalogueSearch
from texts import Lang, text
from texts.wording import format_opening

__all__ = [
    "ActionChangeLanguage",
    "ActionDeclineHuman",
    "ActionHandoff",
    "ActionRecordFeedback",
    "ActionRecordFeedbackComment",
]

logger = logging.getLogger(__name__)

_TRANSCRIPT_TURNS = 20
_SKIP_WORDS = re.compile(r"^\s*(ข้าม|ไม่มี|ไม่เป็นไร|skip|no|nothing|none|nope|-)\s*[.!]?\s*$", re.I)
_WANTS_ENGLISH = re.compile(r"english|อังกฤษ|อิ้ง|อิง", re.I)
_WANTS_THAI = re.compile(r"thai|ไทย", re.I)


def _transcript(tracker: Tracker) -> list[dict[str, Any]]:
    turns = [
        {"from": "citizen" if e["event"] == "user" else "bot", "text": e.get("text") or ""}
        for e in tracker.events
        if e.get("event") in ("user", "bot") and e.get("text")
    ]
    return turns[-_TRANSCRIPT_TURNS:]


def _wanted_language(tracker: Tracker) -> Lang:
    """The language asked for: the entity (the widget's switch sends it), else the words, else the other one."""
    entity = next(tracker.get_latest_entity_values("language"), None)
    if entity in ("th", "en"):
        return "th" if entity == "th" else "en"
    said = tracker.latest_message.get("text") or ""
    if _WANTS_ENGLISH.search(said):
        return "en"
    if _WANTS_THAI.search(said):
        return "th"
    return "th" if current_language(tracker) == "en" else "en"  # "switch language": flip


class ActionChangeLanguage(Action):
    """ "พูดภาษาอังกฤษได้ไหม" / "ตอบเป็นภาษาไทย" / the widget's switch: switch and keep the reply
    language, then say the service being talked about again in it, so the citizen need not ask twice."""

    def __init__(self, catalogue: CatalogueSearch) -> None:
        self.catalogue = catalogue

    def name(self) -> str:
        return "action_change_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        wanted = _wanted_language(tracker)
        dispatcher.utter_message(text=text("answers.language_now", wanted))
        events: list[EventType] = [SlotSet("preferred_language", wanted), SlotSet("language", wanted)]
        return events + self._restate_service(dispatcher, tracker, wanted)

    def _restate_service(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: Lang) -> list[EventType]:
        """The answer about the service in context, as the service action gives it, now in ``lang``."""
        service_id = tracker.get_slot("service_id")
        if not service_id:
            return []
        service = self.catalogue.get(str(service_id))
        if service is None:  # removed from the catalogue since
            return []
        answer = tell_service(dispatcher, service, [], lang)
        dispatcher.utter_message(text=text("answers.more_about", lang), buttons=follow_up_buttons(lang))
        return [SlotSet("last_answer", answer[:2000])]  # a rating now rates what the citizen reads


class OpeningHours(Protocol):
    """When officers are at the desk (conversation/handoff/working_hours.py)."""

    def next_opening(self, now: dt.datetime) -> dt.datetime | None:
        """None while open now; else the next opening, in the agency's time zone."""
        ...


def handoff_buttons(lang: Lang, *, contact: bool) -> list[dict[str, str]]:
    """Cancel the request (and, when nobody can answer soon, leave a contact): the desk's commands."""
    buttons = [{"title": text("handoff.button_cancel", lang), "payload": "/handoff_cancel"}]
    if contact:
        buttons.insert(0, {"title": text("handoff.button_contact", lang), "payload": "/handoff_contact"})
    return buttons


class ActionHandoff(Action):
    """Mark the conversation for a human agent and tell the citizen what happens next: when an
    officer will read it (now, or at the next opening: outside working hours it says when), the
    1111 hotline, and buttons to cancel or to leave a contact."""

    def __init__(self, store: ConversationStore, hours: OpeningHours | None = None) -> None:
        self.store = store
        self.hours = hours

    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = current_language(tracker)
        metadata = tracker.latest_message.get("metadata") or {}
        reason = "offered_after_misses" if tracker.get_slot("human_offered") else "asked"
        try:
            record = self.store.request_handoff(
                tracker.sender_id, str(metadata.get("channel", "unknown")), lang, reason, _transcript(tracker)
            )
        except Exception:
            logger.exception("could not store the hand-off request")
            dispatcher.utter_message(text=text("answers.error", lang))
            return []
        opening = self.hours.next_opening(dt.datetime.now(dt.UTC)) if self.hours is not None else None
        if self.hours is None:
            dispatcher.utter_message(text=text("answers.handoff_done", lang, ticket=str(record.id)))
        elif opening is None:
            said = text("handoff.received", lang, ticket=str(record.id))
            dispatcher.utter_message(text=said, buttons=handoff_buttons(lang, contact=False))
        else:
            said = text("handoff.out_of_hours", lang, ticket=str(record.id), opening=format_opening(opening, lang))
            dispatcher.utter_message(text=said, buttons=handoff_buttons(lang, contact=True))
        return [SlotSet("human_offered", False), SlotSet("misses", 0.0)]


class ActionDeclineHuman(Action):
    def name(self) -> str:
        return "action_decline_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(text=text("answers.handoff_declined", current_language(tracker)))
        return [SlotSet("human_offered", False), SlotSet("misses", 0.0)]


class ActionRecordFeedback(Action):
    """Store a rating with the question and the answer it rates; ask why when it did not help."""

    def __init__(self, store: ConversationStore) -> None:
        self.store = store

    def name(self) -> str:
        return "action_record_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = current_language(tracker)
        rating = next(tracker.get_latest_entity_values("rating"), None)
        if rating not in ("helpful", "unhelpful"):
            said = (tracker.latest_message.get("text") or "").lower()
            rating = "unhelpful" if re.search(r"ไม่|not|n't|bad|wrong|useless|👎", said) else "helpful"
        question = tracker.get_slot("last_question")
        answer = tracker.get_slot("last_answer")
        if not question or not answer:
            dispatcher.utter_message(text=text("answers.feedback_nothing_to_rate", lang))
            return [SlotSet("feedback_pending", False)]
        try:
            self.store.record_feedback(
                tracker.sender_id, rating, str(question), str(answer), tracker.get_slot("service_id")
            )
        except Exception:
            logger.exception("could not store feedback")
            dispatcher.utter_message(text=text("answers.error", lang))
            return [SlotSet("feedback_pending", False)]
        if rating == "unhelpful":
            return [SlotSet("feedback_pending", True)]  # the feedback form asks for a comment
        dispatcher.utter_message(text=text("answers.feedback_thanks", lang))
        return [SlotSet("feedback_pending", False)]


class ActionRecordFeedbackComment(Action):
    """Attach the citizen's optional comment to their latest rating."""

    def __init__(self, store: ConversationStore) -> None:
        self.store = store

    def name(self) -> str:
        return "action_record_feedback_comment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = current_language(tracker)
        comment = str(tracker.get_slot("feedback_comment") or "").strip()
        if comment and not _SKIP_WORDS.match(comment):
            try:
                self.store.add_comment_to_latest(tracker.sender_id, comment)
            except Exception:
                logger.exception("could not store the feedback comment")
        dispatcher.utter_message(text=text("answers.feedback_comment_thanks", lang))
        return [SlotSet("feedback_comment", None), SlotSet("feedback_pending", False)]
