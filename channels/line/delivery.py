"""Sending to LINE: reply with the reply token first, push when that cannot work.

A reply is free but its token is single-use and expires about a minute after
the event; a slow turn, a redelivered event or a LINE hiccup makes it fail.
Then the same messages are pushed to the chat, with a retry key so LINE never
delivers a retried push twice. The loading animation tells a waiting citizen
that an answer is coming.
"""

from __future__ import annotations

import logging
import uuid
from typing import Literal

from linebot.v3.messaging import (
    AsyncMessagingApi,
    Message,
    PushMessageRequest,
    ReplyMessageRequest,
    ShowLoadingAnimationRequest,
)

from channels.line.render import MAX_MESSAGES

__all__ = ["LOADING_SECONDS", "LineMessenger", "Outcome"]

logger = logging.getLogger(__name__)

LOADING_SECONDS = 20  # LINE accepts 5..60 in steps of 5; it stops early when our answer arrives
Outcome = Literal["replied", "pushed", "failed", "skipped"]


def _describe(error: Exception) -> str:
    status = getattr(error, "status", None)
    body = getattr(error, "body", None)
    if status is not None:
        return f"HTTP {status}: {str(body)[:300]}"
    return f"{type(error).__name__}: {error}"


class LineMessenger:
    """A thin, failure-tolerant layer over the SDK's async Messaging API client."""

    def __init__(self, api: AsyncMessagingApi) -> None:
        self._api = api

    async def show_loading(self, user_id: str, seconds: int = LOADING_SECONDS) -> bool:
        """Start the "typing" animation in a one-to-one chat; failures only cost the animation."""
        try:
            await self._api.show_loading_animation(
                ShowLoadingAnimationRequest(chat_id=user_id, loading_seconds=seconds)
            )
        except Exception as error:
            logger.info("LINE loading animation not shown: %s", _describe(error))
            return False
        return True

    async def send(self, to: str | None, reply_token: str | None, messages: list[Message]) -> Outcome:
        """Reply if we can, else push to ``to``; never raises."""
        if not messages:
            return "skipped"
        if len(messages) > MAX_MESSAGES:  # render.fit_messages keeps this from happening
            logger.error("refusing to send %d LINE messages in one request", len(messages))
            messages = messages[:MAX_MESSAGES]
        if reply_token:
            try:
                await self._api.reply_message(ReplyMessageRequest(reply_token=reply_token, messages=messages))
            except Exception as error:
                logger.info("LINE reply failed (%s); pushing instead", _describe(error))
            else:
                return "replied"
        if not to:
            logger.warning("LINE reply failed and there is no chat to push to; the answer is lost")
            return "failed"
        try:
            await self._api.push_message(
                PushMessageRequest(to=to, messages=messages), x_line_retry_key=str(uuid.uuid4())
            )
        except Exception as error:
            logger.error("LINE push failed: %s", _describe(error))
            return "failed"
        return "pushed"
