"""The web widget's side of the hand-off desk (docs/handoff.md).

- ``GET /api/chat/handoff?sender=<id>&after=<message id>``: the state of the conversation's request
  (none, waiting, with_officer, released, closed, cancelled), the officer's name, whether they are
  typing, and the officer's and the desk's messages after ``after`` (the citizen's own are not echoed).
  The widget polls it every 2 s while waiting or with an officer, and once on load.
- ``POST /api/chat/handoff/cancel`` ``{"sender": ...}``: the citizen cancels the request.

``sender`` is the conversation id the chat API issued; any other is 404, so nobody reads another
conversation's messages by guessing.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Protocol

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from channels.web.limits import ChatLimits, check_poll
from channels.web.sender_ids import SenderIds, unknown_conversation
from conversation.handoff.desk import HandoffDesk
from http_api.body import parse_json_body
from http_api.deps import app_runtime
from http_api.rate_limits import RateLimiter

__all__ = ["HandoffBackend", "router"]

router = APIRouter(prefix="/api/chat/handoff", tags=["chat"])

State = Literal["none", "waiting", "with_officer", "released", "closed", "cancelled"]


class HandoffBackend(Protocol):
    @property
    def handoff_desk(self) -> HandoffDesk | None: ...

    @property
    def web_senders(self) -> SenderIds: ...

    @property
    def rate_limiter(self) -> RateLimiter: ...

    @property
    def chat_limits(self) -> ChatLimits: ...


BackendDep = Annotated[HandoffBackend, Depends(app_runtime)]


class WidgetMessage(BaseModel):
    id: int = Field(description="Send the last one seen as ?after= on the next poll")
    author: Literal["agent", "system"]
    text: str
    created_at: dt.datetime


class HandoffStateOut(BaseModel):
    state: State
    officer: str | None = Field(description="The officer's display name while they hold the conversation")
    typing: bool = Field(description="The officer is typing (shown for a few seconds)")
    messages: list[WidgetMessage]


class CancelBody(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    sender: str = Field(min_length=1, description="The conversation id the chat API issued")


def _check_client(request: Request, backend: HandoffBackend) -> None:
    check_poll(request, backend.rate_limiter, backend.chat_limits, "web-handoff-client")


def _rasa_sender(backend: HandoffBackend, sender: str) -> tuple[HandoffDesk, str]:
    issued = backend.web_senders.verify(sender)
    desk = backend.handoff_desk
    if issued is None or desk is None:
        raise unknown_conversation()
    return desk, backend.web_senders.rasa_sender(issued)


def _state(desk: HandoffDesk, rasa_sender: str, after: int) -> HandoffStateOut:
    seen = desk.widget_state(rasa_sender, after)
    return HandoffStateOut(
        state=seen.state,
        officer=seen.officer,
        typing=seen.typing,
        messages=[
            WidgetMessage(
                id=m.id, author="agent" if m.author == "agent" else "system", text=m.text, created_at=m.created_at
            )
            for m in seen.messages
        ],
    )


_RESPONSES: dict[int | str, dict[str, str]] = {
    404: {"description": "A conversation id the gateway did not issue"},
    429: {"description": "Too many requests from this address; see Retry-After"},
}


@router.get("", response_model=HandoffStateOut, responses=_RESPONSES)
async def handoff_state(
    request: Request,
    backend: BackendDep,
    sender: Annotated[str, Query(min_length=1, max_length=200)],
    after: Annotated[int, Query(ge=0, description="The last message id the widget shows")] = 0,
) -> HandoffStateOut:
    _check_client(request, backend)
    desk, rasa_sender = _rasa_sender(backend, sender)
    return await run_in_threadpool(_state, desk, rasa_sender, after)


@router.post(
    "/cancel",
    response_model=HandoffStateOut,
    responses=_RESPONSES,
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": CancelBody.model_json_schema()}}}
    },
)
async def cancel(request: Request, backend: BackendDep) -> HandoffStateOut:
    """Cancel the conversation's waiting or taken request; answers with the new state."""
    _check_client(request, backend)
    body = await parse_json_body(request, CancelBody, max_bytes=2048)
    desk, rasa_sender = _rasa_sender(backend, body.sender)
    await desk.cancel(rasa_sender)
    state = await run_in_threadpool(_state, desk, rasa_sender, 2**62)
    return state
