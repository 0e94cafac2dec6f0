"""``/admin/catalogue-new``: a new service written in the browser, saved as a draft of a service that
is not live yet; a reviewer publishes it from its edit page like any other draft.

It goes through :meth:`CatalogueStore.create_draft` and writes the same audit actions as
``POST /api/admin/drafts`` (catalogue.draft_create, then catalogue.draft_submit when sent for review).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from backoffice.web.backend import PageBackend, PageBackendDep
from backoffice.web.edit_form_view import error_texts, form_options
from backoffice.web.pages import PageContext, PageRoute, page_context, render
from backoffice.web.service_form import blank_values, service_from_form
from knowledge.drafts import DraftExistsError
from knowledge.store import ServiceNotFoundError

__all__ = ["router"]

router = APIRouter(prefix="/admin", route_class=PageRoute, include_in_schema=False)


def _page(
    context: PageContext,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    *,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    problem = context.t("edit.invalid") if errors else None
    return render(
        context,
        "service_new.html",
        status=status,
        values=values,
        errors=error_texts(context, errors or {}),
        problem=problem,
        notice=notice,
        **form_options(context),
    )


def _id_taken(backend: PageBackend, service_id: str) -> bool:
    if backend.store.list_drafts(service_id):
        return True
    try:
        backend.store.get(service_id)
    except ServiceNotFoundError:
        return False
    return True


@router.get("/catalogue-new")
async def new_service_form(request: Request, backend: PageBackendDep) -> Response:
    context = await page_context(request, backend)
    context.require("edit")
    return _page(context, blank_values())


def _create(context: PageContext) -> Response:
    backend, form, who = context.backend, context.form, context.require("edit").name
    assert form is not None
    action = form.get("action", "save")
    result = service_from_form(None, form)
    if action.startswith(("add:", "remove:")):  # "add another" / "remove": the form again, nothing saved
        return _page(context, result.values, notice=context.t("edit.row_changed"))
    errors = dict(result.errors)
    service_id = result.values["id"]
    if "id" not in errors and _id_taken(backend, service_id):
        errors["id"] = "edit.id_taken"
    if errors or result.service is None:
        return _page(context, result.values, errors, status=422)
    try:
        draft = backend.store.create_draft(result.service, who)
    except DraftExistsError:
        return _page(context, result.values, {"id": "edit.id_taken"}, status=409)
    details = {"draft_id": str(draft.id), "draft_version": str(draft.version), "base_version": "None"}
    backend.staff_accounts.audit(who, "catalogue.draft_create", draft.service_id, details)
    done = "saved"
    if action == "submit":
        draft = backend.store.submit_draft(draft.id, who, expected_version=draft.version)
        details = {"draft_id": str(draft.id), "draft_version": str(draft.version)}
        backend.staff_accounts.audit(who, "catalogue.draft_submit", draft.service_id, details)
        done = "submitted"
    return RedirectResponse(f"/admin/catalogue/{quote(service_id)}?done={done}", status_code=303)


@router.post("/catalogue-new")
async def create_service(request: Request, backend: PageBackendDep) -> Response:
    context = await page_context(request, backend)
    context.require("edit")
    return await run_in_threadpool(_create, context)
