"""One status change, checked the same way for the officers' API, their page and an external system.

Why one place: the desk (:meth:`ReportsStore.change_status`) keeps the history, the version and the
citizen's notice; what is checked before it is called, and how each refusal is told, must not differ
between an officer's page and an outside system's call. The order of the checks is the order a person
would want to hear them: the report is gone (404), someone changed it meanwhile (409, with the report
as it is now), then what is wrong with this change (422: not a next status, no reason for a
rejection, no note for done, an after-photo that is not a photo). The after-photo is stored only once
everything else is right, and removed again when the change still loses a race.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from backoffice.reports.messages import reports_error
from backoffice.reports.views import item_of
from conversation.reports.photos import PhotoError, PhotoStore
from conversation.reports.store import (
    Report,
    ReportNotFoundError,
    ReportsStore,
    ReportStateError,
    next_statuses,
)
from http_api.errors import ApiError

__all__ = ["StatusRequest", "apply_status", "decode_photo", "megabytes", "upload_body_limits"]

_DATA_URL_MARK = ";base64,"


@dataclass(frozen=True)
class StatusRequest:
    """What a caller asks for; ``version`` None means "whatever it is now" (an external system)."""

    status: str
    version: int | None = None
    note: str | None = None
    reason: str | None = None
    after_photo: str | None = None  # base64 (or a data: URL) of the image
    external_id: str | None = None


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def upload_body_limits(photo_max_bytes: int) -> dict[str, int]:
    """Request-body limits for the routes that carry an after-photo in base64: the API's JSON, and the
    page's urlencoded form (where ``+`` and ``/`` of base64 take three bytes each)."""
    encoded = (photo_max_bytes * 4) // 3 + 4
    return {"/api/admin/reports": encoded + 64 * 1024, "/admin/reports": (encoded * 3) // 2 + 64 * 1024}


def decode_photo(value: str, max_bytes: int) -> bytes:
    """The image bytes of a base64 string or a ``data:image/...;base64,`` URL; 422 when it is neither."""
    if value.startswith("data:") and _DATA_URL_MARK in value:
        value = value.split(_DATA_URL_MARK, 1)[1]
    compact = "".join(value.split())
    if len(compact) > (max_bytes * 4) // 3 + 4:
        raise reports_error("photo_too_big", limit=megabytes(max_bytes))
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError) as error:
        raise reports_error("photo_bad_encoding") from error


def _current(reports: ReportsStore, report_id: int) -> Report:
    try:
        return reports.get(report_id)
    except ReportNotFoundError as error:
        raise reports_error("report_not_found", {"id": report_id}, id=report_id) from error


def _changed(reports: ReportsStore, report: Report) -> ApiError:
    sizes = reports.case_sizes([report.case_id])
    shown = item_of(report, reports.taxonomy, sizes.get(report.case_id, 1)).model_dump(mode="json")
    return reports_error(
        "report_changed", {"report": shown}, ticket=report.ticket, status=report.status, version=report.version
    )


def _check(current: Report, request: StatusRequest, require_note: bool) -> None:
    allowed = next_statuses(current.status)
    if request.status not in allowed:
        raise reports_error(
            "status_not_allowed",
            {"status": current.status, "allowed": list(allowed)},
            ticket=current.ticket,
            status=current.status,
            wanted=request.status,
        )
    if request.status == "rejected" and not (request.reason or "").strip():
        raise reports_error("reason_required")
    if require_note and request.status == "done" and not (request.note or "").strip():
        raise reports_error("note_required")
    if request.after_photo and request.status != "done":
        raise reports_error("photo_only_when_done")


def _save_photo(photos: PhotoStore | None, value: str) -> str:
    if photos is None:
        raise reports_error("reports_unavailable")
    data = decode_photo(value, photos.max_bytes)
    try:
        return photos.save(data).ref
    except PhotoError as error:
        raise reports_error(error.reason, limit=megabytes(photos.max_bytes)) from error


def apply_status(
    reports: ReportsStore,
    photos: PhotoStore | None,
    report_id: int,
    request: StatusRequest,
    actor: str,
    *,
    require_note: bool = True,
) -> Report:
    """Change the report's status for ``actor`` (blocking: run it in a thread); raises the API's errors.

    ``require_note``: done needs a note (officers: the citizen should read what was done). An outside
    system's own rules decide what it sends; refusing its "done" would leave the citizen told less."""
    current = _current(reports, report_id)
    if request.version is not None and request.version != current.version:
        raise _changed(reports, current)
    _check(current, request, require_note)
    photo_ref = _save_photo(photos, request.after_photo) if request.after_photo else None
    try:
        return reports.change_status(
            report_id,
            request.status,
            actor,
            note=request.note,
            reason=request.reason,
            after_photo_ref=photo_ref,
            expected_version=current.version,
            external_id=request.external_id,
        )
    except ReportStateError as error:  # changed between our read and the conditional UPDATE
        _forget(photos, photo_ref)
        raise _changed(reports, error.report) from error
    except ReportNotFoundError as error:
        _forget(photos, photo_ref)
        raise reports_error("report_not_found", {"id": report_id}, id=report_id) from error
    except ValueError as error:  # a note or reason over the length limit
        _forget(photos, photo_ref)
        raise reports_error("invalid_value", problem=str(error)) from error


def _forget(photos: PhotoStore | None, ref: str | None) -> None:
    if photos is not None and ref:
        photos.delete(ref)
