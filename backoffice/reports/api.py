"""``/api/admin/reports...``: the officers' queue of citizens' problem reports (docs/reports.md).

Every route needs a signed-in account (session cookie + CSRF token, or ``Authorization: Bearer``).
The queue, a report, its photos and status changes need the ``reports`` permission (agents and
administrators); the routing table needs ``reports_routes`` (administrators only: a rule redirects
every future report). Every change is written to the audit log under the account, and a status change
is recorded in the report's history with the account as its actor. Errors: 404 unknown report or rule,
409 changed meanwhile (``details.report`` is the report as it is now), 422 a change the report does not
allow or a bad body, 403 no permission; ``details.messages`` in Thai and English.

The after-photo of finished work travels in the status change itself, as base64 (``after_photo``), so
a change and its photo are one request that succeeds or fails as a whole.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Protocol

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from backoffice.accounts.http_auth import require_permission
from backoffice.accounts.service import Principal, StaffAccounts
from backoffice.reports.messages import reports_error
from backoffice.reports.status import StatusRequest, apply_status
from backoffice.reports.views import (
    ReportDetail,
    ReportList,
    RouteList,
    RouteOut,
    detail_of,
    item_of,
    route_of,
)
from conversation.reports.photos import PhotoStore
from conversation.reports.store import (
    MAX_NOTE_CHARS,
    Report,
    ReportFilter,
    ReportNotFoundError,
    ReportsStore,
)
from http_api.deps import app_runtime

__all__ = [
    "PER_PAGE",
    "ReportsBackend",
    "RouteBody",
    "StatusBody",
    "load_detail",
    "route_values",
    "router",
    "search_reports",
]

StatusName = Literal["received", "forwarded", "in_progress", "done", "rejected"]
PER_PAGE = 25
_CASE_SHOWN = 100  # the reports of one case listed in a detail


class ReportsBackend(Protocol):
    """What the reports API uses of the gateway's runtime."""

    @property
    def reports(self) -> ReportsStore | None: ...

    @property
    def report_photos(self) -> PhotoStore | None: ...

    @property
    def staff_accounts(self) -> StaffAccounts: ...


BackendDep = Annotated[ReportsBackend, Depends(app_runtime)]
OfficerDep = Annotated[Principal, Depends(require_permission("reports"))]
RouteEditorDep = Annotated[Principal, Depends(require_permission("reports_routes"))]
IdPath = Annotated[int, Path(ge=1, le=2**31 - 1, description="The report's number (id)")]
RouteIdPath = Annotated[int, Path(ge=1, le=2**31 - 1, description="The routing rule's number")]
router = APIRouter(prefix="/api/admin/reports", tags=["problem reports"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in, or no valid account token"},
    403: {"description": "The account's role does not grant the permission (or the CSRF token is missing)"},
    404: {"description": "No such report or rule"},
    422: {"description": "The request is not valid"},
    503: {"description": "The reports desk is not running in this gateway"},
}
_CHANGE_ERRORS: dict[int | str, dict[str, Any]] = {
    **_ERRORS,
    409: {"description": "Changed meanwhile: details.report is the report now; reload and decide again"},
    422: {"description": "Not a next status, no reason for a rejection, no note for done, or a bad photo"},
}


class StatusBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    status: StatusName
    version: int = Field(ge=1, le=2**31 - 1, description="The version the officer saw (from the list or detail)")
    note: str | None = Field(
        default=None, max_length=MAX_NOTE_CHARS, description="What was done; required for done; the citizen reads it"
    )
    reason: str | None = Field(
        default=None, max_length=MAX_NOTE_CHARS, description="Why not; required for rejected; the citizen reads it"
    )
    after_photo: str | None = Field(
        default=None,
        max_length=80 * 1024 * 1024,
        description="With done only: the photo of the finished work, base64 or a data: URL (JPEG, PNG or WebP)",
    )


class RouteBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    type: str | None = Field(default=None, max_length=60, description="A Traffy type name; null or empty: any type")
    province: str | None = Field(default=None, max_length=80, description="null or empty: anywhere")
    district: str | None = Field(default=None, max_length=80, description="Needs its province; null: any district")
    organisation: str = Field(min_length=1, max_length=200, description="Who gets the matching reports")


def _desk(backend: ReportsBackend) -> ReportsStore:
    reports = backend.reports
    if reports is None:
        raise reports_error("reports_unavailable")
    return reports


def _audit(backend: ReportsBackend, who: Principal, action: str, target: str, **details: Any) -> None:
    backend.staff_accounts.audit(who.name, f"reports.{action}", target, {k: str(v) for k, v in details.items()})


def search_reports(reports: ReportsStore, filters: ReportFilter, page: int, per_page: int) -> ReportList:
    """One page of the queue, newest first, with each case's size (blocking)."""
    filters.limit, filters.offset = per_page, (page - 1) * per_page
    found, total = reports.search(filters)
    sizes = reports.case_sizes(sorted({report.case_id for report in found}))
    items = [item_of(report, reports.taxonomy, sizes.get(report.case_id, 1)) for report in found]
    return ReportList(items=items, total=total, page=page, per_page=per_page)


def load_detail(reports: ReportsStore, report: Report) -> ReportDetail:
    """Everything about ``report`` for the officer who opens it (blocking)."""
    case, case_size = reports.search(ReportFilter(case_id=report.case_id, limit=_CASE_SHOWN))
    return detail_of(report, reports.taxonomy, reports.history(report.id), case, case_size)


def _get(reports: ReportsStore, report_id: int) -> Report:
    try:
        return reports.get(report_id)
    except ReportNotFoundError as error:
        raise reports_error("report_not_found", {"id": report_id}, id=report_id) from error


def _type_name(reports: ReportsStore, name: str | None) -> str | None:
    """The Thai type name for any of its names; 422 listing the known ones otherwise."""
    if not name:
        return None
    found = reports.taxonomy.get(name)
    if found is None:
        known = ", ".join(problem_type.th for problem_type in reports.taxonomy)
        raise reports_error("unknown_type", {"type": name}, type=name, known=known)
    return found.th


@router.get("", response_model=ReportList, responses=_ERRORS)
async def list_reports(
    backend: BackendDep,
    officer: OfficerDep,
    status: Annotated[StatusName | None, Query()] = None,
    type: Annotated[str | None, Query(max_length=60, description="A type's Thai name, English label or id")] = None,
    organisation: Annotated[str | None, Query(max_length=200)] = None,
    province: Annotated[str | None, Query(max_length=80)] = None,
    district: Annotated[str | None, Query(max_length=80)] = None,
    q: Annotated[str | None, Query(max_length=200, description="A ticket, or words of the description")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = PER_PAGE,
) -> ReportList:
    """The queue, newest first; the location only as district and province (the point is in the detail)."""
    reports = _desk(backend)
    filters = ReportFilter(
        status=status,
        type=_type_name(reports, type),
        organisation=organisation or None,
        province=province or None,
        district=district or None,
        q=q or None,
    )
    return await run_in_threadpool(search_reports, reports, filters, page, per_page)


@router.get("/routes", response_model=RouteList, responses=_ERRORS)
async def list_routes(backend: BackendDep, editor: RouteEditorDep) -> RouteList:
    """The routing table: the most specific matching rule decides the organisation (docs/reports.md)."""
    reports = _desk(backend)
    return RouteList(routes=[route_of(route) for route in await run_in_threadpool(reports.routes)])


def route_values(
    reports: ReportsStore, type_name: str | None, province: str | None, district: str | None, organisation: str
) -> tuple[str | None, str | None, str | None, str]:
    """A rule's fields as the store takes them (empty is "any"); the API's 422s for what it would refuse."""
    if district and not province:
        raise reports_error("district_needs_province")
    return _type_name(reports, type_name), province or None, district or None, organisation


@router.post("/routes", response_model=RouteOut, status_code=201, responses=_ERRORS)
async def add_route(body: RouteBody, backend: BackendDep, editor: RouteEditorDep) -> RouteOut:
    """Add a rule; it applies to reports filed from now on."""
    reports = _desk(backend)
    values = route_values(reports, body.type, body.province, body.district, body.organisation)
    route = await run_in_threadpool(reports.add_route, *values, editor.name)
    _audit(backend, editor, "route_add", str(route.id), organisation=route.organisation)
    return route_of(route)


@router.put("/routes/{route_id}", response_model=RouteOut, responses=_ERRORS)
async def update_route(route_id: RouteIdPath, body: RouteBody, backend: BackendDep, editor: RouteEditorDep) -> RouteOut:
    reports = _desk(backend)
    values = route_values(reports, body.type, body.province, body.district, body.organisation)
    try:
        route = await run_in_threadpool(reports.update_route, route_id, *values, editor.name)
    except ReportNotFoundError as error:
        raise reports_error("route_not_found", {"id": route_id}, id=route_id) from error
    _audit(backend, editor, "route_update", str(route_id), organisation=route.organisation)
    return route_of(route)


@router.delete("/routes/{route_id}", status_code=204, response_class=Response, responses=_ERRORS)
async def delete_route(route_id: RouteIdPath, backend: BackendDep, editor: RouteEditorDep) -> Response:
    reports = _desk(backend)
    try:
        await run_in_threadpool(reports.delete_route, route_id)
    except ReportNotFoundError as error:
        raise reports_error("route_not_found", {"id": route_id}, id=route_id) from error
    _audit(backend, editor, "route_delete", str(route_id))
    return Response(status_code=204)


@router.get("/{report_id}", response_model=ReportDetail, responses=_ERRORS)
async def report_detail(report_id: IdPath, backend: BackendDep, officer: OfficerDep) -> ReportDetail:
    """The whole report: the point and its map link, the address, photos, history and the case."""
    reports = _desk(backend)
    report = await run_in_threadpool(_get, reports, report_id)
    return await run_in_threadpool(load_detail, reports, report)


@router.post("/{report_id}/status", response_model=ReportDetail, responses=_CHANGE_ERRORS)
async def change_status(report_id: IdPath, body: StatusBody, backend: BackendDep, officer: OfficerDep) -> ReportDetail:
    """Move the report on; the citizen gets a notice in their language. Done needs a note (and may carry
    the after-photo), rejected a reason."""
    reports = _desk(backend)
    request = StatusRequest(body.status, body.version, body.note, body.reason, body.after_photo)
    report = await run_in_threadpool(apply_status, reports, backend.report_photos, report_id, request, officer.name)
    _audit(backend, officer, "status", report.ticket, status=report.status, version=report.version)
    return await run_in_threadpool(load_detail, reports, report)


async def _photo(backend: ReportsBackend, report_id: int, after: bool) -> Response:
    reports, photos = _desk(backend), backend.report_photos
    report = await run_in_threadpool(_get, reports, report_id)
    ref = report.after_photo_ref if after else report.photo_ref
    which = ("after-photo", "รูปหลังแก้ไข") if after else ("photo", "รูปภาพ")
    if photos is None or not ref:
        raise reports_error("photo_not_found", {"id": report_id}, id=report_id, which=which[0], which_th=which[1])
    try:
        data, content_type = await run_in_threadpool(photos.read, ref)
    except FileNotFoundError as error:
        raise reports_error(
            "photo_not_found", {"id": report_id}, id=report_id, which=which[0], which_th=which[1]
        ) from error
    headers = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
    return Response(data, media_type=content_type, headers=headers)


_PHOTO_RESPONSES: dict[int | str, dict[str, Any]] = {
    **_ERRORS,
    200: {"content": {"image/jpeg": {}, "image/png": {}}, "description": "The photo (re-encoded, no metadata)"},
}


@router.get("/{report_id}/photo", response_class=Response, responses=_PHOTO_RESPONSES)
async def report_photo(report_id: IdPath, backend: BackendDep, officer: OfficerDep) -> Response:
    """The citizen's photo: staff only, never cached, never public."""
    return await _photo(backend, report_id, after=False)


@router.get("/{report_id}/after-photo", response_class=Response, responses=_PHOTO_RESPONSES)
async def report_after_photo(report_id: IdPath, backend: BackendDep, officer: OfficerDep) -> Response:
    """The photo of the finished work: staff only."""
    return await _photo(backend, report_id, after=True)
