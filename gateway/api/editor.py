"""``/api/admin/...``: the editor API for keeping the catalogue current.

Every change goes through :class:`knowledge.catalogue_writer.CatalogueWriter`: versioned in
the store (who, when, which fields) and applied to the live search index before the response
returns, so it is searchable at once, without retraining Rasa or restarting anything. These
handlers only parse the request, call the writer and turn its errors into HTTP answers.
``GET /api/admin/stale`` lists the facts to check again (knowledge.fact_review). Drafts, review,
publish, preview and diffs: :mod:`gateway.api.editor_drafts`, included here under the same prefix.
Protected by a bearer token: an account's API token (``citizenbot users token NAME``; writes need the
role's ``edit`` permission, restores ``rollback``, imports ``import_export``; the history and the audit
log name the account), or the shared ``editor.token``, which is deprecated and kept for existing
automation (the history takes the name from ``X-Editor``).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, Literal, TypeVar

import yaml
from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ValidationError

from backoffice.accounts.http_auth import bearer_principal
from backoffice.accounts.messages import staff_error
from backoffice.accounts.roles import Permission
from gateway.api.deps import RuntimeDep
from gateway.api.editor_drafts import router as drafts_router
from gateway.runtime import Runtime
from http_api.body import decode_body, loads_json, parse_json_body, validation_details
from http_api.errors import ApiError
from knowledge.catalogue_files import CatalogueFileError, dump_services, parse_services
from knowledge.catalogue_writer import Change
from knowledge.fact_review import review_facts
from knowledge.schema import Service
from knowledge.store import ServiceExistsError, ServiceNotFoundError, StaleVersionError, VersionRecord

__all__ = ["router"]

_MAX_SERVICE_BYTES = 512 * 1024
_MAX_IMPORT_BYTES = 20 * 1024 * 1024
_LOAD_WAIT_SECONDS = 120.0

T = TypeVar("T")


def _needed_permission(request: Request) -> Permission | None:
    """What an account token needs for this request: None for reading the catalogue."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    if request.url.path.endswith("/restore"):
        return "rollback"
    if request.url.path.endswith("/import"):
        return "import_export"
    return "edit"


async def _changed_service(request: Request) -> str | None:
    """The service a successful change touched, for the audit log: from the URL, or a created one's body."""
    service_id = request.path_params.get("service_id")
    if service_id is None and request.method == "POST" and request.url.path.endswith("/services"):
        try:
            body = json.loads(await request.body())
        except ValueError:
            return None
        service_id = body.get("id") if isinstance(body, dict) else None
    return str(service_id)[:200] if service_id is not None else None


def _unauthorized() -> ApiError:
    return ApiError(401, "unauthorized", "A valid editor token is required (Authorization: Bearer <token>).")


async def require_editor(
    request: Request,
    runtime: RuntimeDep,
    authorization: Annotated[str | None, Header()] = None,
    x_editor: Annotated[str | None, Header(max_length=120)] = None,
) -> AsyncIterator[str]:
    """Check the bearer token and yield the name that goes into the history.

    The shared token (deprecated) is checked first, exactly as before: the name comes from X-Editor.
    Any other bearer token must be an account's, whose role grants what the request needs; its name
    goes into the history, and each successful change made with it into the audit log."""
    expected = runtime.settings.editor.token.get_secret_value()
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() == "bearer" and hmac.compare_digest(token.encode(), expected.encode()):
        yield (x_editor or "editor").strip() or "editor"
        return
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized()
    try:
        principal = await bearer_principal(runtime.staff_accounts, authorization or "")
    except ApiError as error:
        raise _unauthorized() from error
    needed = _needed_permission(request)
    if needed is not None and not principal.can(needed):
        raise staff_error("forbidden", {"missing_permission": needed}, role=principal.role, permission=needed)
    yield principal.name
    if needed is not None:  # reached only when the change succeeded (an error is raised at the yield)
        action = {"POST": "create", "PUT": "update", "DELETE": "delete"}.get(request.method, request.method.lower())
        if needed != "edit":
            action = "restore" if needed == "rollback" else "import"
        details = {"path": request.url.path}
        if needed == "rollback":
            details["version"] = str(request.path_params.get("version"))
        target = await _changed_service(request)
        await run_in_threadpool(runtime.staff_accounts.audit, principal.name, f"catalogue.{action}", target, details)


EditorDep = Annotated[str, Depends(require_editor)]
router = APIRouter(prefix="/api/admin", tags=["editor"])


class ServiceSummary(BaseModel):
    id: str
    title_th: str
    title_en: str
    version: int
    last_reviewed: str | None  # None: no fact of the service has been checked yet
    to_verify: list[str]


class ChangeResult(BaseModel):
    id: str
    version: int
    searchable: bool = True

    @classmethod
    def of(cls, change: Change) -> ChangeResult:
        return cls(id=change.service_id, version=change.version, searchable=change.searchable)


class VersionOut(BaseModel):
    version: int
    change: str
    author: str
    created_at: str
    changed_fields: list[str]
    service: dict[str, Any]


def _version_out(record: VersionRecord) -> VersionOut:
    return VersionOut(
        version=record.version,
        change=record.change,
        author=record.author,
        created_at=record.created_at.isoformat(),
        changed_fields=record.changed_fields,
        service=record.service.model_dump(mode="json"),
    )


def _not_found(error: LookupError) -> ApiError:
    return ApiError(404, "not_found", str(error).strip("'\""))


async def _write(runtime: Runtime, change: Callable[[], T]) -> T:
    """Run a change off the event loop, once the index has loaded, so it is searchable on return."""
    await run_in_threadpool(runtime.wait_until_loaded, _LOAD_WAIT_SECONDS)
    return await run_in_threadpool(change)


@router.get("/services", response_model=list[ServiceSummary])
def list_services(runtime: RuntimeDep, _editor: EditorDep) -> list[ServiceSummary]:
    return [
        ServiceSummary(
            id=s.id,
            title_th=s.title.th,
            title_en=s.title.en,
            version=runtime.store.current_version(s.id),
            last_reviewed=s.last_reviewed.isoformat() if s.last_reviewed else None,
            to_verify=s.to_verify,
        )
        for s in runtime.store.list_services()
    ]


@router.get("/services/{service_id}")
def get_service(service_id: str, runtime: RuntimeDep, _editor: EditorDep) -> dict[str, Any]:
    try:
        service = runtime.store.get(service_id)
    except ServiceNotFoundError as error:
        raise _not_found(error) from error
    return {"version": runtime.store.current_version(service_id), "service": service.model_dump(mode="json")}


@router.post("/services", status_code=201, response_model=ChangeResult)
async def create_service(request: Request, runtime: RuntimeDep, editor: EditorDep) -> ChangeResult:
    service = await parse_json_body(request, Service, _MAX_SERVICE_BYTES)
    try:
        change = await _write(runtime, lambda: runtime.writer.create(service, editor))
    except ServiceExistsError as error:
        raise ApiError(409, "already_exists", str(error)) from error
    return ChangeResult.of(change)


def id_mismatch(in_body: str, in_url: str) -> ApiError:
    """The 422 for a saved document whose id is not the one its URL names (services, journeys)."""
    return ApiError(
        422,
        "invalid_request",
        "The request is not valid.",
        [{"field": "id", "problem": f"id {in_body!r} does not match the URL ({in_url!r})"}],
    )


@router.put("/services/{service_id}", response_model=ChangeResult)
async def update_service(
    service_id: str,
    request: Request,
    runtime: RuntimeDep,
    editor: EditorDep,
    expected_version: Annotated[int | None, Query(ge=1, description="Refuse if the service moved on")] = None,
) -> ChangeResult:
    service = await parse_json_body(request, Service, _MAX_SERVICE_BYTES)
    if service.id != service_id:
        raise id_mismatch(service.id, service_id)
    try:
        change = await _write(runtime, lambda: runtime.writer.update(service, editor, expected_version))
    except ServiceNotFoundError as error:
        raise _not_found(error) from error
    except StaleVersionError as error:
        raise ApiError(409, "stale_version", str(error)) from error
    return ChangeResult.of(change)


@router.delete("/services/{service_id}", response_model=ChangeResult)
async def delete_service(service_id: str, runtime: RuntimeDep, editor: EditorDep) -> ChangeResult:
    try:
        change = await _write(runtime, lambda: runtime.writer.delete(service_id, editor))
    except ServiceNotFoundError as error:
        raise _not_found(error) from error
    return ChangeResult.of(change)


@router.get("/services/{service_id}/versions", response_model=list[VersionOut])
def service_history(service_id: str, runtime: RuntimeDep, _editor: EditorDep) -> list[VersionOut]:
    try:
        return [_version_out(record) for record in runtime.store.history(service_id)]
    except ServiceNotFoundError as error:
        raise _not_found(error) from error


@router.post("/services/{service_id}/versions/{version}/restore", response_model=ChangeResult)
async def restore_version(service_id: str, version: int, runtime: RuntimeDep, editor: EditorDep) -> ChangeResult:
    try:
        change = await _write(runtime, lambda: runtime.writer.restore(service_id, version, editor))
    except ServiceNotFoundError as error:
        raise _not_found(error) from error
    return ChangeResult.of(change)


@router.get("/stale")
def stale_facts(
    runtime: RuntimeDep,
    _editor: EditorDep,
    older_than_days: Annotated[
        int | None,
        Query(ge=0, description="A fact checked more than this many days ago is stale (default: the setting)"),
    ] = None,
) -> dict[str, Any]:
    """Per service: facts checked too long ago, without a source or not yet verified, and services
    without facts; the same review as ``citizenbot catalogue stale --json``."""
    days = runtime.settings.catalogue.fact_max_age_days if older_than_days is None else older_than_days
    return review_facts(runtime.store.list_services(), max_age_days=days).to_dict()


@router.get("/export")
def export_catalogue(
    runtime: RuntimeDep, _editor: EditorDep, format: Literal["yaml", "json"] = "yaml"
) -> PlainTextResponse:
    media = "application/json" if format == "json" else "application/yaml"
    return PlainTextResponse(
        dump_services(runtime.store.list_services(), format),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="catalogue.{format}"'},
    )


@router.post("/import")
async def import_catalogue(request: Request, runtime: RuntimeDep, editor: EditorDep) -> dict[str, int]:
    """Create or update services from a YAML or JSON list (by Content-Type); all or nothing."""
    text = await decode_body(request, _MAX_IMPORT_BYTES)
    if "yaml" in request.headers.get("content-type", ""):
        try:
            raw = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise ApiError(400, "malformed_yaml", f"The request body is not valid YAML: {error}") from error
    else:
        raw = loads_json(text)
    try:
        services = parse_services(raw, "import")
    except CatalogueFileError as error:
        problems = [line.removeprefix("import: ") for line in str(error).splitlines()]
        message = "The catalogue is not valid; nothing was imported."
        raise ApiError(422, "invalid_catalogue", message, problems) from error
    except ValidationError as error:  # pragma: no cover - parse_services wraps these
        raise ApiError(422, "invalid_catalogue", "The catalogue is not valid.", validation_details(error)) from error
    return await _write(runtime, lambda: runtime.writer.import_services(services, editor))


router.include_router(drafts_router)  # /api/admin/drafts..., /api/admin/services/{id}/diff
