"""``X-Line-Signature``: base64 HMAC-SHA256 of the raw request body, keyed by the channel secret.

Checked on the exact bytes LINE sent, before anything is decoded or parsed, in
constant time, so a forged request is refused without being looked at.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

__all__ = ["compute_signature", "signature_is_valid"]


def compute_signature(channel_secret: str, body: bytes) -> str:
    digest = hmac.new(channel_secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signature_is_valid(channel_secret: str, body: bytes, signature: str) -> bool:
    expected = compute_signature(channel_secret, body).encode("ascii")
    try:
        given = signature.strip().encode("ascii")
    except UnicodeEncodeError:  # a header with non-ASCII bytes is forged by definition
        return False
    return hmac.compare_digest(expected, given)
