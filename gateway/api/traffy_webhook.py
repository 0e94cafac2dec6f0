"""``POST /api/reports/traffy/webhook``: Traffy Fondue tells us a forwarded report's state changed.

Authenticated like the status API, by the bearer token ``settings.reports.status_api_tokens["traffy"]``
(503 while none is set). The body names the report by our ticket (``client_ticket_id``, which the
forwarder sent) or by Traffy's (``ticket_id``, kept as ``external_id``), and Traffy's Thai state name,
mapped onto ours (:data:`TRAFFY_STATES`). The field names follow Traffy's exchange API (``ticket_id``,
``client_ticket_id``, ``state``, ``note``) and are to be verified against their webhook contract
(docs/reports.md). The change goes through ``ReportsStore.change_status`` with the actor
``external:traffy``, so it is recorded and the citizen gets a notice like any other.

Answers: 200 with the report's status (``changed`` false when it already was in that state), 404 for a
report we do not know, 409 when ours has moved past that state (an officer closed it), 422 for a body
we cannot read or a state we do not know, with the known states listed.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from conversation.reports.forwarder import ACTOR
from conversation.reports.store import Report, ReportNotFoundError, ReportsStore, ReportStateError, Status
from gateway.api.deps import RuntimeDep
from gateway.api.report_tokens import external_system
from http_api.body import parse_json_body
from http_api.errors import ApiError

__all__ = ["TRAFFY_STATES", "router"]

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/reports/traffy", tags=["reports"])

# Traffy Fondue's state names (their exchange API and public ticket data) onto ours.
TRAFFY_STATES: dict[str, Status] = {
    "รอรับเรื่อง": "forwarded",  # waiting for an agency to take it: it is with them
    "ส่งต่อ": "forwarded",
    "ส่งต่อ(ใหม่)": "forwarded",
    "เชิญร่วม": "forwarded",
    "รับเรื่อง": "in_progress",
    "กำลังดำเนินการ": "in_progress",
    "ศึกษาปัญหา": "in_progress",
    "จัดทำนโยบาย": "in_progress",
    "เสร็จสิ้น": "done",
    "ไม่เกี่ยวข้อง": "rejected",
    "ปฏิเสธ": "rejected",
}
_DEFAULT_REASON = "Traffy Fondue: ไม่เกี่ยวข้อง / not a matter for the agency"


class TraffyStateChange(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    ticket_id: str | None = Field(default=None, max_length=120, description="Traffy Fondue's ticket id")
    client_ticket_id: str | None = Field(default=None, max_length=40, description="Our ticket, as forwarded")
    state: str = Field(min_length=1, max_length=60, description="Traffy Fondue's state name, e.g. เสร็จสิ้น")
    note: str | None = Field(default=None, max_length=2000)


class WebhookOut(BaseModel):
    ticket: str
    status: Status
    changed: bool


def _find(store: ReportsStore, change: TraffyStateChange) -> Report:
    if change.client_ticket_id:
        return store.by_ticket(change.client_ticket_id)
    if change.ticket_id:
        return store.by_external_id(change.ticket_id)
    raise ApiError(422, "invalid_request", "Name the report by client_ticket_id or ticket_id.")


def _apply(store: ReportsStore, change: TraffyStateChange) -> WebhookOut:
    status = TRAFFY_STATES.get(change.state)
    if status is None:
        raise ApiError(
            422,
            "unknown_state",
            f"Unknown Traffy Fondue state {change.state!r}.",
            {"known_states": sorted(TRAFFY_STATES)},
        )
    try:
        report = _find(store, change)
    except ReportNotFoundError as error:
        raise ApiError(404, "not_found", "No such report.") from error
    if report.status == status:
        return WebhookOut(ticket=report.ticket, status=report.status, changed=False)
    reason = (change.note or _DEFAULT_REASON) if status == "rejected" else None
    try:
        changed = store.change_status(
            report.id,
            status,
            ACTOR,
            note=change.note if status != "rejected" else None,
            reason=reason,
            expected_version=report.version,
            external_id=change.ticket_id if change.ticket_id and not report.external_id else None,
        )
    except ReportStateError as error:
        raise ApiError(
            409,
            "conflict",
            f"Report {error.report.ticket} is {error.report.status}: {error.problem}.",
            {"ticket": error.report.ticket, "status": error.report.status},
        ) from error
    except ValueError as error:
        raise ApiError(422, "invalid_request", str(error)) from error
    return WebhookOut(ticket=changed.ticket, status=changed.status, changed=True)


@router.post(
    "/webhook",
    response_model=WebhookOut,
    summary="Traffy Fondue's state change of a forwarded report",
    responses={
        400: {"description": "An empty body, or one that is not UTF-8 JSON"},
        401: {"description": "No valid bearer token for traffy"},
        404: {"description": "No such report"},
        409: {"description": "The report has moved past that state"},
        413: {"description": "A body larger than 16 KiB"},
        422: {"description": "A body we cannot read, or an unknown state"},
        503: {"description": "No token for traffy is configured"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": TraffyStateChange.model_json_schema()}},
        }
    },
)
async def traffy_webhook(request: Request, runtime: RuntimeDep) -> WebhookOut:
    external_system(request, runtime.settings.reports, only="traffy")
    store = runtime.reports
    if store is None:
        raise ApiError(503, "not_configured", "The reports desk is not running on this server.")
    change = await parse_json_body(request, TraffyStateChange, max_bytes=16 * 1024)
    result: WebhookOut = await run_in_threadpool(_apply, store, change)
    logger.info("Traffy Fondue changed report %s to %s", result.ticket, result.status)
    return result
