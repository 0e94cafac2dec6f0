"""The citizen's web dashboard: ``GET /me?t=<signed>`` (the page) and its JSON API under ``/api/me``.

The chat gives the link (``/my_services``, conversation/citizens/services_handler.py); the token in
it is the only credential (conversation/citizens/signed_links.py): the page needs no sign-in and
works until the link expires. The page reads the token from its URL once, removes it from the address
bar and sends it as ``Authorization: Bearer`` to the API, so it reaches no access log or Referer.

A link that is not ours gets a 403 page, an expired one a 401 page, both saying how to get a new
one. The API answers the same cases as JSON errors (``link_invalid``, ``link_expired``), and bad
input as everywhere else (http_api/errors.py): malformed JSON 400, a wrong field 422 naming it, an
unknown province 422, a profile changed meanwhile 409 ``stale_version``, no consent 403
``consent_required``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import json
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Engine

from conversation.citizens.consents import ConsentRequiredError
from conversation.citizens.dashboard_view import dashboard_view
from conversation.citizens.desk import CitizenDesk
from conversation.citizens.profiles import ProfileFields, StaleProfileError, province_names
from conversation.citizens.records import CitizenRecords
from conversation.citizens.services_handler import ServicesHandler
from conversation.citizens.signed_links import ExpiredLinkError, LinkError
from http_api.body import parse_json_body, validation_details
from http_api.deps import app_runtime
from http_api.errors import ApiError
from knowledge.eligibility import Situation
from texts import Lang, text

__all__ = ["DashboardBackend", "router"]

router = APIRouter(tags=["dashboard"])

STATIC_DIR = Path(__file__).resolve().parent / "static"
_G = "citizens_dashboard"
_MAX_BODY = 16 * 1024
_PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": _PAGE_CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the page's URL holds the token until its script removes it
}
_ASSETS = {"dashboard.js": "text/javascript; charset=utf-8", "dashboard.css": "text/css; charset=utf-8"}
_PAGE_KEYS = (
    "page_title", "page_loading", "page_switch", "page_switch_label", "title", "consent_give",
    "saved_heading", "journeys_heading", "deadlines_heading", "reports_heading", "reminders_heading",
    "profile_heading", "none_saved", "none_journeys", "none_reports", "none_reminders", "none_deadlines",
    "step_done", "step_todo", "profile_birth_year", "profile_nationality", "nationality_thai",
    "nationality_foreign", "nationality_unknown", "profile_province", "profile_situations", "profile_save",
    "profile_saved", "profile_stale", "profile_invalid", "delete_heading", "delete_intro", "delete_button",
    "delete_confirm", "delete_cancel", "delete_sure", "deleted", "error", "linked_heading", "channel_line",
    "channel_web", "nothing_kept",
    "suggested_heading", "suggested_caution", "suggested_none", "suggested_invite_web",
)  # fmt: skip


class DashboardBackend(Protocol):
    """What these routes use of the gateway's runtime."""

    @property
    def citizen_desk(self) -> CitizenDesk | None: ...

    @property
    def citizens_engine(self) -> Engine | None: ...


BackendDep = Annotated[DashboardBackend, Depends(app_runtime)]


def _handler(runtime: DashboardBackend) -> ServicesHandler:
    desk = runtime.citizen_desk
    for handler in desk.handlers if desk is not None else []:
        if isinstance(handler, ServicesHandler):
            return handler
    raise ApiError(503, "unavailable", "The dashboard is not available right now.")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _citizen(handler: ServicesHandler, token: str) -> tuple[str, dt.datetime]:
    try:
        return handler.links.open(token, now=_now())
    except ExpiredLinkError as error:
        raise ApiError(401, "link_expired", "This dashboard link has expired; ask the chat for a new one.") from error
    except LinkError as error:
        raise ApiError(403, "link_invalid", "This is not a valid dashboard link.") from error


def _bearer(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "link_missing", "Send the dashboard link's token as 'Authorization: Bearer <token>'.")
    return token.strip()


# --- the page -----------------------------------------------------------------------------


def _strings(lang: Lang, days: int) -> dict[str, str]:
    strings = {key: text(f"{_G}.{key}", lang) for key in _PAGE_KEYS if key != "profile_invalid"}
    strings["profile_invalid"] = text(f"{_G}.profile_invalid", lang, problem="{problem}")  # filled by the page
    strings["page_intro"] = text(f"{_G}.page_intro", lang, until="{until}")
    strings["consent_text"] = text(
        "citizens_profile.consent_profile", lang, days=days, controller=text("citizens_profile.controller", lang)
    )
    return strings


def _page_config(days: int) -> dict[str, Any]:
    return {
        "strings": {lang: _strings(lang, days) for lang in ("th", "en")},
        "provinces": list(province_names()),
        "situations": [
            {
                "id": str(s),
                "th": text(f"citizens_profile.situation_{s}", "th"),
                "en": text(f"citizens_profile.situation_{s}", "en"),
            }
            for s in Situation
        ],
    }


def _refusal(status: int, reason: Literal["expired", "invalid"]) -> Response:
    parts = []
    for lang in ("th", "en"):
        title = html.escape(text(f"{_G}.refused_title", lang))
        said = html.escape(text(f"{_G}.refused_{reason}", lang))
        parts.append(f'<section lang="{lang}"><h1>{title}</h1><p>{said}</p></section>')
    page = (
        '<!doctype html><html lang="th"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(text(f'{_G}.refused_title', 'th'))}</title>"
        '<link rel="stylesheet" href="/me/dashboard.css"></head>'
        f'<body><main class="cb-dash cb-refused" data-refused="{reason}">{"".join(parts)}</main></body></html>'
    )
    return Response(page, status_code=status, media_type="text/html; charset=utf-8", headers=_HEADERS)


@router.get("/me", include_in_schema=False)
def dashboard_page(request: Request, runtime: BackendDep, t: str | None = None) -> Response:
    """The dashboard page; its script reads everything else from ``/api/me``.

    With ``t`` the link is checked first (a refusal page when it is not ours or expired). Without it
    (the page reloaded after its script took the token out of the address bar) the page holds no data
    and its script uses the token it kept for the tab, or shows the refusal when it has none."""
    handler = _handler(runtime)
    if t is not None:
        try:
            handler.links.open(t, now=_now())
        except ExpiredLinkError:
            return _refusal(401, "expired")
        except LinkError:
            return _refusal(403, "invalid")
    days = request.app.state.settings.citizens.kept_days
    config = json.dumps(_page_config(days), ensure_ascii=False).replace("</", "<\\/")
    page = (
        '<!doctype html><html lang="th"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(text(f'{_G}.page_title', 'th'))}</title>"
        '<link rel="stylesheet" href="/me/dashboard.css">'
        '<script src="/me/dashboard.js" defer></script></head>'
        '<body><main class="cb-dash" id="cb-dash" aria-live="polite">'
        f'<p class="cb-dash-loading">{html.escape(text(f"{_G}.page_loading", "th"))}</p></main>'
        f'<script type="application/json" id="cb-dash-config">{config}</script></body></html>'
    )
    return Response(page, media_type="text/html; charset=utf-8", headers=_HEADERS)


@router.get("/me/{name}", include_in_schema=False)
def dashboard_asset(name: str) -> Response:
    media_type = _ASSETS.get(name)
    if media_type is None:  # served by name only: nothing from the URL becomes a path
        raise ApiError(404, "not_found", "No such file.")
    body = (STATIC_DIR / name).read_bytes()
    headers = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
    return Response(body, media_type=media_type, headers=headers)


# --- the API ------------------------------------------------------------------------------


class ProfileUpdate(BaseModel):
    """The whole profile as the form sends it; ``version`` is the one read (0: none yet)."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=0, description="The profile version the form was filled from (0: no profile yet)")
    birth_year: int | None = Field(default=None, description="Common or Buddhist era")
    nationality: Literal["thai", "foreign"] | None = None
    province: str | None = Field(default=None, max_length=80, description="A Thai province name")
    situations: list[Situation] = Field(default_factory=list, max_length=len(Situation))
    language: Literal["th", "en"] = "th"


class ConsentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: Literal["profile", "reminders"]
    language: Literal["th", "en"] = "th"


class EraseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    confirm: Literal[True] = Field(description="true: the citizen confirmed on the page")


async def _view(handler: ServicesHandler, citizen_id: str, lang: Lang, expires_at: dt.datetime) -> dict[str, Any]:
    view = await asyncio.to_thread(dashboard_view, handler.sources, citizen_id, lang, _now())
    return {**view, "expires_at": expires_at.isoformat()}


_LINK_REFUSED: dict[int | str, dict[str, Any]] = {
    401: {"description": "No token (link_missing), or the link expired (link_expired)"},
    403: {"description": "Not a link this gateway issued (link_invalid)"},
}
_BODY_REFUSED: dict[int | str, dict[str, Any]] = {
    400: {"description": "Empty, not UTF-8 or not JSON"},
    413: {"description": "Too large"},
}


@router.get("/api/me", responses=_LINK_REFUSED)
async def my_dashboard(
    runtime: BackendDep,
    authorization: Annotated[str | None, Header()] = None,
    lang: Annotated[Literal["th", "en"], Query()] = "th",
) -> JSONResponse:
    """The citizen's dashboard: saved services, journeys, deadlines, reports, reminders and profile."""
    handler = _handler(runtime)
    citizen_id, expires_at = _citizen(handler, _bearer(authorization))
    return JSONResponse(await _view(handler, citizen_id, lang, expires_at), headers={"Cache-Control": "no-store"})


@router.put(
    "/api/me/profile",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ProfileUpdate.model_json_schema()}},
        }
    },
    responses={
        **_LINK_REFUSED,
        **_BODY_REFUSED,
        403: {"description": "No profile consent (consent_required), or not our link (link_invalid)"},
        409: {"description": "The profile changed since it was read (stale_version)"},
    },
)
async def change_profile(
    request: Request, runtime: BackendDep, authorization: Annotated[str | None, Header()] = None
) -> JSONResponse:
    """Keep the form's profile (the ``profile`` consent first); the dashboard as it now is."""
    handler = _handler(runtime)
    citizen_id, expires_at = _citizen(handler, _bearer(authorization))
    update = await parse_json_body(request, ProfileUpdate, max_bytes=_MAX_BODY)
    try:
        fields = ProfileFields(
            birth_year=update.birth_year,
            nationality=update.nationality,
            province=update.province or None,
            situations=list(update.situations),
            situations_known=True,
            language=update.language,
        )
    except ValidationError as error:
        raise ApiError(422, "invalid_request", "The request is not valid.", validation_details(error)) from error
    profiles = handler.sources.profiles
    if profiles is None:
        raise ApiError(503, "unavailable", "Profiles are not available right now.")
    try:
        await asyncio.to_thread(profiles.save, citizen_id, fields, expected_version=update.version, now=_now())
    except ConsentRequiredError as error:
        raise ApiError(
            403, "consent_required", "Give the profile consent first.", {"purpose": error.purpose}
        ) from error
    except StaleProfileError as error:
        raise ApiError(
            409, "stale_version", "The profile changed since it was read; read it again.", {"current": error.current}
        ) from error
    return JSONResponse(await _view(handler, citizen_id, update.language, expires_at))


@router.post(
    "/api/me/consent",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ConsentRequest.model_json_schema()}},
        }
    },
    responses={**_LINK_REFUSED, **_BODY_REFUSED},
)
async def give_consent(
    request: Request, runtime: BackendDep, authorization: Annotated[str | None, Header()] = None
) -> JSONResponse:
    """Record the consent the citizen gave on the page (the wording it showed is the current version)."""
    handler = _handler(runtime)
    citizen_id, expires_at = _citizen(handler, _bearer(authorization))
    asked = await parse_json_body(request, ConsentRequest, max_bytes=_MAX_BODY)
    await asyncio.to_thread(handler.consents.grant, citizen_id, asked.purpose, asked.language, "web", now=_now())
    return JSONResponse(await _view(handler, citizen_id, asked.language, expires_at))


@router.delete(
    "/api/me",
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": EraseRequest.model_json_schema()}}}
    },
    responses={**_LINK_REFUSED, **_BODY_REFUSED},
)
async def delete_my_data(
    request: Request, runtime: BackendDep, authorization: Annotated[str | None, Header()] = None
) -> JSONResponse:
    """Erase everything the citizens store keeps about the citizen (reports stay: they are the agency's)."""
    handler = _handler(runtime)
    citizen_id, _expires_at = _citizen(handler, _bearer(authorization))
    await parse_json_body(request, EraseRequest, max_bytes=_MAX_BODY)
    engine = runtime.citizens_engine
    if engine is None:
        raise ApiError(503, "unavailable", "The dashboard is not available right now.")
    erased = await asyncio.to_thread(CitizenRecords(engine).erase, citizen_id)  # the chat's erasure, the same
    return JSONResponse({"erased": erased})
