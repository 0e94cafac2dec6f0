"""The dashboard's signed link: who it is for and until when, so the page needs no sign-in.

``/my_services`` gives the citizen a link ``/me?t=<token>`` that opens their dashboard for
``settings.citizens.dashboard_link_minutes``. The token is sealed, not only signed: the citizen id in
it is a conversation id (``line:U...``, or the web widget's own conversation id, which continues
that chat), so it must not be readable from a link that ends up in a browser history or a proxy log.
Without it, a leaked link opens the dashboard until it expires, and no longer.

Why no library: itsdangerous is not installed and ``cryptography`` neither; the standard library's
HMAC-SHA256 gives both parts. The id is XORed with an HMAC-SHA256 keystream over a random nonce
(a PRF in counter mode), then nonce, expiry and ciphertext are authenticated with HMAC-SHA256
under a second key derived from the same secret (encrypt-then-MAC). A token that does not verify is
:class:`TamperedLinkError`; one past its time is :class:`ExpiredLinkError` (checked after the
signature, so an expiry is only ever reported for a link we issued).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import struct

__all__ = ["DashboardLinks", "ExpiredLinkError", "LinkError", "TamperedLinkError"]

_VERSION = b"\x01"
_NONCE = 16
_TAG = 32
_MAX_ID = 255  # bytes: citizen ids are at most 160 characters
_MAX_TOKEN = 512


class LinkError(Exception):
    """The link does not open a dashboard."""


class TamperedLinkError(LinkError):
    """Not a link this gateway issued (changed, cut short, or signed with another key)."""


class ExpiredLinkError(LinkError):
    """A link this gateway issued, past its time."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class DashboardLinks:
    """Seal and open dashboard tokens with one secret."""

    def __init__(self, secret: str, minutes: float) -> None:
        if len(secret) < 16:
            raise ValueError("the dashboard link secret is too short (at least 16 characters)")
        root = secret.encode("utf-8")
        self._seal_key = hmac.new(root, b"citizenbot dashboard link: seal", hashlib.sha256).digest()
        self._sign_key = hmac.new(root, b"citizenbot dashboard link: sign", hashlib.sha256).digest()
        self.lifetime = dt.timedelta(minutes=minutes)

    def token(self, citizen_id: str, *, now: dt.datetime) -> str:
        """A token for ``citizen_id`` that opens the dashboard until ``now`` plus the lifetime."""
        plain = citizen_id.encode("utf-8")
        if not plain or len(plain) > _MAX_ID:
            raise ValueError("a citizen id of 1 to 255 bytes")
        nonce = secrets.token_bytes(_NONCE)
        expires = struct.pack(">Q", int((now + self.lifetime).timestamp()))
        sealed = bytes(a ^ b for a, b in zip(plain, self._keystream(nonce, len(plain)), strict=True))
        body = _VERSION + nonce + expires + sealed
        return _b64(body + hmac.new(self._sign_key, body, hashlib.sha256).digest())

    def expires_at(self, *, now: dt.datetime) -> dt.datetime:
        return now + self.lifetime

    def open(self, token: str, *, now: dt.datetime) -> tuple[str, dt.datetime]:
        """The citizen id the token is for and when it expires; :class:`LinkError` otherwise."""
        if not token or len(token) > _MAX_TOKEN:
            raise TamperedLinkError("no token, or far too long")
        try:
            raw = _unb64(token)
        except (ValueError, TypeError) as error:
            raise TamperedLinkError("not base64url") from error
        if len(raw) < 1 + _NONCE + 8 + 1 + _TAG or raw[:1] != _VERSION:
            raise TamperedLinkError("not a dashboard token")
        body, tag = raw[:-_TAG], raw[-_TAG:]
        if not hmac.compare_digest(tag, hmac.new(self._sign_key, body, hashlib.sha256).digest()):
            raise TamperedLinkError("the signature does not match")
        nonce, expires, sealed = body[1 : 1 + _NONCE], body[1 + _NONCE : 9 + _NONCE], body[9 + _NONCE :]
        expires_at = dt.datetime.fromtimestamp(struct.unpack(">Q", expires)[0], dt.UTC)
        if expires_at <= now:
            raise ExpiredLinkError(f"expired at {expires_at.isoformat()}")
        plain = bytes(a ^ b for a, b in zip(sealed, self._keystream(nonce, len(sealed)), strict=True))
        return plain.decode("utf-8"), expires_at

    def _keystream(self, nonce: bytes, size: int) -> bytes:
        blocks = (
            hmac.new(self._seal_key, nonce + struct.pack(">I", counter), hashlib.sha256).digest()
            for counter in range(-(-size // 32))
        )
        return b"".join(blocks)[:size]
