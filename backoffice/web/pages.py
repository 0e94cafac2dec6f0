"""The request's page context: who is signed in, in which language, and rendering a template for them.

Pages use the API's session cookie (backoffice/accounts/http_auth.py): signing in on the page or
through ``POST /admin/api/session`` gives the same session. A page's unsafe request must carry the
session's CSRF token as the form's ``csrf_token`` field, checked here for every POST.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape

from backoffice.accounts.http_auth import cookie_name
from backoffice.accounts.roles import Permission
from backoffice.accounts.service import Principal, csrf_matches, csrf_token_for
from backoffice.web.backend import PageBackend
from backoffice.web.forms import Form, read_form
from backoffice.web.messages import LANGUAGES, label

__all__ = [
    "LANG_COOKIE",
    "PageContext",
    "PageRefusalError",
    "PageRoute",
    "language_of",
    "page_context",
    "render",
    "too_large_page",
]

LANG_COOKIE = "citizenbot_admin_lang"
_HERE = Path(__file__).parent
_templates = Environment(
    loader=FileSystemLoader(_HERE / "templates"), autoescape=select_autoescape(["html"]), trim_blocks=True
)


class PageRefusalError(Exception):
    """Stop a page: redirect to sign-in, or show a refusal page with ``status``."""

    def __init__(self, status: int, key: str, redirect: str | None = None) -> None:
        super().__init__(key)
        self.status = status
        self.key = key
        self.redirect = redirect


@dataclass
class PageContext:
    request: Request
    backend: PageBackend
    lang: str
    principal: Principal | None = None
    csrf: str | None = None
    form: Form | None = None

    def t(self, key: str, **values: Any) -> str:
        return label(key, self.lang, **values)

    def can(self, permission: Permission) -> bool:
        return self.principal is not None and self.principal.can(permission)

    def require(self, permission: Permission) -> Principal:
        if self.principal is None:
            raise PageRefusalError(303, "sign_in", "/admin/sign-in")
        if not self.principal.can(permission):
            raise PageRefusalError(403, "error.forbidden")
        return self.principal


def language_of(request: Request) -> str:
    """The language the person picked (a cookie), else Thai: the agencies' staff work in Thai first."""
    picked = request.cookies.get(LANG_COOKIE, "th")
    return picked if picked in LANGUAGES else "th"


async def page_context(request: Request, backend: PageBackend, *, signed_in: bool = True) -> PageContext:
    """The context of a page; with ``signed_in`` a person without a session is sent to the sign-in page
    and a POST without the session's CSRF token is refused."""
    context = PageContext(request, backend, language_of(request))
    request.state.page_context = context  # a refusal page still shows the layout for this person
    session_id = request.cookies.get(cookie_name(backend.staff_accounts.settings))
    if session_id:
        context.principal = await run_in_threadpool(backend.staff_accounts.session_principal, session_id)
        if context.principal is not None:
            context.csrf = csrf_token_for(session_id)
    if request.method == "POST":
        context.form = await read_form(request)
    if not signed_in:
        return context
    if context.principal is None or not session_id:
        raise PageRefusalError(303, "sign_in", f"/admin/sign-in?next={quote(request.url.path)}")
    if context.form is not None:
        given = context.form.get("csrf_token")
        if not given or not csrf_matches(session_id, given):
            raise PageRefusalError(403, "error.csrf")
    return context


def render(context: PageContext, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    """``template`` with the layout's values (language, account, labels, CSRF token) and ``values``."""
    html = _templates.get_template(template).render(
        t=context.t,
        lang=context.lang,
        other_lang="en" if context.lang == "th" else "th",
        me=context.principal,
        csrf=context.csrf,
        can=context.can,
        path=context.request.url.path,
        query=context.request.url.query,
        **values,
    )
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def refusal_response(request: Request, error: PageRefusalError) -> Response:
    if error.redirect is not None:
        return RedirectResponse(error.redirect, status_code=303)
    context = getattr(request.state, "page_context", None)
    if context is None:
        context = PageContext(request, request.app.state.runtime, language_of(request))
    return render(context, "message.html", status=error.status, message=context.t(error.key))


def too_large_page(request: Request, limit: int) -> Response | None:
    """The refusal of an oversized form of a page (the body-limit middleware's, before any route runs):
    a page in the person's language saying what to do; None for anything but a page, which keeps JSON."""
    path = request.url.path
    if not path.startswith("/admin") or path.startswith(("/admin/api", "/admin/static")):
        return None
    context = PageContext(request, request.app.state.runtime, language_of(request))
    size = f"{limit / (1024 * 1024):.0f} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
    response = render(context, "message.html", status=413, message=context.t("error.too_large", size=size))
    return response


class PageRoute(APIRoute):
    """A page's route: a :class:`PageRefusalError` anywhere in it becomes a redirect or a refusal page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except PageRefusalError as error:
                return refusal_response(request, error)

        return page_handler
