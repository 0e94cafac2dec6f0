"""The web widget's report notices: what became of the citizen's reports, fetched by a poll.

``GET /api/chat/reports/notices?sender=<id>`` answers the notices no poll has fetched yet (oldest
first) and marks them delivered: each is marked by a conditional UPDATE of its own, so two tabs
polling at once never both show one. The widget polls every few seconds while it is open and shows
them as the bot's messages (channels/web/static/widget.js).

``sender`` is the conversation id the chat API issued (channels/web/sender_ids.py); any other is 404,
so nobody reads another citizen's notices by guessing.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Protocol

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from channels.web.limits import ChatLimits, check_poll
from channels.web.sender_ids import SenderIds, unknown_conversation
from conversation.reports.store import ReportsStore
from http_api.deps import app_runtime
from http_api.rate_limits import RateLimiter

__all__ = ["ReportNoticesBackend", "router", "take_notices"]

router = APIRouter(prefix="/api/chat/reports", tags=["chat"])

_MAX_PER_POLL = 20


class ReportNoticesBackend(Protocol):
    @property
    def reports(self) -> ReportsStore | None: ...

    @property
    def web_senders(self) -> SenderIds: ...

    @property
    def rate_limiter(self) -> RateLimiter: ...

    @property
    def chat_limits(self) -> ChatLimits: ...


BackendDep = Annotated[ReportNoticesBackend, Depends(app_runtime)]


class WidgetNotice(BaseModel):
    id: int
    text: str = Field(description="In the citizen's language, as the bot says it")
    created_at: dt.datetime


class NoticesOut(BaseModel):
    notices: list[WidgetNotice]


def take_notices(store: ReportsStore, rasa_sender: str, limit: int = _MAX_PER_POLL) -> list[WidgetNotice]:
    """The web notices of one conversation that this call, and no other, marked delivered."""
    taken: list[WidgetNotice] = []
    # No channel filter: a web conversation id names one conversation, whatever channel label it was filed with.
    for notice in store.pending_notices(None, rasa_sender, limit):
        if store.mark_delivered([notice.id]):
            taken.append(WidgetNotice(id=notice.id, text=notice.text, created_at=notice.created_at))
    return taken


@router.get(
    "/notices",
    response_model=NoticesOut,
    responses={
        404: {"description": "A conversation id the gateway did not issue"},
        429: {"description": "Too many requests from this address; see Retry-After"},
    },
)
async def report_notices(
    request: Request,
    backend: BackendDep,
    sender: Annotated[str, Query(min_length=1, max_length=200)],
) -> NoticesOut:
    """News about the conversation's reports not shown yet; each notice is answered once."""
    check_poll(request, backend.rate_limiter, backend.chat_limits, "web-report-notices-client")
    issued = backend.web_senders.verify(sender)
    if issued is None:
        raise unknown_conversation()
    store = backend.reports
    if store is None:
        return NoticesOut(notices=[])
    notices = await run_in_threadpool(take_notices, store, backend.web_senders.rasa_sender(issued))
    return NoticesOut(notices=notices)
