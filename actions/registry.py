"""Builds every custom action with its dependencies for the action endpoint."""

from __future__ import annotations

from rasa_sdk import Action

from actions.api.conversation_store import ConversationStore
from actions.api.id_vault import IdVault
from actions.api.status_provider import StatusProvider
from actions.catalogue_first import ActionAnswerOrRespond
from actions.context import SearchThresholds
from actions.conversation_actions import (
    ActionChangeLanguage,
    ActionDeclineHuman,
    ActionHandoff,
    ActionRecordFeedback,
    ActionRecordFeedbackComment,
    OpeningHours,
)
from actions.journey_answer import JourneyLookup
from actions.language import ValidateSlotMappings
from actions.report_actions import ActionReportProblem, ActionReportStatus
from actions.service_actions import ActionAnswerDetail, ActionAnswerService, ActionBrowseLifeEvent, ActionFallback
from actions.status_attempts import StatusAttempts
from actions.status_form import ActionCancelStatusCheck, ActionCheckStatus, ValidateCheckStatusForm
from actions.status_route import ActionRouteStatus
from knowledge.reports.classifier import default_classifier
from knowledge.service_search import CatalogueSearch

__all__ = ["build_actions"]


def build_actions(
    catalogue: CatalogueSearch,
    thresholds: SearchThresholds,
    conversations: ConversationStore,
    status_provider: StatusProvider,
    status_attempts: StatusAttempts | None = None,
    id_vault: IdVault | None = None,
    handoff_hours: OpeningHours | None = None,
    journeys: JourneyLookup | None = None,
) -> list[Action]:
    """``status_attempts``: the status check's attempt limit (none: unlimited, for tests of other things).
    ``id_vault``: the national IDs behind the surrogates the gateway gave Rasa (conversation.turn).
    ``handoff_hours``: the hand-off desk's working hours (none: the reply does not say when).
    ``journeys``: a life event's journey, told before its services (none: the services alone)."""
    return [
        ValidateSlotMappings(),
        ActionAnswerService(catalogue, thresholds),
        ActionFallback(catalogue, thresholds),
        ActionAnswerDetail(catalogue, thresholds),
        ActionBrowseLifeEvent(catalogue, thresholds, journeys),
        ActionAnswerOrRespond(catalogue, thresholds),
        ActionChangeLanguage(catalogue),
        ActionHandoff(conversations, handoff_hours),
        ActionDeclineHuman(),
        ActionRecordFeedback(conversations),
        ActionRecordFeedbackComment(conversations),
        ActionRouteStatus(catalogue, thresholds, status_attempts),
        ValidateCheckStatusForm(status_provider, status_attempts, id_vault),
        ActionCheckStatus(status_provider, catalogue, status_attempts),
        ActionCancelStatusCheck(),
        ActionReportProblem(catalogue, thresholds, default_classifier),  # the gateway's report desk takes the turn
        ActionReportStatus(),
    ]
