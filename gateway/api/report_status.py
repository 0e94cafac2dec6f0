"""``/api/reports/{ticket}``: outside case systems read and change a report's status by its ticket.

Each system has its own bearer token in ``settings.reports.status_api_tokens`` ({"<system>": token}),
checked in constant time by :func:`gateway.api.report_tokens.external_system`; no tokens configured
is 503 (nothing outside may change a status), a missing or wrong token 401, both before the body is
read. A change is recorded with the actor ``external:<system>`` and queues the citizen's notice,
exactly as an officer's does (:func:`backoffice.reports.status.apply_status`).

``version`` is optional: a system that does not track our versions changes whatever the report is
now; one that sends it gets 409 when the report changed since. Unlike an officer, a system may mark a
report done without a note. Answers: 404 unknown ticket, 409 stale version, 422 an unreadable body
(malformed JSON included) or a change the report does not allow. What is returned is the status and
its history, masked, with officers shown as ``officer`` (their account names stay inside).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from backoffice.reports.status import StatusRequest, apply_status
from conversation.reports.store import MAX_NOTE_CHARS, Report, ReportNotFoundError, ReportsStore
from gateway.api.deps import RuntimeDep
from gateway.api.report_tokens import external_system
from http_api.body import validation_details
from http_api.errors import ApiError
from nlu.pii import mask_pii

__all__ = ["ExternalReport", "ExternalStatusBody", "router"]

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/reports", tags=["reports"])

TicketPath = Annotated[str, Path(min_length=1, max_length=40, description="Our ticket, e.g. R261202-00042")]
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid bearer token"},
    404: {"description": "No report with this ticket"},
    503: {"description": "No outside system's token is configured"},
}
_MAX_BODY_BYTES = 16 * 1024


class ExternalStatusBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    status: Literal["received", "forwarded", "in_progress", "done", "rejected"]
    version: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="The version you last saw; omitted: change it as it is now"
    )
    note: str | None = Field(default=None, max_length=MAX_NOTE_CHARS, description="Shown to the citizen")
    reason: str | None = Field(
        default=None, max_length=MAX_NOTE_CHARS, description="Required for rejected; shown to the citizen"
    )
    external_id: str | None = Field(default=None, max_length=120, description="Your id of this case, kept with it")


class ExternalHistoryEntry(BaseModel):
    status: str
    note: str | None
    reason: str | None
    actor: str = Field(description="citizen, officer, or external:<system>")
    created_at: dt.datetime


class ExternalReport(BaseModel):
    ticket: str
    type: str = Field(description="Traffy Fondue's Thai type name")
    status: str
    organisation: str
    note: str | None
    reason: str | None
    version: int
    external_id: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    history: list[ExternalHistoryEntry]


def _masked(value: str | None) -> str | None:
    return mask_pii(value) if value else value


def _actor(actor: str) -> str:
    return actor if actor == "citizen" or actor.startswith("external:") else "officer"


def _view(store: ReportsStore, report: Report) -> ExternalReport:
    return ExternalReport(
        ticket=report.ticket,
        type=report.type,
        status=report.status,
        organisation=report.organisation,
        note=_masked(report.note),
        reason=_masked(report.reason),
        version=report.version,
        external_id=report.external_id,
        created_at=report.created_at,
        updated_at=report.updated_at,
        history=[
            ExternalHistoryEntry(
                status=change.status,
                note=_masked(change.note),
                reason=_masked(change.reason),
                actor=_actor(change.actor),
                created_at=change.created_at,
            )
            for change in store.history(report.id)
        ],
    )


def _store(runtime: Any) -> ReportsStore:
    store: ReportsStore | None = runtime.reports
    if store is None:
        raise ApiError(503, "not_configured", "The reports desk is not running on this server.")
    return store


def _by_ticket(store: ReportsStore, ticket: str) -> Report:
    try:
        return store.by_ticket(ticket)
    except ReportNotFoundError as error:
        raise ApiError(404, "not_found", f"There is no report {ticket!r}.") from error


async def _body(request: Request) -> ExternalStatusBody:
    """The JSON body; anything unreadable (empty, not UTF-8, not JSON, wrong fields) is a 422."""
    raw = await request.body()
    if len(raw) > _MAX_BODY_BYTES:
        raise ApiError(413, "too_large", f"The request body is larger than {_MAX_BODY_BYTES} bytes.")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ApiError(422, "malformed_json", 'The request body is not a JSON object: send {"status": ...}.') from error
    try:
        return ExternalStatusBody.model_validate(data)
    except ValidationError as error:
        raise ApiError(422, "invalid_request", "The request is not valid.", validation_details(error)) from error


@router.get("/{ticket}", response_model=ExternalReport, summary="A report's status and history", responses=_ERRORS)
async def report_status(ticket: TicketPath, request: Request, runtime: RuntimeDep) -> ExternalReport:
    external_system(request, runtime.settings.reports)
    store = _store(runtime)
    report = await run_in_threadpool(_by_ticket, store, ticket)
    return await run_in_threadpool(_view, store, report)


@router.post(
    "/{ticket}/status",
    response_model=ExternalReport,
    summary="Change a report's status from an outside case system",
    responses={
        **_ERRORS,
        409: {"description": "The report changed since the version sent: details.report is how it is now"},
        422: {"description": "An unreadable body, or a change the report does not allow (details say which)"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ExternalStatusBody.model_json_schema()}},
        }
    },
)
async def change_report_status(ticket: TicketPath, request: Request, runtime: RuntimeDep) -> ExternalReport:
    system = external_system(request, runtime.settings.reports)
    store = _store(runtime)
    body = await _body(request)
    report = await run_in_threadpool(_by_ticket, store, ticket)
    change = StatusRequest(body.status, body.version, body.note, body.reason, external_id=body.external_id)
    try:
        changed = await run_in_threadpool(
            lambda: apply_status(store, None, report.id, change, f"external:{system}", require_note=False)
        )
    except ApiError as error:
        if error.code == "report_changed":  # the report as this API shows it, not the officers' queue item
            now = await run_in_threadpool(_by_ticket, store, ticket)
            error.details = {
                **error.details,
                "report": (await run_in_threadpool(_view, store, now)).model_dump(mode="json"),
            }
        raise
    logger.info("external system %s changed report %s to %s", system, changed.ticket, changed.status)
    return await run_in_threadpool(_view, store, changed)
