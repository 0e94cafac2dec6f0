"""Assembling the citizens desk (conversation/citizens/desk.py) from the runtime's parts.

Each handler is one job of the desk; this is the one place that lists them, in the order their
phrases are tried.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Engine

from conversation.citizens.consents import ConsentBook  # journeys helper
from conversation.citizens.desk import CitizenDesk, CitizenHandler
from conversation.citizens.identity import CitizenIdentity
from conversation.citizens.journey_handler import JourneyHandler, journey_in  # journeys helper
from conversation.citizens.profile_handler import ProfileHandler  # profile helper
from conversation.citizens.progress import JourneyProgressBook  # journeys helper
from conversation.citizens.prompts import PromptBook
from gateway.dashboard_wiring import services_handler  # dashboard helper
from gateway.reminder_jobs import reminders_handler  # reminders helper

if TYPE_CHECKING:
    from gateway.runtime import Runtime

__all__ = ["build_citizen_desk"]


def build_citizen_desk(runtime: Runtime, engine: Engine) -> CitizenDesk:
    identity = CitizenIdentity(engine)
    prompts = PromptBook(engine)
    handlers: list[CitizenHandler] = []
    # profile helper (issue 17 points 2-4): consent, the profile, my data, erasure, entitlements
    handlers.append(ProfileHandler(engine, runtime.settings.citizens, runtime.list_services))
    # journeys helper (issue 17 point 1): journeys with progress, ticks, saved services
    journey_consents = ConsentBook(engine, runtime.settings.citizens.consent_wording_version)
    handlers.append(
        JourneyHandler(
            JourneyProgressBook(engine, journey_consents),
            prompts,
            lambda journey_id: journey_in(runtime.journeys, journey_id),
            runtime.catalogue.get,
        )
    )
    handlers.append(services_handler(runtime, engine, identity, prompts))  # dashboard helper: /my_services, linking
    handlers.append(reminders_handler(runtime, engine, prompts))  # reminders helper: /remind_*, /my_reminders
    return CitizenDesk(identity, prompts, handlers)
