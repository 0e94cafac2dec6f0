"""``/admin/api/session`` and ``/admin/api/me``: signing staff in and out, and who is signed in.

``POST /admin/api/session`` takes ``{"name", "password"}``, sets the session cookie and returns the
account with the session's CSRF token; ``DELETE`` signs this session out; ``POST .../everywhere``
ends every session of the account. ``GET /admin/api/audit`` lists the audit log (``manage_users``).
Sign-in attempts are limited per client address (``backoffice.sign_in_count`` per
``sign_in_seconds``), on top of the per-account lock-out.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from backoffice.accounts.http_auth import (
    StaffBackendDep,
    StaffDep,
    clear_session_cookie,
    cookie_name,
    require_permission,
    set_session_cookie,
)
from backoffice.accounts.messages import SignInRateLimitedError, staff_error
from backoffice.accounts.passwords import MAX_PASSWORD_CHARS
from backoffice.accounts.service import AccountLockedError, InvalidCredentialsError, Principal, csrf_token_for
from http_api.body import parse_json_body
from http_api.rate_limits import Limit, client_address

__all__ = ["MeOut", "SessionOut", "SignInRequest", "router"]

router = APIRouter(prefix="/admin/api", tags=["staff"])
_MAX_SIGN_IN_BYTES = 4 * 1024


class SignInRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1, max_length=64, description="The account name")
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_CHARS)


class MeOut(BaseModel):
    name: str
    display_name: str
    role: str
    permissions: list[str]
    via: str = Field(description="session (a browser's cookie) or token (Authorization: Bearer)")
    csrf_token: str | None = Field(default=None, description="Send as X-CSRF-Token on unsafe requests (session only)")


class SessionOut(MeOut):
    expires_at: str = Field(description="When the session ends at the latest (it ends sooner when left idle)")


def _me(principal: Principal, csrf_token: str | None) -> dict[str, Any]:
    return {**principal.to_dict(), "csrf_token": csrf_token}


@router.post("/session", response_model=SessionOut)
async def sign_in(request: Request, response: Response, backend: StaffBackendDep) -> SessionOut:
    accounts = backend.staff_accounts
    settings = accounts.settings
    address = client_address(request, backend.trust_forwarded_for)
    wait = backend.rate_limiter.hit("staff-sign-in", address, Limit(settings.sign_in_count, settings.sign_in_seconds))
    if wait is not None:
        raise SignInRateLimitedError(wait)
    body = await parse_json_body(request, SignInRequest, _MAX_SIGN_IN_BYTES)
    user_agent = request.headers.get("user-agent", "")
    try:
        signed = await run_in_threadpool(
            partial(accounts.sign_in, body.name, body.password, user_agent=user_agent, address=address)
        )
    except InvalidCredentialsError as error:
        raise staff_error("invalid_credentials") from error
    except AccountLockedError as error:
        seconds = max(1, math.ceil((error.until - accounts.now()).total_seconds()))
        until = error.until.strftime("%H:%M")
        raise staff_error(
            "account_locked",
            {"locked_until": error.until.isoformat(), "retry_after_seconds": seconds},
            until=until,
            minutes=max(1, math.ceil(seconds / 60)),
        ) from error
    set_session_cookie(response, settings, signed.session_id)
    return SessionOut(**_me(signed.principal, signed.csrf_token), expires_at=signed.expires_at.isoformat())


@router.delete("/session", status_code=204)
async def sign_out(request: Request, backend: StaffBackendDep, principal: StaffDep) -> Response:
    accounts = backend.staff_accounts
    address = client_address(request, backend.trust_forwarded_for)
    await run_in_threadpool(accounts.sign_out, principal, address)
    response = Response(status_code=204)
    clear_session_cookie(response, accounts.settings)
    return response


@router.post("/session/everywhere", status_code=204)
async def sign_out_everywhere(request: Request, backend: StaffBackendDep, principal: StaffDep) -> Response:
    """End every session of the signed-in account, on every device (a lost laptop, a shared computer)."""
    accounts = backend.staff_accounts
    address = client_address(request, backend.trust_forwarded_for)
    await run_in_threadpool(partial(accounts.sign_out_everywhere, principal.name, by=principal.name, address=address))
    response = Response(status_code=204)
    clear_session_cookie(response, accounts.settings)
    return response


@router.get("/me", response_model=MeOut)
def me(request: Request, backend: StaffBackendDep, principal: StaffDep) -> MeOut:
    """Who is signed in, with the session's CSRF token again (a reloaded page needs it)."""
    session_id = request.cookies.get(cookie_name(backend.staff_accounts.settings))
    token = csrf_token_for(session_id) if principal.via == "session" and session_id else None
    return MeOut(**_me(principal, token))


@router.get("/audit")
def audit_log(
    backend: StaffBackendDep,
    _admin: Annotated[Principal, Depends(require_permission("manage_users"))],
    account: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=64, description="An action or its prefix, e.g. sign_in.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """The newest audit entries first: sign-ins, sign-outs, account and token changes, catalogue changes."""
    entries = backend.staff_accounts.store.audit_entries(account=account, action=action, limit=limit)
    return [entry.to_dict() for entry in entries]
