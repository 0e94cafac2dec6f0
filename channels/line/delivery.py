"""Sending to LINE: reply with the reply token first, push when that cannot work, and never twice.

A reply is free but its token is single-use and expires about a minute after the event; a slow
turn, a late restart or a LINE hiccup makes it fail. Then the same messages are pushed to the
chat with the event's retry key: LINE accepts a push with a given ``X-Line-Retry-Key`` once and
answers 409 to any repeat, so a retried push is never delivered twice.

Exactly one answer per event, also across a crash (the queue's delivery marks, see
:mod:`channels.line.queue`):
- before replying the worker records "replying", before pushing "pushing";
- a worker that takes over an event marked "pushing" pushes again with the same retry key (LINE
  drops the repeat, so this is exactly once);
- one marked "replying" replies again with the same token: a token LINE already used is refused,
  so this cannot answer twice either; if LINE refuses it, the first reply may have arrived, and we
  do not push (at most once; the window is the few milliseconds between a reply and its
  acknowledgement);
- a reply that times out or gets a 5xx may have been delivered, so it is not followed by a push
  either; a 4xx (expired or used token, a refused message) or no connection at all means nothing
  was delivered, and the push follows.
Every call carries a timeout (the SDK's default is 300 s).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Literal, Protocol

import aiohttp
from linebot.v3.messaging import (
    AsyncMessagingApi,
    Message,
    PushMessageRequest,
    ReplyMessageRequest,
    ShowLoadingAnimationRequest,
)

from channels.line.queue import Stage
from channels.line.render import MAX_MESSAGES

__all__ = [
    "DEFAULT_TIMEOUT_SECONDS",
    "LOADING_SECONDS",
    "DeliveryGuard",
    "LineMessenger",
    "Outcome",
    "PushOnce",
    "line_target",
]

logger = logging.getLogger(__name__)

LOADING_SECONDS = 20  # LINE accepts 5..60 in steps of 5; it stops early when our answer arrives
DEFAULT_TIMEOUT_SECONDS = 10.0
_PUSH_TRIES = 3  # a push with a retry key is safe to repeat
_PUSH_PAUSE_SECONDS = 0.5
Outcome = Literal["replied", "pushed", "failed", "skipped", "unsure", "lease_lost"]


class DeliveryGuard(Protocol):
    """What the queue tells the messenger about one event (:class:`channels.line.worker.QueuedDelivery`)."""

    @property
    def retry_key(self) -> str: ...

    @property
    def previous_stage(self) -> Stage | None: ...

    async def mark(self, stage: Stage) -> bool:
        """Record the stage before sending; False when this worker no longer holds the event."""
        ...

    def record(self, outcome: str) -> None:
        """What became of the answer (kept with the acknowledged event)."""
        ...


class PushOnce:
    """The guard for a push with a stable retry key and no queue behind it (report notices, reminders):
    the key is ``key`` in the sender's own ``namespace``, so a replica that pushed and died before
    recording it makes the same key again, and LINE drops the repeat."""

    def __init__(self, namespace: uuid.UUID, key: str) -> None:
        self._key = str(uuid.uuid5(namespace, key))

    @property
    def retry_key(self) -> str:
        return self._key

    @property
    def previous_stage(self) -> Stage | None:
        return None

    async def mark(self, stage: Stage) -> bool:
        return True

    def record(self, outcome: str) -> None:
        return None


def line_target(sender_id: str) -> str | None:
    """The user, group or room id a conversation id ``line:<id>`` names (channels/line/events.py Chat); None
    for another channel's conversation."""
    return (sender_id.removeprefix("line:") or None) if sender_id.startswith("line:") else None


def _describe(error: BaseException) -> str:
    status = getattr(error, "status", None)
    body = getattr(error, "body", None)
    if status is not None:
        return f"HTTP {status}: {str(body)[:300]}"
    if isinstance(error, TimeoutError):
        return "no answer within the timeout"
    return f"{type(error).__name__}: {error}"


def _not_delivered(error: BaseException) -> bool:
    """True when LINE certainly did not deliver: it refused (4xx) or was never reached."""
    status = getattr(error, "status", None)
    if isinstance(status, int):
        return 400 <= status < 500
    return isinstance(error, aiohttp.ClientConnectorError)


class LineMessenger:
    """A thin, failure-tolerant layer over the SDK's async Messaging API client."""

    def __init__(self, api: AsyncMessagingApi, timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self._api = api
        self.timeout_seconds = timeout_seconds

    async def show_loading(self, user_id: str, seconds: int = LOADING_SECONDS) -> bool:
        """Start the "typing" animation in a one-to-one chat; failures only cost the animation."""
        try:
            await self._api.show_loading_animation(
                ShowLoadingAnimationRequest(chat_id=user_id, loading_seconds=seconds),
                _request_timeout=self.timeout_seconds,
            )
        except Exception as error:
            logger.info("LINE loading animation not shown: %s", _describe(error))
            return False
        return True

    async def send(
        self, to: str | None, reply_token: str | None, messages: list[Message], guard: DeliveryGuard | None = None
    ) -> Outcome:
        """Reply if we can, else push to ``to``; never raises."""
        outcome = await self._send(to, reply_token, messages, guard)
        if guard is not None:
            guard.record(outcome)
        return outcome

    async def _send(
        self, to: str | None, reply_token: str | None, messages: list[Message], guard: DeliveryGuard | None
    ) -> Outcome:
        if not messages:
            return "skipped"
        if len(messages) > MAX_MESSAGES:  # render.fit_messages keeps this from happening
            logger.error("refusing to send %d LINE messages in one request", len(messages))
            messages = messages[:MAX_MESSAGES]
        previous = guard.previous_stage if guard else None
        if reply_token and previous != "pushing":
            if guard and previous is None and not await guard.mark("replying"):
                return _lease_lost()
            try:
                await self._api.reply_message(
                    ReplyMessageRequest(reply_token=reply_token, messages=messages),
                    _request_timeout=self.timeout_seconds,
                )
            except Exception as error:
                if previous == "replying":
                    logger.warning(
                        "LINE reply after a restart failed (%s); not pushed, since the first reply may have arrived",
                        _describe(error),
                    )
                    return "unsure"
                if not _not_delivered(error):
                    logger.warning(
                        "LINE reply outcome unknown (%s); not pushed, to avoid a duplicate", _describe(error)
                    )
                    return "unsure"
                logger.info("LINE reply failed (%s); pushing instead", _describe(error))
            else:
                return "replied"
        if not to:
            logger.warning("LINE reply failed and there is no chat to push to; the answer is lost")
            return "failed"
        if guard and previous != "pushing" and not await guard.mark("pushing"):
            return _lease_lost()
        return await self._push(to, messages, guard.retry_key if guard else str(uuid.uuid4()))

    async def _push(self, to: str, messages: list[Message], retry_key: str) -> Outcome:
        for attempt in range(1, _PUSH_TRIES + 1):
            try:
                await self._api.push_message(
                    PushMessageRequest(to=to, messages=messages),
                    x_line_retry_key=retry_key,
                    _request_timeout=self.timeout_seconds,
                )
            except Exception as error:
                if getattr(error, "status", None) == 409:  # LINE accepted this retry key before
                    logger.info("LINE push was already accepted earlier (retry key); not sent again")
                    return "pushed"
                status = getattr(error, "status", None)
                if (isinstance(status, int) and 400 <= status < 500) or attempt == _PUSH_TRIES:
                    logger.error("LINE push failed: %s", _describe(error))
                    return "failed"
                logger.info("LINE push failed (%s); trying again with the same retry key", _describe(error))
                await asyncio.sleep(_PUSH_PAUSE_SECONDS * attempt)
            else:
                return "pushed"
        return "failed"


def _lease_lost() -> Outcome:
    logger.warning("another worker took this LINE event over; not sending")
    return "lease_lost"
