"""Hand a problem report, or the question what became of one, to the gateway's report desk.

The report conversation (its draft, steps, photos and locations) lives in the gateway
(conversation/reports/desk.py), not in Rasa's slots: it must survive restarts and replicas, and
its photos never pass through Rasa. So these actions are thin: each utters a custom payload that
:func:`conversation.turn.run_turn` recognises, and the desk answers the turn with the citizen's own
words (a description said together with "I want to report" is kept).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

__all__ = ["ActionReportProblem", "ActionReportStatus"]


class ActionReportProblem(Action):
    def name(self) -> str:
        return "action_report_problem"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(json_message={"report": "start"})
        return []


class ActionReportStatus(Action):
    def name(self) -> str:
        return "action_report_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(json_message={"report": "status"})
        return []
