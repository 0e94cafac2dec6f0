"""``POST /api/chat/reports/photo?sender=<id>``: the widget's photo for the problem report being told.

The body is the image itself (``Content-Type: image/jpeg``, ``image/png`` or ``image/webp``), as the
browser's ``fetch(url, {body: file})`` sends a picked file: no multipart parser is needed, and the
size is known before anything is decoded. The photo is checked and stored without its metadata
(:class:`conversation.reports.photos.PhotoStore`); the answer is its ``photo_ref``, which the widget
then sends to ``POST /api/chat``. Only a conversation the gateway issued, with a report waiting,
may upload: anything else is 404 / 409, so nobody fills the disk with photos of no report. Refusals
are bilingual: 413 too large, 415 not an image (by its content, not its name), 422 empty.
"""

from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from channels.web.limits import ChatLimits, check_client, check_conversation
from channels.web.sender_ids import SenderIds, unknown_conversation
from conversation.reports.desk import ReportDesk
from conversation.reports.photos import PhotoError, PhotoStore, StoredPhoto
from http_api.deps import app_runtime
from http_api.errors import ApiError
from http_api.rate_limits import RateLimiter
from texts import Lang, text

__all__ = ["PHOTO_PATH", "ReportPhotoBackend", "body_limits", "router"]

PHOTO_PATH = "/api/chat/reports/photo"

router = APIRouter(tags=["chat"])


class ReportPhotoBackend(Protocol):
    @property
    def web_senders(self) -> SenderIds: ...

    @property
    def rate_limiter(self) -> RateLimiter: ...

    @property
    def chat_limits(self) -> ChatLimits: ...

    @property
    def report_desk(self) -> ReportDesk | None: ...

    @property
    def report_photos(self) -> PhotoStore | None: ...


BackendDep = Annotated[ReportPhotoBackend, Depends(app_runtime)]


class PhotoOut(BaseModel):
    photo_ref: str = Field(description="Send it as photo_ref to POST /api/chat")
    content_type: str
    size: int


def body_limits(photo_max_bytes: int) -> dict[str, int]:
    """The body-size middleware's limit for this route: above the photo limit, so the route itself
    refuses a too-large photo with its bilingual message."""
    return {PHOTO_PATH: photo_max_bytes * 2 + 64 * 1024}


def _refusal(status: int, code: str, key: str, **values: object) -> ApiError:
    both: tuple[Lang, Lang] = ("th", "en")
    messages = {lang: text(f"reports.{key}", lang, **values) for lang in both}
    return ApiError(status, code, messages["en"], {"messages": messages})


_STATUS = {"photo_too_big": (413, "too_large"), "photo_not_image": (415, "not_an_image"), "photo_empty": (422, "empty")}


@router.post(
    PHOTO_PATH,
    response_model=PhotoOut,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                kind: {"schema": {"type": "string", "format": "binary"}}
                for kind in ("image/jpeg", "image/png", "image/webp")
            },
        }
    },
    responses={
        404: {"description": "A conversation id the gateway did not issue"},
        409: {"description": "No problem report of this conversation is waiting for a photo"},
        413: {"description": "The photo is larger than the limit"},
        415: {"description": "Not a JPEG, PNG or WebP image"},
        422: {"description": "An empty body"},
        429: {"description": "Too many requests; see Retry-After"},
    },
)
async def upload_photo(
    request: Request,
    backend: BackendDep,
    sender: Annotated[str, Query(min_length=1, max_length=200, description="The conversation id the chat API issued")],
) -> PhotoOut:
    check_client(request, backend.rate_limiter, backend.chat_limits)
    issued = backend.web_senders.verify(sender)
    desk, photos = backend.report_desk, backend.report_photos
    if issued is None or desk is None or photos is None:
        raise unknown_conversation()
    check_conversation(issued, backend.rate_limiter, backend.chat_limits)
    limit_mb = round(photos.max_bytes / (1024 * 1024), 1)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > photos.max_bytes:
        raise _refusal(413, "too_large", "photo_too_big", limit_mb=limit_mb)
    if not await desk.has_draft(backend.web_senders.rasa_sender(issued)):
        raise _refusal(409, "no_report", "photo_outside")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > photos.max_bytes:
            raise _refusal(413, "too_large", "photo_too_big", limit_mb=limit_mb)
    try:
        stored: StoredPhoto = await run_in_threadpool(photos.save, bytes(body))
    except PhotoError as error:
        status, code = _STATUS.get(error.reason, (422, "invalid_photo"))
        raise _refusal(status, code, error.reason, limit_mb=limit_mb) from error
    return PhotoOut(photo_ref=stored.ref, content_type=stored.content_type, size=stored.size)
