"""Web conversation ids that only the gateway can make, and a pseudonym for a client's address.

A web client used to choose its own ``sender``, so one that sent a known LINE user id (or another
browser's id) continued that citizen's conversation. Now the gateway issues the id: 16 random bytes
and an HMAC-SHA256 signature of them with a key of its own, ``<random>.<signature>`` in URL-safe
base64. A request that brings anything else (nothing, a LINE id, a guess, a forged signature) starts
a new conversation; nothing about the old one tells a client whether its guess was close.

The same key, with a different label, turns a client's IP address into a stable pseudonym
(:meth:`SenderIds.client_key`), so the status check can count attempts per client without the
address ever reaching Rasa's tracker or our stores.

Rotating the key (``CITIZENBOT_WEB__SENDER_KEY`` or ``var/secrets/web_sender_key``) ends every open
web conversation: each continues as a new one on its next message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from http_api.errors import ApiError

__all__ = ["RASA_NAMESPACE", "SenderIds", "unknown_conversation"]

# The web's conversations in Rasa are `web:<issued id>`; LINE's are `line:<user, group or room id>`.
RASA_NAMESPACE = "web"

_RANDOM_BYTES = 16  # 128 bits: not guessable, and 22 characters
_ID = re.compile(r"^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$")
_SENDER_LABEL = b"citizenbot web sender v1\x00"
_CLIENT_LABEL = b"citizenbot client key v1\x00"
_MIN_KEY_BYTES = 16


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class SenderIds:
    """Issues and checks web conversation ids; one per gateway, built from the sender key."""

    def __init__(self, key: str | bytes) -> None:
        secret = key.encode("utf-8") if isinstance(key, str) else key
        if len(secret) < _MIN_KEY_BYTES:
            raise ValueError(f"the web sender key needs at least {_MIN_KEY_BYTES} bytes")
        self._key = secret

    def _sign(self, random_part: str) -> str:
        return _b64(hmac.new(self._key, _SENDER_LABEL + random_part.encode("ascii"), hashlib.sha256).digest())

    def issue(self) -> str:
        """A new conversation id, signed."""
        random_part = _b64(secrets.token_bytes(_RANDOM_BYTES))
        return f"{random_part}.{self._sign(random_part)}"

    def verify(self, candidate: object) -> str | None:
        """``candidate`` when this gateway issued it, else None (absent, wrong shape, bad signature)."""
        if not isinstance(candidate, str) or not _ID.fullmatch(candidate):
            return None
        random_part, signature = candidate.split(".")
        return candidate if hmac.compare_digest(signature, self._sign(random_part)) else None

    def continue_or_issue(self, candidate: object) -> str:
        """The conversation to answer in: the one the client named if it is ours, else a new one."""
        return self.verify(candidate) or self.issue()

    def client_key(self, address: str) -> str:
        """A stable pseudonym for a client's address: counts attempts per client, never shows the address."""
        digest = hmac.new(self._key, _CLIENT_LABEL + address.encode("utf-8"), hashlib.sha256).digest()
        return f"web-client:{_b64(digest[:18])}"

    @staticmethod
    def rasa_sender(issued: str) -> str:
        """The id Rasa knows this conversation by: namespaced, so it cannot name another channel's."""
        return f"{RASA_NAMESPACE}:{issued}"


def unknown_conversation() -> ApiError:
    """The 404 for a conversation id the gateway did not issue (or whose desk is not running): the
    same answer from every web route, so none tells a guesser more than another."""
    return ApiError(
        404,
        "unknown_conversation",
        "This conversation is not known.",
        {"messages": {"th": "ไม่พบบทสนทนานี้", "en": "This conversation is not known."}},
    )
