"""How much one conversation and one client address may send to ``/api/chat``.

The client's address is checked before the body is read, so a flood costs the gateway
almost nothing; the conversation is checked once the body says which one it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from http_api.rate_limits import Limit, RateLimiter, client_address, enforce

__all__ = ["WIDGET_POLLS", "ChatLimits", "check_client", "check_conversation", "check_poll"]

_CLIENT = "web-chat-client"
_CONVERSATION = "web-chat-conversation"
# The widget's polls (hand-off state every 2 s, report notices and reminders every 10 s): a few tabs
# or an office behind one address fit, a flood does not. Counted per poll, apart from the chat's own
# limit, which is for messages.
WIDGET_POLLS = Limit(600, 60)


@dataclass(frozen=True)
class ChatLimits:
    per_conversation: Limit
    per_client: Limit
    trust_forwarded_for: bool = False  # only behind a reverse proxy that sets X-Forwarded-For


def check_client(request: Request, limiter: RateLimiter, limits: ChatLimits) -> None:
    enforce(limiter, _CLIENT, client_address(request, limits.trust_forwarded_for), limits.per_client)


def check_conversation(sender: str, limiter: RateLimiter, limits: ChatLimits) -> None:
    enforce(limiter, _CONVERSATION, sender, limits.per_conversation)


def check_poll(request: Request, limiter: RateLimiter, limits: ChatLimits, surface: str) -> None:
    """Count one of the widget's polls (``surface``: which one) against its client address."""
    enforce(limiter, surface, client_address(request, limits.trust_forwarded_for), WIDGET_POLLS)
