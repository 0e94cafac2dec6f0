"""``POST /api/chat``: one citizen message in, the bot's messages out.

The body is parsed by hand so that every kind of bad input gets its own clear
error: not UTF-8, not JSON, wrong shape, empty or too long text.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Protocol

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator

from conversation.degraded import CatalogueFallback
from conversation.rasa_client import RasaClient
from conversation.turn import TurnRequest, run_turn
from http_api.body import parse_json_body
from http_api.deps import app_runtime
from http_api.errors import ApiError

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


ChatBackendDep = Annotated[ChatBackend, Depends(app_runtime)]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    sender: str = Field(min_length=1, max_length=128, pattern=r"^\S+$", description="Conversation id")
    text: str = Field(min_length=1, description="What the citizen wrote")
    language: Literal["th", "en"] | None = Field(default=None, description="Explicit reply language")

    @field_validator("text")
    @classmethod
    def _no_control_characters(cls, value: str) -> str:
        cleaned = _CONTROL.sub("", value).strip()
        if not cleaned:
            raise ValueError("text is empty")
        return cleaned


class ChatResponse(BaseModel):
    sender: str
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
    responses={400: {"description": "Not UTF-8 or not JSON"}, 413: {"description": "Too large"}},
)
async def chat(request: Request, runtime: ChatBackendDep) -> ChatResponse:
    limit = runtime.max_message_chars
    parsed = await parse_json_body(request, ChatRequest, max_bytes=limit * 4 + 1024)
    if len(parsed.text) > limit:
        raise ApiError(
            422,
            "invalid_request",
            "The request is not valid.",
            [{"field": "text", "problem": f"text is longer than {limit} characters"}],
        )
    result = await run_turn(
        TurnRequest(parsed.sender, parsed.text, "web", parsed.language), runtime.rasa, runtime.fallback
    )
    return ChatResponse(
        sender=result.sender, language=result.language, status=result.status.value, messages=result.messages
    )
