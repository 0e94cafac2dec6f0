"""The citizens' reminder scheduler in a gateway process (conversation/citizens/scheduler.py).

Started by the app's lifespan next to the report jobs, for the same reason: the LINE channel starts
in its own lifespan, after this one, and its client lives on the app's event loop, so the scheduler
looks for it on every round (``app.state.line``) instead of being handed it once. A LINE citizen's
reminder due before LINE is up keeps its lease and is claimed again after it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from fastapi import FastAPI
from sqlalchemy import Engine

from channels.line.reminder_delivery import LineReminderDelivery
from conversation.citizens.consents import ConsentBook
from conversation.citizens.journey_handler import journey_in
from conversation.citizens.prompts import PromptBook
from conversation.citizens.reminder_handler import ReminderHandler
from conversation.citizens.reminders import ReminderBook
from conversation.citizens.scheduler import ReminderScheduler, ReminderSender

if TYPE_CHECKING:  # the runtime builds the desk, which asks reminders_handler
    from gateway.runtime import Runtime

__all__ = ["ReminderJobs", "reminder_book", "reminders_handler"]


def reminder_book(runtime: Runtime, engine: Engine | None = None) -> ReminderBook | None:
    """The runtime's reminders, or None without a citizens store."""
    engine = engine or runtime.citizens_engine
    if engine is None:
        return None
    wanted = runtime.settings.citizens
    return ReminderBook(engine, ConsentBook(engine, wanted.consent_wording_version), wanted.reminder_max_attempts)


def reminders_handler(runtime: Runtime, engine: Engine, prompts: PromptBook) -> ReminderHandler:
    """The citizens desk's ``reminders`` handler (gateway/citizen_desk.py lists it)."""
    book = reminder_book(runtime, engine)
    assert book is not None
    journeys = runtime.journeys
    return ReminderHandler(
        book,
        prompts,
        lambda journey_id: journey_in(journeys, journey_id),
        runtime.catalogue.get,
        runtime.settings.citizens,
    )


class ReminderJobs:
    """The scheduler's task; :meth:`stop` cancels it."""

    def __init__(self, app: FastAPI, runtime: Runtime) -> None:
        self._app = app
        self._line: LineReminderDelivery | None = None
        book = reminder_book(runtime)
        self.scheduler = ReminderScheduler(book, self._senders, runtime.settings.citizens) if book else None

    def _senders(self) -> Mapping[str, ReminderSender]:
        channel = getattr(self._app.state, "line", None)
        if channel is None:
            self._line = None
            return {}
        messenger = channel.handler.messenger
        if self._line is None or self._line.messenger is not messenger:
            self._line = LineReminderDelivery(messenger)
        return {"line": self._line}

    def start(self) -> None:
        if self.scheduler is not None:
            self.scheduler.start()

    async def stop(self) -> None:
        if self.scheduler is not None:
            await self.scheduler.stop()
