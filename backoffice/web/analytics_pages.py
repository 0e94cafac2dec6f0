"""``/admin/analytics``: the figures with filters, charts and tables, the unanswered list with one-click
"add as example question", and links to the CSV export of ``/admin/api/analytics/export.csv``.

Reads through the same query functions as the JSON API (backoffice/analytics/queries.py); adding an
example goes through :func:`backoffice.analytics.examples.add_example` and the same audit action.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from backoffice.analytics import queries
from backoffice.analytics.examples import add_example
from backoffice.analytics.filters import FilterError, Filters, parse_filters
from backoffice.analytics.grouping import group_messages
from backoffice.analytics.handoffs import handoff_figures
from backoffice.web.backend import PageBackend, PageBackendDep
from backoffice.web.charts import PALETTE, Series, day_bars
from backoffice.web.pages import PageContext, PageRefusalError, PageRoute, page_context, render
from conversation.turn_events import CHANNELS
from knowledge.schema import Service
from knowledge.store import ServiceNotFoundError, StaleVersionError
from texts import LANGUAGES

__all__ = ["router"]

router = APIRouter(prefix="/admin", route_class=PageRoute, include_in_schema=False)
_LOAD_WAIT_SECONDS = 120.0
_MAX_GROUPS = 50


def _per_day(context: PageContext, rows: list[dict[str, Any]]) -> dict[str, Any]:
    days = sorted({row["day"] for row in rows})
    keys = sorted({(row["channel"], row["language"]) for row in rows})
    counts = {(row["day"], row["channel"], row["language"]): row["questions"] for row in rows}
    series = [
        Series(
            f"{context.t('channel.' + channel)} · {context.t('language.' + language)}",
            [counts.get((day, channel, language), 0) for day in days],
        )
        for channel, language in keys
    ]
    legend = [(one.name, PALETTE[i % len(PALETTE)]) for i, one in enumerate(series)]
    table = [{"day": day, "values": [one.values[i] for one in series]} for i, day in enumerate(days)]
    return {
        "svg": day_bars(days, series, context.t("analytics.no_data")),
        "legend": legend,
        "names": [one.name for one in series],
        "table": table,
    }


def _figures(context: PageContext, filters: Filters) -> dict[str, Any]:
    backend = context.backend
    events = backend.turn_events
    if events is None:
        raise PageRefusalError(503, "analytics.off")
    engine = events.engine
    services = {service.id: service for service in backend.store.list_services()}
    figures = queries.summary(engine, filters)
    messages = queries.unanswered_messages(engine, filters, queries.DEFAULT_LOW_SCORE)
    groups = group_messages(messages, backend.sentence_encoder)[:_MAX_GROUPS]
    return {
        "figures": figures,
        "handoffs": handoff_figures(backend.handoff_desk, filters),
        "per_day": _per_day(context, figures["per_day"]),
        "groups": groups,
        "services": services,
        "service_choices": sorted(services.values(), key=lambda s: s.title.get("en" if context.lang == "en" else "th")),
    }


def _duration(context: PageContext, seconds: float | None) -> str:
    """A waiting time as people say it: seconds, minutes and seconds, or hours and minutes."""
    if seconds is None:
        return "-"
    whole = round(seconds)
    if whole < 60:
        return context.t("analytics.seconds", s=whole)
    if whole < 3600:
        return context.t("inbox.minutes", m=whole // 60, s=whole % 60)
    return context.t("inbox.hours", h=whole // 3600, m=whole % 3600 // 60)


def _title(service: Service | None, lang: str, fallback: str) -> str:
    if service is None:
        return fallback
    return service.title.en if lang == "en" else service.title.th


@router.get("/analytics")
async def analytics(request: Request, backend: PageBackendDep) -> Response:
    context = await page_context(request, backend)
    context.require("analytics")
    params = request.query_params
    raw = {key: params.get(key, "") for key in ("from", "to", "channel", "language")}
    try:
        filters = parse_filters(raw["from"], raw["to"], raw["channel"], raw["language"])
    except FilterError as error:
        filters = parse_filters(None, None)
        problem: str | None = context.t("analytics.bad_filter", problem=str(error))
    else:
        problem = None
    data = await run_in_threadpool(_figures, context, filters)
    query = urlencode({key: value for key, value in filters.to_dict().items() if value and key != "timezone"})
    notice = None
    if params.get("added"):
        service = data["services"].get(params.get("added", ""))
        key = "analytics.added" if params.get("new") == "1" else "analytics.already"
        notice = context.t(key, title=_title(service, context.lang, params.get("added", "")))
    return render(
        context,
        "analytics.html",
        status=400 if problem else 200,
        filters=filters,
        channels=CHANNELS,
        languages=LANGUAGES,
        csv_query=query,
        title_of=lambda sid: _title(data["services"].get(sid or ""), context.lang, sid or "-"),
        percent=lambda value: "-" if value is None else f"{value * 100:.0f}%",
        duration=lambda seconds: _duration(context, seconds),
        notice=notice,
        problem=problem,
        **data,
    )


def _add(backend: PageBackend, who: str, group: str, service_id: str, message: str) -> bool:
    backend.wait_until_loaded(_LOAD_WAIT_SECONDS)
    added = add_example(backend.writer, service_id, message, who)
    if added.added:
        details = {"group": group, "version": str(added.version)}
        backend.staff_accounts.audit(who, "catalogue.add_example", added.service_id, details)
    return added.added


@router.post("/analytics/unanswered/{group}/add-example")
async def add_as_example(group: str, request: Request, backend: PageBackendDep) -> Response:
    context = await page_context(request, backend)
    who = context.require("edit").name
    assert context.form is not None
    form = context.form
    service_id, message = form.get("service_id"), form.get("message")
    try:
        added = await run_in_threadpool(_add, backend, who, group[:64], service_id, message)
    except ServiceNotFoundError as error:
        raise PageRefusalError(404, "error.not_found") from error
    except (StaleVersionError, ValueError) as error:
        return render(context, "message.html", status=422, message=str(error))
    back = form.get("back")
    back = back if back.startswith("from=") or not back else ""
    target = (
        f"/admin/analytics?{back}&added={service_id}&new={int(added)}"
        if back
        else f"/admin/analytics?added={service_id}&new={int(added)}"
    )
    return RedirectResponse(target, status_code=303)
