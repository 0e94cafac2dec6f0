"""Reading a raw webhook event into the SDK's model, also when its shape is older than the SDK.

line-bot-sdk 3 requires fields LINE added over the years (``quoteToken`` on texts, stickers and
media, ``stickerResourceType``, ``follow.isUnblocked``, ``mode``, ``webhookEventId``,
``deliveryContext``); events without them exist (LINE's own SDK test fixtures, older accounts,
tools that replay events), and the SDK refuses them. Such an event is still what it is: a text
stays a text and a follow still gets the greeting. So when the SDK refuses an event, the fields
it misses are filled with neutral values (an empty quote token, "not unblocked") and the event
is read again. An event the SDK still cannot read is answered by its raw kind or not at all
(:func:`raw_kind`), never with another kind's reply.
"""

from __future__ import annotations

import copy
import logging
from typing import Any, Literal

from linebot.v3.webhooks import Event

__all__ = ["RawKind", "complete", "parse_event", "raw_kind"]

logger = logging.getLogger(__name__)

RawKind = Literal["unknown_message", "unreadable"]

# Message types whose SDK model requires a quote token (LINE added it in 2023).
_QUOTED = frozenset({"text", "sticker", "image", "video"})
KNOWN_MESSAGE_TYPES = frozenset({"text", "sticker", "image", "video", "audio", "file", "location"})
_EVENT_DEFAULTS: dict[str, Any] = {"mode": "active", "webhookEventId": "", "deliveryContext": {"isRedelivery": False}}


def complete(raw: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``raw`` with the fields the SDK requires and older shapes lack filled in neutrally."""
    event = copy.deepcopy(raw)
    for name, value in _EVENT_DEFAULTS.items():
        if event.get(name) is None:
            event[name] = copy.deepcopy(value)
    kind = event.get("type")
    if kind == "follow" and not isinstance(event.get("follow"), dict):
        event["follow"] = {"isUnblocked": False}
    message = event.get("message")
    if kind == "message" and isinstance(message, dict):
        if message.get("type") in _QUOTED and message.get("quoteToken") is None:
            message["quoteToken"] = ""
        if message.get("type") == "sticker" and message.get("stickerResourceType") is None:
            message["stickerResourceType"] = "STATIC"  # the plainest kind; we never use it
    return event


def parse_event(raw: dict[str, Any]) -> Any | None:
    """The SDK's model of ``raw`` (completed if need be); None when it cannot be read at all."""
    try:
        return Event.from_dict(raw)
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        first = error
    try:
        event = Event.from_dict(complete(raw))
    except (ValueError, TypeError, KeyError, AttributeError):
        logger.warning("LINE event of type %r not understood: %s", raw.get("type"), str(first)[:200])
        return None
    logger.info("LINE event of type %r read after filling in fields the SDK requires", raw.get("type"))
    return event


def raw_kind(raw: dict[str, Any]) -> RawKind:
    """What an event the SDK cannot read is: a message of a type we do not know (answered with
    "please type your question"), or something we cannot trust our reading of (not answered)."""
    message = raw.get("message")
    if raw.get("type") == "message" and isinstance(message, dict):
        kind = message.get("type")  # any JSON value: a list or an object is no known type either
        if not (isinstance(kind, str) and kind in KNOWN_MESSAGE_TYPES):
            return "unknown_message"
    return "unreadable"
