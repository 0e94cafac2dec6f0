"""Hand a problem report, or the question what became of one, to the gateway's report desk.

The report conversation (its draft, steps, photos and locations) lives in the gateway
(conversation/reports/desk.py), not in Rasa's slots: it must survive restarts and replicas, and
its photos never pass through Rasa. So these actions are thin: each utters a custom payload that
:func:`conversation.turn.run_turn` recognises, and the desk answers the turn with the citizen's own
words (a description said together with "I want to report" is kept).

The intent alone does not start a report: "ขอใบอนุญาตตกปลาหน่อยครับ" or "How do I renew my
passport?" can look like "ขอแจ้งปัญหาหน่อยครับ" to the dialogue model. A report starts when the
words describe a city problem the type classifier is sure of, or ask to report and name no catalogue
service; otherwise the catalogue answers, as for any question (issue 11: the intent says what to say,
the words whether there is a service).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import SearchThresholds, find_service
from actions.language import current_language
from actions.service_actions import ActionAnswerService
from actions.service_answer import status_check_buttons
from knowledge.reports.classifier import ReportTypeClassifier
from knowledge.routing import Answer, NoMatch
from knowledge.service_search import CatalogueSearch
from texts import text

__all__ = ["ActionReportProblem", "ActionReportStatus", "wants_a_report"]

# Asking to report or complain, in either language.
_REPORT_WORDS = re.compile(r"แจ้ง|ร้องเรียน|ร้องทุกข์|รายงานปัญหา|\breport|\bcomplain", re.IGNORECASE)
# What "I want to report a problem" is made of; a message of nothing else is the request alone.
_TRIGGER_ONLY = re.compile(
    r"อยาก|ขอ|ต้องการ|จะ|แจ้ง|ร้องเรียน|ร้องทุกข์|รายงาน|ปัญหา|เรื่อง|เหตุ|หน่อย|ครับ|ค่ะ|คะ|นะ|ได้ไหม|"
    r"\b(?:i'd|i’d|id|i|would|like|want|need|to|a|an|the|please|can|make|file|report|complain|complaint|"
    r"problem|issue|about|something)\b|[\s?!.,'’]",
    re.IGNORECASE,
)
# Types that say nothing about a concrete problem (a complaint, a suggestion, other): not enough alone.
_GENERIC_TYPES = {"อื่นๆ", "ร้องเรียน", "เสนอแนะ", "สอบถาม"}
_SURE_PROBLEM = 0.5


def wants_a_report(words: str, decision: object, classifier: ReportTypeClassifier | None) -> bool:
    """Whether a message Rasa took for "report a problem" should start one (see the module's docstring)."""
    if words.startswith("/"):
        return True  # a button or command: the citizen chose it
    if classifier is not None:
        found = classifier.classify(words)
        if found.score >= _SURE_PROBLEM and found.type.th not in _GENERIC_TYPES:
            return True  # "น้ำประปาไม่ไหล", "ไฟถนนดับหน้าบ้าน": a problem, whatever service sounds close
    if not _TRIGGER_ONLY.sub("", words):
        return True  # "อยากแจ้งปัญหา", "I want to report a problem": the desk asks what it is
    if isinstance(decision, Answer):
        return decision.match.service.id.endswith("-complaint")  # a complaint channel: the report is the answer
    if not isinstance(decision, NoMatch):
        return False  # services close to the words: the catalogue answers (or asks which)
    # Nothing in the catalogue (or a topic another agency handles, such as a burst pipe): a report when
    # the citizen asks to report, else the catalogue's honest "not mine, ask them".
    return bool(_REPORT_WORDS.search(words))


class ActionReportProblem(Action):
    def __init__(
        self,
        catalogue: CatalogueSearch | None = None,
        thresholds: SearchThresholds | None = None,
        classifier: Callable[[], ReportTypeClassifier] | None = None,
    ) -> None:
        """Without a catalogue (tests of the desk alone) every call starts a report."""
        self.catalogue, self.thresholds, self.classifier = catalogue, thresholds, classifier

    def name(self) -> str:
        return "action_report_problem"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        words = str(tracker.latest_message.get("text") or "")
        if self.catalogue is not None and self.thresholds is not None:
            decision = find_service(tracker, self.catalogue, self.thresholds)
            classifier = self.classifier() if self.classifier is not None else None
            if not wants_a_report(words, decision, classifier):
                return await ActionAnswerService(self.catalogue, self.thresholds).run(dispatcher, tracker, domain)
        dispatcher.utter_message(json_message={"report": "start"})
        return []


class ActionReportStatus(Action):
    """ "เรื่องที่แจ้งไว้ถึงไหนแล้ว": the citizen's reports. Words that say nothing of a report
    ("เรื่องที่ยื่นไว้ถึงไหนแล้ว" is about an application) get both choices instead of a guess."""

    def name(self) -> str:
        return "action_report_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        words = str(tracker.latest_message.get("text") or "")
        if words.startswith("/") or _REPORT_WORDS.search(words):
            dispatcher.utter_message(json_message={"report": "status"})
            return []
        lang = current_language(tracker)
        mine = {"title": text("reports.button_my_reports", lang), "payload": "/report_status"}
        dispatcher.utter_message(text=text("answers.status_offer", lang), buttons=[*status_check_buttons(lang), mine])
        return []
