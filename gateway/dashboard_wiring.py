"""Assembling the dashboard and account-linking handler (conversation/citizens/services_handler.py)
from the runtime's parts: the books it reads, the link codes, and the key that seals dashboard links.

The web dashboard's routes (channels/web/dashboard.py) find the same handler on the citizens desk,
so the chat and the page share one key, one set of books and one public address.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Engine

from conversation.citizens.consents import ConsentBook
from conversation.citizens.dashboard_view import DashboardSources
from conversation.citizens.identity import CitizenIdentity
from conversation.citizens.journey_handler import journey_in
from conversation.citizens.linking import LinkCodes
from conversation.citizens.profiles import ProfileBook
from conversation.citizens.progress import JourneyProgressBook
from conversation.citizens.prompts import PromptBook
from conversation.citizens.reminders import ReminderBook
from conversation.citizens.services_handler import ServicesHandler
from conversation.citizens.signed_links import DashboardLinks
from gateway.secrets import dashboard_link_secret

if TYPE_CHECKING:
    from gateway.runtime import Runtime

__all__ = ["services_handler"]


def services_handler(
    runtime: Runtime, engine: Engine, identity: CitizenIdentity, prompts: PromptBook
) -> ServicesHandler:
    settings = runtime.settings
    citizens = settings.citizens
    consents = ConsentBook(engine, citizens.consent_wording_version)
    sources = DashboardSources(
        identity=identity,
        consents=consents,
        journey=lambda journey_id: journey_in(runtime.journeys, journey_id),
        service=runtime.catalogue.get,
        profiles=ProfileBook(engine, consents),
        progress=JourneyProgressBook(engine, consents),
        reminders=ReminderBook(engine, consents, citizens.reminder_max_attempts),
        reports=runtime.reports,
        services=runtime.list_services,
    )
    codes = LinkCodes(
        engine, identity, consents, minutes=citizens.link_code_minutes, attempts=citizens.link_code_attempts
    )
    links = DashboardLinks(dashboard_link_secret(settings), citizens.dashboard_link_minutes)
    return ServicesHandler(consents, prompts, codes, links, sources, lambda: runtime.settings.citizens.public_url)
