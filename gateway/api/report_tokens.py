"""Which outside system is calling: the bearer token against ``settings.reports.status_api_tokens``.

Shared by the routes outside case systems call (the Traffy Fondue webhook; the status API may use it
too), so the rules are one: no tokens configured is 503 (nothing outside may change a status), a
missing or unknown token is 401, and tokens are compared in constant time.
"""

from __future__ import annotations

import hmac

from fastapi import Request

from conversation.reports.settings import ReportsSettings
from http_api.errors import ApiError

__all__ = ["external_system"]


def external_system(request: Request, settings: ReportsSettings, only: str | None = None) -> str:
    """The name of the system whose token the request carries (``only``: that system's token alone)."""
    tokens = {name: secret.get_secret_value() for name, secret in settings.status_api_tokens.items()}
    tokens = {name: token for name, token in tokens.items() if token and (only is None or name == only)}
    if not tokens:
        raise ApiError(
            503,
            "not_configured",
            "No outside system may change a report's status on this server"
            + (f": set CITIZENBOT_REPORTS__STATUS_API_TOKENS with a token for {only!r}." if only else "."),
        )
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    given = given.strip()
    matched = None
    for name, token in tokens.items():  # every token compared, so the time does not tell which was close
        if hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8")) and scheme.lower() == "bearer":
            matched = name
    if matched is None:
        raise ApiError(401, "unauthorized", "A valid bearer token is required.")
    return matched
