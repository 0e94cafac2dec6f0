"""Who is asking: the dependencies other routers use to require a signed-in account and a permission.

Two ways in. ``Authorization: Bearer <account token>`` for automation: no cookie, so no CSRF risk and
no CSRF token. A session cookie for people in a browser: HTTP-only, ``SameSite=Strict``, ``Secure``
unless ``backoffice.cookie_secure`` is off; an unsafe request (POST, PUT, PATCH, DELETE) on a cookie
must also carry the session's CSRF token (``X-CSRF-Token`` header or a ``csrf_token`` field of an
urlencoded form), compared in constant time. SameSite=Strict already keeps other sites' requests from
carrying the cookie; the token is the second lock for browsers and proxies that do not honour it.

Routers depend on the runtime's shape (:class:`StaffBackend`), never on the gateway (ADR 0006).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Protocol
from urllib.parse import parse_qs

from fastapi import Depends, Request, Response
from fastapi.concurrency import run_in_threadpool

from backoffice.accounts.messages import staff_error
from backoffice.accounts.roles import Permission
from backoffice.accounts.service import Principal, StaffAccounts, csrf_matches
from backoffice.settings import BackofficeSettings
from http_api.deps import app_runtime
from http_api.rate_limits import RateLimiter

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "StaffBackend",
    "StaffBackendDep",
    "StaffDep",
    "authenticate",
    "bearer_principal",
    "cookie_name",
    "require_permission",
    "require_staff",
]

CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
_UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_MAX_FORM_BYTES = 64 * 1024


class StaffBackend(Protocol):
    """What the staff routes use of the gateway's runtime."""

    @property
    def staff_accounts(self) -> StaffAccounts: ...

    @property
    def rate_limiter(self) -> RateLimiter: ...

    @property
    def trust_forwarded_for(self) -> bool: ...


StaffBackendDep = Annotated[StaffBackend, Depends(app_runtime)]


def cookie_name(settings: BackofficeSettings) -> str:
    """``__Host-`` makes browsers refuse the cookie unless it is Secure, host-only and for path ``/``,
    so no sibling subdomain can plant one; plain http (development) cannot use the prefix."""
    return "__Host-citizenbot_staff" if settings.cookie_secure else "citizenbot_staff"


def set_session_cookie(response: Response, settings: BackofficeSettings, session_id: str) -> None:
    """The session cookie, the same for the API's and the pages' sign-in: HTTP-only, strict same-site."""
    response.set_cookie(
        cookie_name(settings),
        session_id,
        max_age=int(settings.session_hours * 3600),
        path="/",
        secure=settings.cookie_secure,
        httponly=True,
        samesite="strict",
    )


def clear_session_cookie(response: Response, settings: BackofficeSettings) -> None:
    response.delete_cookie(
        cookie_name(settings), path="/", secure=settings.cookie_secure, httponly=True, samesite="strict"
    )


async def bearer_principal(accounts: StaffAccounts, authorization: str) -> Principal:
    """The account behind ``Authorization: Bearer <token>``; 401 ``invalid_token`` otherwise."""
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise staff_error("invalid_token")
    principal = await run_in_threadpool(accounts.token_principal, token)
    if principal is None:
        raise staff_error("invalid_token")
    return principal


async def _form_csrf(request: Request) -> str | None:
    """The ``csrf_token`` field of an urlencoded form (a page's plain <form method=post>)."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return None
    body = await request.body()
    if len(body) > _MAX_FORM_BYTES:
        return None
    values = parse_qs(body.decode("utf-8", "replace")).get(CSRF_FIELD)
    return values[0] if values else None


async def authenticate(request: Request, backend: StaffBackend) -> Principal:
    """The signed-in account of the request (token or session + CSRF); raises the 401/403 ApiErrors."""
    accounts = backend.staff_accounts
    authorization = request.headers.get("authorization")
    if authorization is not None:
        return await bearer_principal(accounts, authorization)
    session_id = request.cookies.get(cookie_name(accounts.settings))
    if not session_id:
        raise staff_error("sign_in_required")
    principal = await run_in_threadpool(accounts.session_principal, session_id)
    if principal is None:
        raise staff_error("session_ended")
    if request.method in _UNSAFE_METHODS:
        given = request.headers.get(CSRF_HEADER) or await _form_csrf(request)
        if not given or not csrf_matches(session_id, given):
            raise staff_error("csrf_failed")
    return principal


async def require_staff(request: Request, backend: StaffBackendDep) -> Principal:
    """Any signed-in, active account."""
    return await authenticate(request, backend)


StaffDep = Annotated[Principal, Depends(require_staff)]


def require_permission(permission: Permission) -> Callable[[Request, StaffBackend], Awaitable[Principal]]:
    """A dependency: the signed-in account, if its role grants ``permission``; else 401 or 403.

    ``Annotated[Principal, Depends(require_permission("publish"))]`` in a route's parameters."""

    async def dependency(request: Request, backend: StaffBackendDep) -> Principal:
        principal = await authenticate(request, backend)
        if not principal.can(permission):
            raise staff_error(
                "forbidden", {"missing_permission": permission}, role=principal.role, permission=permission
            )
        return principal

    dependency.__name__ = f"require_{permission}"
    return dependency
