"""Builds every custom action with its dependencies for the action endpoint."""

from __future__ import annotations

from rasa_sdk import Action

from actions.language import ValidateSlotMappings
from actions.service_actions import ActionAnswerService, ActionBrowseLifeEvent
from knowledge.service_search import CatalogueSearch

__all__ = ["build_actions"]


def build_actions(catalogue: CatalogueSearch, min_score: float) -> list[Action]:
    return [
        ValidateSlotMappings(),
        ActionAnswerService(catalogue, min_score),
        ActionBrowseLifeEvent(catalogue),
    ]
