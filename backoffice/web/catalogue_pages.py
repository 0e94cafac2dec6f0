"""``/admin/catalogue...``: the list, the bilingual edit form (drafts, review, publish), preview,
history with field-by-field diffs, rollback, import and export.

Every change goes through the same store and writer methods as the JSON API (gateway/api/editor.py,
editor_drafts.py) and writes the same audit actions under the signed-in account.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import quote

import yaml
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from actions.service_answer import service_card
from backoffice.web.backend import PageBackend, PageBackendDep
from backoffice.web.catalogue_view import ListFilters, filter_services, life_event_options
from backoffice.web.drafts_view import DraftFilters, author_names, filter_drafts
from backoffice.web.edit_form_view import error_texts, form_options
from backoffice.web.forms import Form
from backoffice.web.pages import PageContext, PageRefusalError, PageRoute, page_context, render
from backoffice.web.service_form import form_values, service_from_form
from knowledge.catalogue_files import CatalogueFileError, dump_services, parse_services
from knowledge.diff import FieldChange, diff_services
from knowledge.draft_preview import rank_with_draft
from knowledge.drafts import DRAFT_STATES, OPEN_STATES, Draft, DraftError, DraftExistsError
from knowledge.schema import Service
from knowledge.store import ServiceNotFoundError, StaleVersionError

__all__ = ["router"]

router = APIRouter(prefix="/admin", route_class=PageRoute, include_in_schema=False)
_LOAD_WAIT_SECONDS = 120.0
_NOTICES = {
    "saved": "edit.saved",
    "submitted": "edit.submitted",
    "published": "edit.published",
    "discarded": "edit.discarded",
    "returned": "edit.returned",
    "rebased": "edit.rebased",
    "restored": "history.restored",
}


def _audit(backend: PageBackend, who: str, action: str, target: str | None, **details: Any) -> None:
    backend.staff_accounts.audit(who, f"catalogue.{action}", target, {k: str(v) for k, v in details.items()})


def _draft_audit(backend: PageBackend, who: str, action: str, draft: Draft, **details: Any) -> None:
    _audit(backend, who, action, draft.service_id, draft_id=draft.id, draft_version=draft.version, **details)


def _live(backend: PageBackend, service_id: str) -> tuple[Service, int]:
    try:
        return backend.store.get(service_id), backend.store.current_version(service_id)
    except ServiceNotFoundError as error:
        raise PageRefusalError(404, "error.not_found") from error


def _open_draft(backend: PageBackend, service_id: str) -> Draft | None:
    drafts = backend.store.list_drafts(service_id)
    return drafts[0] if drafts else None


def _edit_base(backend: PageBackend, service_id: str) -> tuple[Service | None, int | None, Draft | None]:
    """The live service and version (None for a new service's draft) and the open draft."""
    draft = _open_draft(backend, service_id)
    try:
        return backend.store.get(service_id), backend.store.current_version(service_id), draft
    except ServiceNotFoundError as error:
        if draft is None:
            raise PageRefusalError(404, "error.not_found") from error
        return None, None, draft


def _hidden(form: Form | None, draft: Draft | None, live_version: int | None) -> dict[str, Any]:
    """The versions the form carries: what was posted when the form comes back, so a draft saved by
    someone else meanwhile is still a conflict; else the ones now."""
    if form is not None:
        return {k: form.get(k) for k in ("live_version", "draft_id", "draft_version")}
    return {
        "live_version": live_version or "",
        "draft_id": draft.id if draft else "",
        "draft_version": draft.version if draft else "",
    }


@router.get("/catalogue")
async def catalogue_list(request: Request, backend: PageBackendDep) -> Response:
    context = await page_context(request, backend)
    params = request.query_params
    days = params.get("older_than", "").strip()
    filters = ListFilters(
        query=params.get("q", ""),
        life_event=params.get("life_event", ""),
        agency=params.get("agency", ""),
        to_verify=params.get("to_verify") == "1",
        older_than_days=int(days) if days.isdigit() else None,
    )
    services = await run_in_threadpool(backend.store.list_services)
    drafts = {draft.service_id: draft for draft in await run_in_threadpool(backend.store.list_drafts)}
    shown = filter_services(services, filters, dt.date.today())
    rows = [
        {
            "service": service,
            "version": backend.store.current_version(service.id),
            "unverified": service.unverified_fields(),
            "draft": drafts.get(service.id),
        }
        for service in shown
    ]
    agencies = sorted({service.agency.get("en" if context.lang == "en" else "th") for service in services})
    return render(
        context,
        "catalogue_list.html",
        rows=rows,
        total=len(services),
        filters=filters,
        agencies=agencies,
        life_events=life_event_options(context.lang),
        notice=_import_notice(context),
    )


def _import_notice(context: PageContext) -> str | None:
    params = context.request.query_params
    if "created" in params:
        return context.t("catalogue.imported", created=params.get("created"), updated=params.get("updated"))
    return None


def _edit_page(
    context: PageContext,
    service_id: str,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    problem: str | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    backend = context.backend
    live, live_version, draft = _edit_base(backend, service_id)
    shown = draft.service if draft else live
    assert shown is not None
    changes = diff_services(live, draft.service) if draft else []
    done = context.request.query_params.get("done", "")
    if done in _NOTICES and notice is None:
        notice = context.t(
            _NOTICES[done], version=context.request.query_params.get("version", live_version), from_version=""
        )
    return render(
        context,
        "service_edit.html",
        status=status,
        service=shown,
        live_version=live_version,
        draft=draft,
        values=values or form_values(shown),
        errors=error_texts(context, errors or {}),
        changes=changes,
        hidden=_hidden(context.form if values is not None else None, draft, live_version),
        **form_options(context),
        own=bool(draft and context.principal and context.principal.name in [draft.author, *draft.contributors]),
        notice=notice,
        problem=problem,
    )


@router.get("/catalogue/{service_id}")
async def edit_form(service_id: str, request: Request, backend: PageBackendDep) -> Response:
    context = await page_context(request, backend)
    return await run_in_threadpool(_edit_page, context, service_id)


def _save(context: PageContext, service_id: str) -> Draft | Response:
    """Save the form as the service's draft (create it when there is none); or the form again with errors."""
    backend, form, who = context.backend, context.form, context.require("edit").name
    assert form is not None
    live, live_version, _draft = _edit_base(backend, service_id)
    draft_id = form.int_or_none("draft_id")
    base = backend.store.get_draft(draft_id).service if draft_id else live
    if base is None:
        raise PageRefusalError(404, "error.not_found")
    result = service_from_form(base, form)
    if result.service is None:
        return _edit_page(context, service_id, values=result.values, errors=result.errors,
                          problem=context.t("edit.invalid"), status=422)  # fmt: skip
    try:
        if draft_id is None:
            expected = form.int_or_none("live_version") or live_version
            draft = backend.store.create_draft(result.service, who, expected_base_version=expected)
            _draft_audit(backend, who, "draft_create", draft, base_version=draft.base_version)
        else:
            expected_draft = form.int_or_none("draft_version") or 0
            draft = backend.store.save_draft(draft_id, result.service, who, expected_version=expected_draft)
            _draft_audit(backend, who, "draft_save", draft)
    except DraftExistsError:
        problem = context.t("edit.conflict_draft_exists")
        return _edit_page(context, service_id, values=result.values, problem=problem, status=409)
    except DraftError as error:
        return _edit_page(context, service_id, values=result.values, problem=error.messages()[context.lang], status=409)
    except StaleVersionError:
        problem = context.t("edit.conflict_draft_exists")
        return _edit_page(context, service_id, values=result.values, problem=problem, status=409)
    return draft


def _act(context: PageContext, service_id: str) -> Response:
    backend, form = context.backend, context.form
    assert form is not None
    action = form.get("action", "save")
    done = {"save": "saved", "submit": "submitted", "publish": "published", "discard": "discarded"}.get(
        action, "rebased" if action == "rebase" else "returned"
    )
    extra = ""
    if action.startswith(("add:", "remove:")):  # "add another" / "remove": the form again, nothing saved
        context.require("edit")
        live, _version, draft = _edit_base(backend, service_id)
        base = draft.service if draft else live
        values = service_from_form(base, form).values
        return _edit_page(context, service_id, values=values, notice=context.t("edit.row_changed"))
    try:
        if action in ("save", "submit"):
            saved = _save(context, service_id)
            if not isinstance(saved, Draft):
                return saved
            if action == "submit":
                who = context.require("edit").name
                saved = backend.store.submit_draft(saved.id, who, expected_version=saved.version)
                _draft_audit(backend, who, "draft_submit", saved)
        else:
            draft_id, version = form.int_or_none("draft_id"), form.int_or_none("draft_version")
            if draft_id is None:
                raise PageRefusalError(404, "error.not_found")
            if action == "publish":
                who = context.require("publish").name
                draft = backend.store.get_draft(draft_id)
                backend.wait_until_loaded(_LOAD_WAIT_SECONDS)
                change = backend.writer.publish_draft(draft_id, who, expected_version=version)
                _draft_audit(backend, who, "publish", draft, version=change.version, author=draft.author)
                extra = f"&version={change.version}"
            elif action == "discard":
                who = context.require("edit").name
                discarded = backend.store.discard_draft(draft_id, who, version)
                _draft_audit(backend, who, "draft_discard", discarded)
                if discarded.base_version is None:  # a new service's draft: no page of its own any more
                    return RedirectResponse("/admin/drafts?state=discarded&done=discarded", status_code=303)
            elif action == "rebase":  # after the live service moved on: start from it, keep the content
                who = context.require("edit").name
                rebased = backend.store.rebase_draft(draft_id, who, version)
                _draft_audit(backend, who, "draft_rebase", rebased, base_version=rebased.base_version)
            elif action == "return":
                who = context.require("publish").name
                if not form.get("comment"):
                    problem = context.t("edit.comment_required")
                    return _edit_page(context, service_id, problem=problem, status=422)
                returned = backend.store.return_draft(draft_id, who, form.get("comment"), version)
                _draft_audit(backend, who, "draft_return", returned)
            else:
                raise PageRefusalError(400, "error.not_found")
    except DraftError as error:
        return _edit_page(context, service_id, problem=error.messages()[context.lang], status=409)
    return RedirectResponse(f"/admin/catalogue/{quote(service_id)}?done={done}{extra}", status_code=303)


@router.post("/catalogue/{service_id}")
async def edit_action(service_id: str, request: Request, backend: PageBackendDep) -> Response:
    context = await page_context(request, backend)
    return await run_in_threadpool(_act, context, service_id)


def _preview(context: PageContext, service_id: str, question: str) -> Response:
    backend = context.backend
    live, _version, draft = _edit_base(backend, service_id)
    service = draft.service if draft else live
    assert service is not None
    ranking = rank_with_draft(backend.catalogue, service, question) if question else None
    cards = {lang: service_card(service, lang) for lang in ("th", "en")}
    return render(
        context, "preview.html", service=service, draft=draft, question=question, ranking=ranking, cards=cards
    )


@router.get("/catalogue/{service_id}/preview")
async def preview(service_id: str, request: Request, backend: PageBackendDep, q: str = "") -> Response:
    context = await page_context(request, backend)
    context.require("edit")
    await run_in_threadpool(backend.wait_until_loaded, _LOAD_WAIT_SECONDS)
    return await run_in_threadpool(_preview, context, service_id, q.strip()[:300])


def _history(context: PageContext, service_id: str) -> Response:
    backend = context.backend
    live, version = _live(backend, service_id)
    records = backend.store.history(service_id)
    entries: list[dict[str, Any]] = []
    previous: Service | None = None
    for record in sorted(records, key=lambda r: r.version):
        changes: list[FieldChange] = diff_services(previous, record.service) if previous else []
        entries.append({"record": record, "changes": changes})
        previous = record.service
    entries.reverse()
    params = context.request.query_params
    notice = None
    if params.get("done") == "restored":
        notice = context.t("history.restored", from_version=params.get("from", ""), version=params.get("version", ""))
    return render(context, "history.html", service=live, live_version=version, entries=entries, notice=notice)


@router.get("/catalogue/{service_id}/history")
async def history(service_id: str, request: Request, backend: PageBackendDep) -> Response:
    context = await page_context(request, backend)
    return await run_in_threadpool(_history, context, service_id)


@router.post("/catalogue/{service_id}/history/{version}/restore")
async def restore(service_id: str, version: int, request: Request, backend: PageBackendDep) -> Response:
    context = await page_context(request, backend)
    who = context.require("rollback").name

    def write() -> int:
        backend.wait_until_loaded(_LOAD_WAIT_SECONDS)
        try:
            change = backend.writer.restore(service_id, version, who)
        except ServiceNotFoundError as error:
            raise PageRefusalError(404, "error.not_found") from error
        path = f"/api/admin/services/{service_id}/versions/{version}/restore"
        _audit(backend, who, "restore", service_id, path=path, version=version)
        return change.version

    new_version = await run_in_threadpool(write)
    target = f"/admin/catalogue/{quote(service_id)}/history?done=restored&from={version}&version={new_version}"
    return RedirectResponse(target, status_code=303)


@router.get("/catalogue-export")
async def export(request: Request, backend: PageBackendDep, format: str = "yaml") -> Response:
    context = await page_context(request, backend)
    context.require("edit")
    kind = "json" if format == "json" else "yaml"
    text = dump_services(await run_in_threadpool(backend.store.list_services), kind)
    media = "application/json" if kind == "json" else "application/yaml"
    headers = {"Content-Disposition": f'attachment; filename="catalogue.{kind}"'}
    return PlainTextResponse(text, media_type=media, headers=headers)


@router.post("/catalogue-import")
async def import_services(request: Request, backend: PageBackendDep) -> Response:
    context = await page_context(request, backend)
    who = context.require("import_export").name
    assert context.form is not None
    text = context.form.raw("services")
    try:
        raw = json.loads(text) if text.lstrip().startswith(("[", "{")) else yaml.safe_load(text)
        services = parse_services(raw, "import")
    except (ValueError, yaml.YAMLError, CatalogueFileError) as error:
        problem = f"{context.t('catalogue.import_invalid')} {error}"
        return render(context, "message.html", status=422, message=problem)

    def write() -> dict[str, int]:
        backend.wait_until_loaded(_LOAD_WAIT_SECONDS)
        counts = backend.writer.import_services(services, who)
        _audit(backend, who, "import", None, path="/api/admin/import")
        return counts

    counts = await run_in_threadpool(write)
    created, updated = counts.get("created", 0), counts.get("updated", 0)
    return RedirectResponse(f"/admin/catalogue?created={created}&updated={updated}", status_code=303)


@router.get("/drafts")
async def drafts(request: Request, backend: PageBackendDep) -> Response:
    context = await page_context(request, backend)
    if not (context.can("edit") or context.can("publish")):
        raise PageRefusalError(403, "error.forbidden")
    params = request.query_params
    state = params.get("state", "open")
    filters = DraftFilters(state if state in (*DRAFT_STATES, "open", "all") else "open",
                           params.get("author", ""), params.get("service", ""))  # fmt: skip
    states = {"open": OPEN_STATES, "all": DRAFT_STATES}.get(filters.state, (filters.state,))
    every = await run_in_threadpool(backend.store.list_drafts, None, DRAFT_STATES)  # the author choices too
    return render(
        context,
        "drafts.html",
        drafts=filter_drafts([draft for draft in every if draft.state in states], filters),
        filters=filters,
        states=DRAFT_STATES,
        authors=author_names(every),
        notice=context.t("edit.discarded") if params.get("done") == "discarded" else None,
    )
