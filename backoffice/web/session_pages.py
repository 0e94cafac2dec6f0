"""``/admin``, ``/admin/sign-in``, ``/admin/sign-out`` and ``/admin/lang/{lang}``: getting in and out, and the language.

Signing in goes through :meth:`StaffAccounts.sign_in` like ``POST /admin/api/session`` (same lock-out,
same per-address limit, same audit entries and cookie). Before a session exists, a double-submit token
(a random cookie repeated in the form) keeps other sites from posting the form.
"""

from __future__ import annotations

import hmac
import math
import secrets
from functools import partial

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from backoffice.accounts.http_auth import clear_session_cookie, set_session_cookie
from backoffice.accounts.messages import staff_error
from backoffice.accounts.service import AccountLockedError, InvalidCredentialsError
from backoffice.web.backend import PageBackendDep
from backoffice.web.messages import LANGUAGES
from backoffice.web.pages import LANG_COOKIE, PageContext, PageRoute, page_context, render
from http_api.rate_limits import Limit, client_address

__all__ = ["router"]

router = APIRouter(prefix="/admin", route_class=PageRoute, include_in_schema=False)
_FORM_COOKIE = "citizenbot_admin_form"


def _safe_next(value: str | None) -> str:
    """Only a back-office path: never an open redirect to another site."""
    if value and value.startswith("/admin") and not value.startswith("//") and "\\" not in value:
        return value
    return "/admin/catalogue"


def _home(context: PageContext) -> str:
    if context.can("edit"):
        return "/admin/catalogue"
    if context.can("handoff"):
        return "/admin/inbox"  # an agent's work is the inbox
    return "/admin/analytics" if context.can("analytics") else "/admin/catalogue"


@router.get("")
async def home(request: Request, backend: PageBackendDep) -> Response:
    context = await page_context(request, backend)
    return RedirectResponse(_home(context), status_code=303)


def _sign_in_page(
    context: PageContext, next_path: str, *, name: str = "", problem: str | None = None, status: int = 200
) -> Response:
    token = context.request.cookies.get(_FORM_COOKIE) or secrets.token_urlsafe(24)
    response = render(
        context, "sign_in.html", status=status, form_token=token, next=next_path, name=name, problem=problem
    )
    secure = context.backend.staff_accounts.settings.cookie_secure
    response.set_cookie(
        _FORM_COOKIE, token, max_age=3600, path="/admin", secure=secure, httponly=True, samesite="strict"
    )
    return response


@router.get("/sign-in")
async def sign_in_page(request: Request, backend: PageBackendDep, next: str | None = None) -> Response:
    context = await page_context(request, backend, signed_in=False)
    if context.principal is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _sign_in_page(context, _safe_next(next))


@router.post("/sign-in")
async def sign_in(request: Request, backend: PageBackendDep) -> Response:
    context = await page_context(request, backend, signed_in=False)
    assert context.form is not None
    form = context.form
    next_path = _safe_next(form.get("next"))
    name = form.get("name")
    expected = request.cookies.get(_FORM_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, form.get("form_token")):
        return _sign_in_page(context, next_path, name=name, problem=context.t("sign_in.expired_form"), status=403)
    password = form.raw("password")
    if not name or not password:
        return _sign_in_page(context, next_path, name=name, problem=context.t("sign_in.missing"), status=400)
    accounts = backend.staff_accounts
    settings = accounts.settings
    address = client_address(request, backend.trust_forwarded_for)
    wait = backend.rate_limiter.hit("staff-sign-in", address, Limit(settings.sign_in_count, settings.sign_in_seconds))
    if wait is not None:
        problem = context.t("sign_in.too_many", seconds=max(1, math.ceil(wait)))
        return _sign_in_page(context, next_path, name=name, problem=problem, status=429)
    user_agent = request.headers.get("user-agent", "")
    try:
        signed = await run_in_threadpool(
            partial(accounts.sign_in, name, password, user_agent=user_agent, address=address)
        )
    except InvalidCredentialsError:
        problem = staff_error("invalid_credentials").details["messages"][context.lang]
        return _sign_in_page(context, next_path, name=name, problem=problem, status=401)
    except AccountLockedError as error:
        seconds = max(1, math.ceil((error.until - accounts.now()).total_seconds()))
        refusal = staff_error(
            "account_locked", until=error.until.strftime("%H:%M"), minutes=max(1, math.ceil(seconds / 60))
        )
        return _sign_in_page(
            context, next_path, name=name, problem=refusal.details["messages"][context.lang], status=423
        )
    response = RedirectResponse(next_path, status_code=303)
    set_session_cookie(response, settings, signed.session_id)
    response.delete_cookie(_FORM_COOKIE, path="/admin")
    return response


@router.post("/sign-out")
async def sign_out(request: Request, backend: PageBackendDep) -> Response:
    context = await page_context(request, backend)
    assert context.principal is not None
    address = client_address(request, backend.trust_forwarded_for)
    await run_in_threadpool(backend.staff_accounts.sign_out, context.principal, address)
    response = RedirectResponse("/admin/sign-in", status_code=303)
    clear_session_cookie(response, backend.staff_accounts.settings)
    return response


@router.get("/lang/{lang}")
async def switch_language(lang: str, next: str | None = None) -> Response:
    """Remember the language for a year and go back to the page the person was on."""
    response = RedirectResponse(_safe_next(next), status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, path="/admin", samesite="lax")
    return response
