"""``POST /api/chat``: one citizen message in, the bot's messages out.

The body is parsed by hand so that every kind of bad input gets its own clear
error: not UTF-8, not JSON, wrong shape, empty or too long text.

The conversation id is the gateway's to give (:mod:`channels.web.sender_ids`): a request without
one, or with one the gateway did not issue, starts a new conversation, and the response's
``sender`` is the id to send next. Rasa knows the conversation as ``web:<id>``, so a web client
cannot reach a LINE conversation (``line:...``) or one it was not given.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Protocol

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from actions.api.id_vault import IdVault
from channels.web.limits import ChatLimits, check_client, check_conversation
from channels.web.sender_ids import SenderIds
from conversation.citizens.desk import CitizenDesk
from conversation.degraded import CatalogueFallback
from conversation.handoff.desk import HandoffDesk
from conversation.picks import TypedPicks
from conversation.rasa_client import RasaClient
from conversation.reports.desk import ReportDesk
from conversation.turn import TurnRecorder, TurnRequest, run_turn
from http_api.body import parse_json_body
from http_api.deps import app_runtime
from http_api.errors import ApiError
from http_api.rate_limits import RateLimiter, client_address

__all__ = ["ChatBackend", "ChatRequest", "ChatResponse", "router"]

router = APIRouter(tags=["chat"])


class ChatBackend(Protocol):
    """What the chat API uses of the gateway's runtime."""

    @property
    def rasa(self) -> RasaClient: ...

    @property
    def max_message_chars(self) -> int: ...

    @property
    def fallback(self) -> CatalogueFallback: ...

    @property
    def rate_limiter(self) -> RateLimiter: ...

    @property
    def chat_limits(self) -> ChatLimits: ...

    @property
    def web_senders(self) -> SenderIds: ...

    @property
    def id_vault(self) -> IdVault: ...

    @property
    def typed_picks(self) -> TypedPicks | None: ...

    @property
    def turn_recorder(self) -> TurnRecorder | None: ...

    @property
    def handoff_desk(self) -> HandoffDesk | None: ...

    @property
    def report_desk(self) -> ReportDesk | None: ...

    @property
    def citizen_desk(self) -> CitizenDesk | None: ...


ChatBackendDep = Annotated[ChatBackend, Depends(app_runtime)]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Location(BaseModel):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    sender: str | None = Field(
        default=None,
        description=(
            "The conversation id from the previous response. Omit it to start a conversation; an id "
            "the gateway did not issue starts a new one too."
        ),
    )
    # Before ``text``, so its check can see them: a location or a photo may come without words.
    location: Location | None = Field(default=None, description="The browser's location, for a problem report")
    photo_ref: str | None = Field(
        default=None, max_length=64, description="A photo stored by POST /api/chat/reports/photo, for a problem report"
    )
    text: str = Field(description="What the citizen wrote (may be empty with a location or a photo)")
    language: Literal["th", "en"] | None = Field(default=None, description="Explicit reply language")

    @field_validator("text")
    @classmethod
    def _no_control_characters(cls, value: str, info: ValidationInfo) -> str:
        cleaned = _CONTROL.sub("", value).strip()
        if not cleaned and info.data.get("location") is None and not info.data.get("photo_ref"):
            raise ValueError("text is empty")
        return cleaned


class ChatResponse(BaseModel):
    sender: str = Field(description="The conversation id to send with the next message")
    language: Literal["th", "en"]
    status: str
    messages: list[dict[str, Any]]


@router.post(
    "/api/chat",
    response_model=ChatResponse,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ChatRequest.model_json_schema()}},
        }
    },
    responses={
        400: {"description": "Not UTF-8 or not JSON"},
        413: {"description": "Too large"},
        429: {"description": "Too many messages from this conversation or address; see Retry-After"},
    },
)
async def chat(request: Request, runtime: ChatBackendDep) -> ChatResponse:
    check_client(request, runtime.rate_limiter, runtime.chat_limits)  # before the body is read
    limit = runtime.max_message_chars
    parsed = await parse_json_body(request, ChatRequest, max_bytes=limit * 4 + 1024)
    senders = runtime.web_senders
    sender = senders.continue_or_issue(parsed.sender)
    check_conversation(sender, runtime.rate_limiter, runtime.chat_limits)
    if len(parsed.text) > limit:
        raise ApiError(
            422,
            "invalid_request",
            "The request is not valid.",
            [{"field": "text", "problem": f"text is longer than {limit} characters"}],
        )
    client = senders.client_key(client_address(request, runtime.chat_limits.trust_forwarded_for))
    where = (parsed.location.latitude, parsed.location.longitude) if parsed.location else None
    turn = TurnRequest(
        senders.rasa_sender(sender),
        parsed.text,
        "web",
        parsed.language,
        client=client,
        location=where,
        photo_ref=parsed.photo_ref,
    )
    result = await run_turn(
        turn,
        runtime.rasa,
        runtime.fallback,
        runtime.id_vault,
        runtime.typed_picks,
        runtime.turn_recorder,
        desk=runtime.handoff_desk,
        reports=runtime.report_desk,
        citizens=runtime.citizen_desk,
    )
    return ChatResponse(sender=sender, language=result.language, status=result.status.value, messages=result.messages)
