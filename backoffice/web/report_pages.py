"""``/admin/reports...``: the officers' queue of citizens' problem reports, a report with its history,
photos and the status form, and the administrators' routing table (docs/reports.md).

Server-rendered pages with plain forms (POST, the session's CSRF token, then a redirect), working the
same code as the JSON API (``backoffice/reports``): the queue is ``search_reports``, a status change is
``apply_status`` (so the page refuses exactly what the API refuses, in the person's language), every
change is in the audit log under the signed-in account. The one script (``reports.js``) reads the
chosen after-photo into the form as base64, since the gateway has no multipart parser; without it
the status still changes, without a photo.
"""

from __future__ import annotations

from typing import Annotated, Any, Protocol
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from backoffice.reports.api import PER_PAGE, load_detail, route_values, search_reports
from backoffice.reports.status import StatusRequest, apply_status, megabytes
from backoffice.reports.views import route_of
from backoffice.web.backend import PageBackend
from backoffice.web.pages import PageContext, PageRefusalError, PageRoute, page_context, render
from conversation.reports.photos import PhotoStore
from conversation.reports.store import (
    MAX_NOTE_CHARS,
    STATUSES,
    ReportFilter,
    ReportNotFoundError,
    ReportsStore,
)
from http_api.deps import app_runtime
from http_api.errors import ApiError

__all__ = ["ReportsPageBackend", "router"]

router = APIRouter(prefix="/admin", route_class=PageRoute, include_in_schema=False)
IdPath = Annotated[int, Path(ge=1, le=2**31 - 1)]
_FILTERS = ("status", "type", "organisation", "province", "district", "q")
_ROUTE_NOTICES = {"added": "routes.added", "updated": "routes.updated", "deleted": "routes.deleted"}


class ReportsPageBackend(PageBackend, Protocol):
    @property
    def reports(self) -> ReportsStore | None: ...

    @property
    def report_photos(self) -> PhotoStore | None: ...


BackendDep = Annotated[ReportsPageBackend, Depends(app_runtime)]


def _desk(backend: ReportsPageBackend) -> ReportsStore:
    if backend.reports is None:
        raise PageRefusalError(503, "reports.unavailable")
    return backend.reports


def _problem(context: PageContext, error: ApiError) -> str:
    """The API's refusal in the person's language."""
    details = error.details if isinstance(error.details, dict) else {}
    messages = details.get("messages") or {}
    return str(messages.get(context.lang) or error.message)


def _audit(backend: ReportsPageBackend, who: str, action: str, target: str, **details: Any) -> None:
    backend.staff_accounts.audit(who, f"reports.{action}", target, {k: str(v) for k, v in details.items()})


def _types(reports: ReportsStore, lang: str) -> list[tuple[str, str]]:
    return [(problem_type.th, problem_type.label(lang)) for problem_type in reports.taxonomy]


@router.get("/reports")
async def reports_list(request: Request, backend: BackendDep) -> Response:
    context = await page_context(request, backend)
    context.require("reports")
    reports = _desk(backend)
    params = request.query_params
    chosen = {name: params.get(name, "").strip()[:200] for name in _FILTERS}
    if chosen["status"] not in STATUSES:
        chosen["status"] = ""
    problem_type = reports.taxonomy.get(chosen["type"]) if chosen["type"] else None
    chosen["type"] = problem_type.th if problem_type else ""
    page_text = params.get("page", "1")
    page = min(int(page_text), 100_000) if page_text.isdigit() and int(page_text) >= 1 else 1
    filters = ReportFilter(
        status=chosen["status"] or None,
        type=chosen["type"] or None,
        organisation=chosen["organisation"] or None,
        province=chosen["province"] or None,
        district=chosen["district"] or None,
        q=chosen["q"] or None,
    )
    listed = await run_in_threadpool(search_reports, reports, filters, page, PER_PAGE)
    pages = max(1, -(-listed.total // PER_PAGE))
    kept = {name: value for name, value in chosen.items() if value}
    return render(
        context,
        "reports.html",
        listed=listed,
        filters=chosen,
        statuses=STATUSES,
        types=_types(reports, context.lang),
        page=page,
        pages=pages,
        first=(page - 1) * PER_PAGE + 1 if listed.items else 0,
        last=(page - 1) * PER_PAGE + len(listed.items),
        page_query=lambda number: urlencode({**kept, "page": number}),
    )


# --- the routing table (before /reports/{id}, which would take "routes" for an id) ---------------


def _routes_page(
    context: PageContext, reports: ReportsStore, *, problem: str | None = None, status: int = 200, typed: Any = None
) -> Response:
    notice_key = _ROUTE_NOTICES.get(context.request.query_params.get("done", ""))
    return render(
        context,
        "reports_routes.html",
        status=status,
        routes=[route_of(route) for route in reports.routes()],
        types=_types(reports, context.lang),
        default=reports.settings.default_organisation,
        notice=context.t(notice_key) if notice_key and problem is None else None,
        problem=problem,
        typed=typed or {},
    )


def _route_fields(context: PageContext, reports: ReportsStore) -> tuple[str | None, str | None, str | None, str]:
    """The rule in the form, checked as the API checks it; ApiError with the API's messages otherwise."""
    form = context.form
    assert form is not None
    organisation = form.get("organisation")
    if not organisation or len(organisation) > 200:
        message = context.t("routes.organisation_required")
        raise ApiError(422, "organisation_required", message, {"messages": {context.lang: message}})
    province, district = form.get("province")[:80], form.get("district")[:80]
    return route_values(reports, form.get("type")[:60] or None, province, district, organisation)


@router.get("/reports/routes")
async def routes_page(request: Request, backend: BackendDep) -> Response:
    context = await page_context(request, backend)
    context.require("reports_routes")
    reports = _desk(backend)
    return await run_in_threadpool(_routes_page, context, reports)


@router.post("/reports/routes")
async def add_route(request: Request, backend: BackendDep) -> Response:
    context = await page_context(request, backend)
    me = context.require("reports_routes")
    reports = _desk(backend)
    try:
        values = _route_fields(context, reports)
        route = await run_in_threadpool(reports.add_route, *values, me.name)
    except ApiError as error:
        typed = {name: context.form.get(name) for name in ("type", "province", "district", "organisation")}  # type: ignore[union-attr]
        return _routes_page(context, reports, problem=_problem(context, error), status=error.status_code, typed=typed)
    _audit(backend, me.name, "route_add", str(route.id), organisation=route.organisation)
    return RedirectResponse("/admin/reports/routes?done=added", status_code=303)


@router.post("/reports/routes/{route_id}")
async def update_route(route_id: IdPath, request: Request, backend: BackendDep) -> Response:
    context = await page_context(request, backend)
    me = context.require("reports_routes")
    reports = _desk(backend)
    try:
        values = _route_fields(context, reports)
        route = await run_in_threadpool(reports.update_route, route_id, *values, me.name)
    except ApiError as error:
        return _routes_page(context, reports, problem=_problem(context, error), status=error.status_code)
    except ReportNotFoundError:
        return _routes_page(context, reports, problem=context.t("routes.not_found"), status=404)
    _audit(backend, me.name, "route_update", str(route_id), organisation=route.organisation)
    return RedirectResponse("/admin/reports/routes?done=updated", status_code=303)


@router.post("/reports/routes/{route_id}/delete")
async def delete_route(route_id: IdPath, request: Request, backend: BackendDep) -> Response:
    context = await page_context(request, backend)
    me = context.require("reports_routes")
    reports = _desk(backend)
    try:
        await run_in_threadpool(reports.delete_route, route_id)
    except ReportNotFoundError:
        return _routes_page(context, reports, problem=context.t("routes.not_found"), status=404)
    _audit(backend, me.name, "route_delete", str(route_id))
    return RedirectResponse("/admin/reports/routes?done=deleted", status_code=303)


# --- one report ---------------------------------------------------------------------------------


def _detail_page(
    context: PageContext,
    backend: ReportsPageBackend,
    report_id: int,
    *,
    problem: str | None = None,
    status: int = 200,
    typed: dict[str, str] | None = None,
) -> Response:
    reports = _desk(backend)
    try:
        report = reports.get(report_id)
    except ReportNotFoundError as error:
        raise PageRefusalError(404, "reports.not_found") from error
    detail = load_detail(reports, report)
    changed = context.request.query_params.get("changed", "")
    notice = None
    if problem is None and changed in STATUSES:
        notice = context.t("reports.changed", status=context.t(f"reports.status_{changed}"))
    photos = backend.report_photos
    max_bytes = photos.max_bytes if photos is not None else 0
    return render(
        context,
        "reports_detail.html",
        status=status,
        report=detail,
        type_label=detail.type if context.lang == "th" else detail.type_en,
        notice=notice,
        problem=problem,
        typed=typed or {},
        note_max=MAX_NOTE_CHARS,
        photo_max_bytes=max_bytes,
        photo_max=megabytes(max_bytes),
    )


@router.get("/reports/{report_id}")
async def report_page(report_id: IdPath, request: Request, backend: BackendDep) -> Response:
    context = await page_context(request, backend)
    context.require("reports")
    return await run_in_threadpool(_detail_page, context, backend, report_id)


@router.post("/reports/{report_id}/status")
async def change_status(report_id: IdPath, request: Request, backend: BackendDep) -> Response:
    context = await page_context(request, backend)
    me = context.require("reports")
    reports = _desk(backend)
    form = context.form
    assert form is not None
    typed = {"status": form.get("status"), "note": form.get("note"), "reason": form.get("reason")}
    version = form.int_or_none("version")
    if typed["status"] not in STATUSES or version is None:
        problem = context.t("reports.pick_status")
        return await run_in_threadpool(
            lambda: _detail_page(context, backend, report_id, problem=problem, status=422, typed=typed)
        )
    change = StatusRequest(
        typed["status"],
        version,
        typed["note"][:MAX_NOTE_CHARS] or None,
        typed["reason"][:MAX_NOTE_CHARS] or None,
        form.raw("after_photo") or None,
    )
    try:
        report = await run_in_threadpool(apply_status, reports, backend.report_photos, report_id, change, me.name)
    except ApiError as error:
        if error.status_code == 404:
            raise PageRefusalError(404, "reports.not_found") from error
        problem, code = _problem(context, error), error.status_code
        if code == 409:
            typed = {**typed, "status": ""}  # the report moved on: the person chooses again
        return await run_in_threadpool(
            lambda: _detail_page(context, backend, report_id, problem=problem, status=code, typed=typed)
        )
    _audit(backend, me.name, "status", report.ticket, status=report.status, version=report.version)
    return RedirectResponse(f"/admin/reports/{report_id}?changed={report.status}", status_code=303)
