"""``/admin/journeys...``: the life-event journeys, listed, written and arranged step by step, deleted
with a confirmation, and their version history.

The pages use the runtime's journey store (what the chat tells and ``/api/admin/journeys`` edits), so
a saved journey is live at once. A save names the version the editor opened: when someone saved
another meanwhile, the page refuses, shows the version saved now beside what the editor typed (kept
in the form) and lets a second, deliberate save replace it. Every change is in the audit log under
the signed-in account (``journey.create``, ``journey.update``, ``journey.delete``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from backoffice.web.backend import PageBackend, PageBackendDep
from backoffice.web.catalogue_view import life_event_options
from backoffice.web.journey_form import (
    DEADLINE_UNITS,
    blank_journey_values,
    is_step_action,
    journey_from_form,
    journey_values,
    read_journey_form,
    unknown_service_errors,
)
from backoffice.web.journeys_view import history_entries, journey_rows, service_options
from backoffice.web.pages import PageContext, PageRefusalError, PageRoute, page_context, render
from backoffice.web.service_form import input_id
from knowledge.diff import diff_values
from knowledge.journey_store import JourneyExistsError, JourneyNotFoundError, JourneyRecord, JourneyStore
from knowledge.journeys import Journey, UnknownServiceError
from knowledge.schema import LifeEvent
from knowledge.store import StaleVersionError

__all__ = ["router"]

router = APIRouter(prefix="/admin", route_class=PageRoute, include_in_schema=False)
_LOAD_WAIT_SECONDS = 120.0
_NOTICES = {"created": "journeys.created", "saved": "journeys.saved", "deleted": "journeys.deleted"}


def _store(backend: PageBackend) -> JourneyStore:
    """The runtime's journey store, once the catalogue its steps name has loaded."""
    if not backend.wait_until_loaded(_LOAD_WAIT_SECONDS) or backend.journeys is None:
        raise PageRefusalError(503, "error.loading")
    return backend.journeys


def _record(store: JourneyStore, journey_id: str) -> JourneyRecord:
    try:
        return store.get(journey_id)
    except JourneyNotFoundError as error:
        raise PageRefusalError(404, "journeys.not_found") from error


def _audit(backend: PageBackend, who: str, action: str, journey_id: str, version: int) -> None:
    details = {"version": str(version), "path": f"/admin/journeys/{journey_id}"}
    backend.staff_accounts.audit(who, f"journey.{action}", journey_id, details)


def _error_texts(context: PageContext, errors: dict[str, str]) -> dict[str, str]:
    return {name: context.t(code) if code.startswith(("edit.", "journeys.")) else code for name, code in errors.items()}


def _dumped(journey: Journey) -> dict[str, Any]:
    return journey.model_dump(mode="json", by_alias=True, exclude_none=True)


@router.get("/journeys")
async def journeys_list(request: Request, backend: PageBackendDep) -> Response:
    context = await page_context(request, backend)
    picked = request.query_params.get("life_event", "")
    event = LifeEvent(picked) if picked in [e.value for e in LifeEvent] else None
    store = await run_in_threadpool(_store, backend)
    records = await run_in_threadpool(store.list_journeys, event)
    params = request.query_params
    done = params.get("done", "")
    notice = context.t(_NOTICES[done], id=params.get("id", "")) if done == "deleted" else None
    return render(
        context,
        "journeys.html",
        rows=journey_rows(records),
        life_events=life_event_options(context.lang),
        event_names=dict(life_event_options(context.lang)),
        picked=event.value if event else "",
        notice=notice,
    )


def _form_page(
    context: PageContext,
    values: dict[str, Any],
    *,
    record: JourneyRecord | None,
    version: int | str,
    errors: dict[str, str] | None = None,
    problem: str | None = None,
    notice: str | None = None,
    current: JourneyRecord | None = None,
    attempted: Journey | None = None,
    status: int = 200,
) -> Response:
    services = context.backend.store.list_services()
    keep = [step["service"] for step in values["steps"]]
    changes = diff_values(_dumped(current.journey), _dumped(attempted)) if current and attempted else []
    return render(
        context,
        "journeys_edit.html",
        status=status,
        record=record,
        values=values,
        version=version,
        errors=_error_texts(context, errors or {}),
        problem=problem,
        notice=notice,
        current=current,
        changes=changes,
        iid=input_id,
        life_events=life_event_options(context.lang),
        event_names=dict(life_event_options(context.lang)),
        services=service_options(services, context.lang, keep),
        service_names=dict(service_options(services, context.lang, keep)),
        units=[(unit, context.t(f"journeys.unit_{unit}")) for unit in DEADLINE_UNITS],
        statuses=[(status, context.t(f"status.{status}")) for status in ("unverified", "verified")],
    )


@router.get("/journeys/new")
async def new_journey_form(request: Request, backend: PageBackendDep) -> Response:
    context = await page_context(request, backend)
    context.require("edit")
    await run_in_threadpool(_store, backend)
    return await run_in_threadpool(lambda: _form_page(context, blank_journey_values(), record=None, version=""))


def _create(context: PageContext) -> Response:
    backend, form = context.backend, context.form
    assert form is not None
    who = context.require("edit").name
    store = _store(backend)
    values = read_journey_form(form)
    if is_step_action(form.get("action")):
        return _form_page(context, values, record=None, version="", notice=context.t("journeys.steps_changed"))
    service_ids = {service.id for service in backend.store.list_services()}
    result = journey_from_form(values, None, service_ids)
    errors = dict(result.errors)
    if result.journey is not None:
        try:
            version = store.create(result.journey, who)
        except JourneyExistsError:
            errors["id"] = "journeys.id_taken"
        except UnknownServiceError as error:
            errors.update(unknown_service_errors(error))
        else:
            _audit(backend, who, "create", result.journey.id, version)
            target = f"/admin/journeys/{quote(result.journey.id)}/edit?done=created"
            return RedirectResponse(target, status_code=303)
    problem = context.t("edit.invalid")
    return _form_page(context, values, record=None, version="", errors=errors, problem=problem, status=422)


@router.post("/journeys/new")
async def create_journey(request: Request, backend: PageBackendDep) -> Response:
    context = await page_context(request, backend)
    context.require("edit")
    return await run_in_threadpool(_create, context)


def _edit(context: PageContext, journey_id: str) -> Response:
    store = _store(context.backend)
    record = _record(store, journey_id)
    params = context.request.query_params
    done = params.get("done", "")
    notice = context.t(_NOTICES[done], version=record.version) if done in ("created", "saved") else None
    return _form_page(context, journey_values(record.journey), record=record, version=record.version, notice=notice)


@router.get("/journeys/{journey_id}/edit")
async def edit_journey_form(journey_id: str, request: Request, backend: PageBackendDep) -> Response:
    context = await page_context(request, backend)
    return await run_in_threadpool(_edit, context, journey_id)


def _save(context: PageContext, journey_id: str) -> Response:
    backend, form = context.backend, context.form
    assert form is not None
    who = context.require("edit").name
    store = _store(backend)
    record = _record(store, journey_id)
    values = read_journey_form(form)
    values["id"] = journey_id
    opened = form.int_or_none("version") or record.version
    if is_step_action(form.get("action")):
        notice = context.t("journeys.steps_changed")
        return _form_page(context, values, record=record, version=opened, notice=notice)
    service_ids = {service.id for service in backend.store.list_services()}
    result = journey_from_form(values, journey_id, service_ids)
    if result.journey is None:
        problem = context.t("edit.invalid")
        return _form_page(
            context, values, record=record, version=opened, errors=result.errors, problem=problem, status=422
        )
    try:
        version = store.update(result.journey, who, expected_version=opened)
    except StaleVersionError:
        current = _record(store, journey_id)
        problem = context.t("journeys.stale", opened=opened, version=current.version, who=current.updated_by)
        return _form_page(
            context,
            values,
            record=current,
            version=current.version,  # the editor has now seen it: saving again replaces it, on purpose
            problem=problem,
            current=current,
            attempted=result.journey,
            status=409,
        )
    except UnknownServiceError as error:
        problem = context.t("edit.invalid")
        errors = unknown_service_errors(error)
        return _form_page(context, values, record=record, version=opened, errors=errors, problem=problem, status=422)
    except JourneyNotFoundError as error:
        raise PageRefusalError(404, "journeys.not_found") from error
    _audit(backend, who, "update", journey_id, version)
    return RedirectResponse(f"/admin/journeys/{quote(journey_id)}/edit?done=saved", status_code=303)


@router.post("/journeys/{journey_id}/edit")
async def save_journey(journey_id: str, request: Request, backend: PageBackendDep) -> Response:
    context = await page_context(request, backend)
    context.require("edit")
    return await run_in_threadpool(_save, context, journey_id)


def _delete_page(context: PageContext, journey_id: str) -> Response:
    context.require("edit")
    record = _record(_store(context.backend), journey_id)
    return render(context, "journeys_delete.html", record=record)


@router.get("/journeys/{journey_id}/delete")
async def delete_confirmation(journey_id: str, request: Request, backend: PageBackendDep) -> Response:
    context = await page_context(request, backend)
    return await run_in_threadpool(_delete_page, context, journey_id)


def _delete(context: PageContext, journey_id: str) -> Response:
    backend, form = context.backend, context.form
    assert form is not None
    who = context.require("edit").name
    store = _store(backend)
    record = _record(store, journey_id)
    opened = form.int_or_none("version") or record.version
    try:
        version = store.delete(journey_id, who, expected_version=opened)
    except StaleVersionError:
        problem = context.t("journeys.stale_delete", opened=opened, version=record.version, who=record.updated_by)
        return render(context, "journeys_delete.html", status=409, record=record, problem=problem)
    except JourneyNotFoundError as error:
        raise PageRefusalError(404, "journeys.not_found") from error
    _audit(backend, who, "delete", journey_id, version)
    return RedirectResponse(f"/admin/journeys?done=deleted&id={quote(journey_id)}", status_code=303)


@router.post("/journeys/{journey_id}/delete")
async def delete_journey(journey_id: str, request: Request, backend: PageBackendDep) -> Response:
    context = await page_context(request, backend)
    context.require("edit")
    return await run_in_threadpool(_delete, context, journey_id)


def _history(context: PageContext, journey_id: str) -> Response:
    store = _store(context.backend)
    record = _record(store, journey_id)
    entries = history_entries(store.history(journey_id))
    return render(context, "journeys_history.html", record=record, entries=entries)


@router.get("/journeys/{journey_id}/history")
async def journey_history(journey_id: str, request: Request, backend: PageBackendDep) -> Response:
    context = await page_context(request, backend)
    return await run_in_threadpool(_history, context, journey_id)
