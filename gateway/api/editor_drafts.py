"""``/api/admin/drafts...``: drafts, review, publish, preview and field diffs for the catalogue editor.

Included by :mod:`gateway.api.editor` under its ``/api/admin`` prefix. A signed-in account (an account
token, ``Authorization: Bearer``, or a staff session with its CSRF token): reading needs any account,
writing a draft the role's ``edit`` permission, returning or publishing a draft ``publish`` (and the
store refuses a reviewer who wrote part of the draft). Every change goes into the audit log under the
account's name. The rules live in the store (knowledge/drafts.py); these handlers parse, call and
turn its errors into HTTP answers whose ``details.messages`` say it in Thai and English.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from actions.service_answer import service_card, service_summary_text
from backoffice.accounts.http_auth import StaffDep, require_permission
from backoffice.accounts.service import Principal
from gateway.api.deps import RuntimeDep
from gateway.runtime import Runtime
from http_api.body import parse_json_body
from http_api.errors import ApiError
from knowledge.diff import diff_services
from knowledge.draft_preview import rank_with_draft
from knowledge.drafts import (
    Draft,
    DraftConflictError,
    DraftError,
    DraftExistsError,
    DraftMismatchError,
    DraftNotFoundError,
    DraftStaleError,
    DraftState,
    OwnDraftError,
)
from knowledge.schema import Service
from knowledge.store import ServiceNotFoundError, StaleVersionError

__all__ = ["router"]

_MAX_BODY_BYTES = 512 * 1024
_LOAD_WAIT_SECONDS = 120.0
_MAX_ID = 2_147_483_647  # an SQL INTEGER: a larger id cannot exist, so it is refused before the query
T = TypeVar("T")
DraftId = Annotated[int, Path(ge=1, le=_MAX_ID, description="The draft's number")]

EditorDep = Annotated[Principal, Depends(require_permission("edit"))]
ReviewerDep = Annotated[Principal, Depends(require_permission("publish"))]
router = APIRouter(tags=["editor drafts"])


class NewDraft(BaseModel):
    service: Service
    expected_base_version: int | None = Field(None, ge=1, le=_MAX_ID, description="The live version the editor opened")


class DraftSave(BaseModel):
    service: Service
    expected_version: int = Field(
        ge=1, le=_MAX_ID, description="The draft version the editor opened; refused if it moved on"
    )


class DraftAction(BaseModel):
    expected_version: int | None = Field(None, ge=1, le=_MAX_ID, description="The draft version the caller saw")
    comment: str = Field("", max_length=4000, description="The reviewer's comment when returning a draft")


class PreviewQuestion(BaseModel):
    question: str = Field(min_length=1, max_length=500)


_STATUS: dict[type[DraftError], int] = {
    DraftNotFoundError: 404,
    DraftMismatchError: 422,
    OwnDraftError: 403,
}


def _draft_error(error: DraftError) -> ApiError:
    """409 for every conflict (another draft, a newer save, a moved live service, the wrong state)."""
    status = next((code for kind, code in _STATUS.items() if isinstance(error, kind)), 409)
    details: dict[str, Any] = {"messages": error.messages()}
    if isinstance(error, DraftStaleError):
        details.update(current_version=error.values["current"], updated_by=error.values["updated_by"])
    if isinstance(error, DraftExistsError):
        details["draft_id"] = error.draft_id
    if isinstance(error, DraftConflictError):
        details.update(base_version=error.values["base"], live_version=error.values["live"])
    return ApiError(status, error.code, str(error), details)


async def _call(runtime: Runtime, work: Callable[[], T], *, loaded: bool = False) -> T:
    """Run store work off the event loop; the store's refusals become HTTP errors."""
    if loaded:  # publishing and previewing need the live index
        await run_in_threadpool(runtime.wait_until_loaded, _LOAD_WAIT_SECONDS)
    try:
        return await run_in_threadpool(work)
    except DraftError as error:
        raise _draft_error(error) from error
    except StaleVersionError as error:
        raise ApiError(409, "stale_version", str(error)) from error
    except ServiceNotFoundError as error:
        raise ApiError(404, "not_found", str(error).strip("'\"")) from error


async def _audit(runtime: Runtime, who: Principal, action: str, draft: Draft, **details: Any) -> None:
    values = {"draft_id": str(draft.id), "draft_version": str(draft.version), **{k: str(v) for k, v in details.items()}}
    await run_in_threadpool(runtime.staff_accounts.audit, who.name, f"catalogue.{action}", draft.service_id, values)


@router.get("/drafts")
async def list_drafts(
    runtime: RuntimeDep,
    _staff: StaffDep,
    service_id: str | None = None,
    state: Annotated[list[DraftState] | None, Query(description="Default: draft and submitted")] = None,
) -> list[dict[str, Any]]:
    states = state or ["draft", "submitted"]
    drafts = await _call(runtime, lambda: runtime.store.list_drafts(service_id, states))
    return [draft.to_dict() for draft in drafts]


@router.post("/drafts", status_code=201)
async def create_draft(request: Request, runtime: RuntimeDep, editor: EditorDep) -> dict[str, Any]:
    """Start a draft of an existing service (its id) or of a new one; the bot does not see it."""
    body = await parse_json_body(request, NewDraft, _MAX_BODY_BYTES)
    draft = await _call(
        runtime, lambda: runtime.store.create_draft(body.service, editor.name, body.expected_base_version)
    )
    await _audit(runtime, editor, "draft_create", draft, base_version=draft.base_version)
    return draft.to_dict()


@router.get("/drafts/{draft_id}")
async def get_draft(draft_id: DraftId, runtime: RuntimeDep, _staff: StaffDep) -> dict[str, Any]:
    return (await _call(runtime, lambda: runtime.store.get_draft(draft_id))).to_dict()


@router.put("/drafts/{draft_id}")
async def save_draft(draft_id: DraftId, request: Request, runtime: RuntimeDep, editor: EditorDep) -> dict[str, Any]:
    """Save the draft's content; 409 ``draft_stale`` (nothing saved) if someone saved it after you opened it."""
    body = await parse_json_body(request, DraftSave, _MAX_BODY_BYTES)
    draft = await _call(
        runtime, lambda: runtime.store.save_draft(draft_id, body.service, editor.name, body.expected_version)
    )
    await _audit(runtime, editor, "draft_save", draft)
    return draft.to_dict()


async def _action(request: Request) -> DraftAction:
    if not await request.body():
        return DraftAction(expected_version=None, comment="")
    return await parse_json_body(request, DraftAction, _MAX_BODY_BYTES)


@router.post("/drafts/{draft_id}/submit")
async def submit_draft(draft_id: DraftId, request: Request, runtime: RuntimeDep, editor: EditorDep) -> dict[str, Any]:
    body = await _action(request)
    draft = await _call(runtime, lambda: runtime.store.submit_draft(draft_id, editor.name, body.expected_version))
    await _audit(runtime, editor, "draft_submit", draft)
    return draft.to_dict()


@router.post("/drafts/{draft_id}/rebase")
async def rebase_draft(draft_id: DraftId, request: Request, runtime: RuntimeDep, editor: EditorDep) -> dict[str, Any]:
    """After a ``draft_conflict``: base the draft on the live version now, keeping its content (compare
    them first: ``GET .../diff``); it must be submitted again."""
    body = await _action(request)
    draft = await _call(runtime, lambda: runtime.store.rebase_draft(draft_id, editor.name, body.expected_version))
    await _audit(runtime, editor, "draft_rebase", draft, base_version=draft.base_version)
    return draft.to_dict()


@router.post("/drafts/{draft_id}/discard")
async def discard_draft(draft_id: DraftId, request: Request, runtime: RuntimeDep, editor: EditorDep) -> dict[str, Any]:
    body = await _action(request)
    draft = await _call(runtime, lambda: runtime.store.discard_draft(draft_id, editor.name, body.expected_version))
    await _audit(runtime, editor, "draft_discard", draft)
    return draft.to_dict()


@router.post("/drafts/{draft_id}/return")
async def return_draft(
    draft_id: DraftId, request: Request, runtime: RuntimeDep, reviewer: ReviewerDep
) -> dict[str, Any]:
    """Send a submitted draft back to its editors with a comment (a reviewer who did not write it)."""
    body = await _action(request)
    draft = await _call(
        runtime, lambda: runtime.store.return_draft(draft_id, reviewer.name, body.comment, body.expected_version)
    )
    await _audit(runtime, reviewer, "draft_return", draft)
    return draft.to_dict()


@router.post("/drafts/{draft_id}/publish")
async def publish_draft(
    draft_id: DraftId, request: Request, runtime: RuntimeDep, reviewer: ReviewerDep
) -> dict[str, Any]:
    """Make a submitted draft live: in the bot and the search before this returns."""
    body = await _action(request)
    change = await _call(
        runtime,
        lambda: runtime.writer.publish_draft(draft_id, reviewer.name, body.expected_version),
        loaded=True,
    )
    draft = await _call(runtime, lambda: runtime.store.get_draft(draft_id))
    await _audit(runtime, reviewer, "publish", draft, version=change.version, author=draft.author)
    return {
        "draft": draft.to_dict(),
        "change": {"id": change.service_id, "version": change.version, "searchable": change.searchable},
    }


@router.post("/drafts/{draft_id}/preview")
async def preview_draft(draft_id: DraftId, request: Request, runtime: RuntimeDep, _staff: StaffDep) -> dict[str, Any]:
    """ "Ask the draft a question": the answer card in Thai and English, rendered as the bot renders a
    service answer, and where the draft's service ranks for the question with the draft in place of
    the live version (knowledge/draft_preview.py; the live index is not touched)."""
    body = await parse_json_body(request, PreviewQuestion, _MAX_BODY_BYTES)
    draft = await _call(runtime, lambda: runtime.store.get_draft(draft_id))
    ranking = await _call(
        runtime, lambda: rank_with_draft(runtime.catalogue, draft.service, body.question), loaded=True
    )
    answers = {
        lang: {"text": service_summary_text(draft.service, lang), "card": service_card(draft.service, lang)}
        for lang in ("th", "en")
    }
    return {"draft_id": draft.id, "service_id": draft.service_id, "ranking": ranking.to_dict(), "answers": answers}


@router.get("/drafts/{draft_id}/diff")
async def draft_diff(draft_id: DraftId, runtime: RuntimeDep, _staff: StaffDep) -> dict[str, Any]:
    """What publishing the draft would change in the live service, field by field."""

    def compare() -> dict[str, Any]:
        draft = runtime.store.get_draft(draft_id)
        try:
            live: Service | None = runtime.store.get(draft.service_id)
            live_version: int | None = runtime.store.current_version(draft.service_id)
        except ServiceNotFoundError:
            live, live_version = None, None
        return {
            "service_id": draft.service_id,
            "live_version": live_version,
            "base_version": draft.base_version,
            "draft_version": draft.version,
            "changes": [change.to_dict() for change in diff_services(live, draft.service)],
        }

    return await _call(runtime, compare)


@router.get("/services/{service_id}/diff")
async def version_diff(
    service_id: str,
    runtime: RuntimeDep,
    _staff: StaffDep,
    from_version: Annotated[int, Query(alias="from", ge=1, le=_MAX_ID, description="The older version")],
    to_version: Annotated[int, Query(alias="to", ge=1, le=_MAX_ID, description="The newer version")],
) -> dict[str, Any]:
    """Field-by-field differences between two recorded versions of a service."""

    def compare() -> dict[str, Any]:
        before = runtime.store.service_version(service_id, from_version)
        after = runtime.store.service_version(service_id, to_version)
        changes = [change.to_dict() for change in diff_services(before, after)]
        return {"service_id": service_id, "from": from_version, "to": to_version, "changes": changes}

    return await _call(runtime, compare)
