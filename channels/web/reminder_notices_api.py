"""The web widget's reminders: those a web-only citizen opted into, fetched by a poll once due.

The widget cannot be pushed to, so the scheduler (conversation/citizens/scheduler.py) marks a due
reminder of a citizen without a LINE conversation ``ready``, and ``GET /api/chat/reminders?sender=<id>``
answers the ready ones of the conversation's citizen (a linked web conversation shares them) and
marks each sent by a conditional UPDATE of its own, so two tabs polling at once never both show one.
The widget polls while it is open, as for report notices, and shows each as the bot's message with
its quick reply to the service (channels/web/static/widget.js).

``sender`` is the conversation id the chat API issued (channels/web/sender_ids.py); any other is 404,
so nobody reads another citizen's reminders by guessing.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Protocol

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from channels.web.limits import ChatLimits, check_poll
from channels.web.sender_ids import SenderIds, unknown_conversation
from conversation.citizens.consents import ConsentBook
from conversation.citizens.identity import CitizenIdentity
from conversation.citizens.reminders import ReminderBook
from conversation.citizens.scheduler import reminder_messages
from http_api.deps import app_runtime
from http_api.rate_limits import RateLimiter

__all__ = ["ReminderNoticesBackend", "router", "take_reminders"]

router = APIRouter(prefix="/api/chat", tags=["chat"])


class ReminderNoticesBackend(Protocol):
    @property
    def citizens_engine(self) -> Engine | None: ...

    @property
    def web_senders(self) -> SenderIds: ...

    @property
    def rate_limiter(self) -> RateLimiter: ...

    @property
    def chat_limits(self) -> ChatLimits: ...


BackendDep = Annotated[ReminderNoticesBackend, Depends(app_runtime)]


class WidgetReminder(BaseModel):
    id: int
    language: Literal["th", "en"] = Field(description="The language the citizen set the reminder in")
    messages: list[dict[str, Any]] = Field(description="As /api/chat answers them: the text and a quick reply")
    due_at: dt.datetime


class RemindersOut(BaseModel):
    reminders: list[WidgetReminder]


def take_reminders(engine: Engine, rasa_sender: str, now: dt.datetime) -> list[WidgetReminder]:
    """The ready reminders of the conversation's citizen that this call, and no other, marked sent."""
    citizen_id = CitizenIdentity(engine).citizen_of(rasa_sender)
    book = ReminderBook(engine, ConsentBook(engine, "-"))  # taking needs no consent wording
    return [
        WidgetReminder(
            id=reminder.id,
            language="en" if reminder.language == "en" else "th",
            messages=reminder_messages(reminder),
            due_at=reminder.due_at,
        )
        for reminder in book.take_ready(citizen_id, now=now)
    ]


@router.get(
    "/reminders",
    response_model=RemindersOut,
    responses={
        404: {"description": "A conversation id the gateway did not issue"},
        429: {"description": "Too many requests from this address; see Retry-After"},
    },
)
async def reminder_notices(
    request: Request,
    backend: BackendDep,
    sender: Annotated[str, Query(min_length=1, max_length=200)],
) -> RemindersOut:
    """Reminders that came due for the conversation's citizen and were not shown yet; each is answered once."""
    check_poll(request, backend.rate_limiter, backend.chat_limits, "web-reminders-client")
    issued = backend.web_senders.verify(sender)
    if issued is None:
        raise unknown_conversation()
    engine = backend.citizens_engine
    if engine is None:
        return RemindersOut(reminders=[])
    now = dt.datetime.now(dt.UTC)
    taken = await run_in_threadpool(take_reminders, engine, backend.web_senders.rasa_sender(issued), now)
    return RemindersOut(reminders=taken)
