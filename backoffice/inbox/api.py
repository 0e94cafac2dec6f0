"""``/api/admin/handoffs...``: the agent inbox's JSON API (docs/handoff.md).

Every route needs a signed-in account (session cookie + CSRF token, or ``Authorization: Bearer``)
whose role grants ``handoff``. Every change an officer makes is written to the audit log under their
account. Errors: 404 unknown request, 409 wrong state (taken by someone else, not yours, finished),
422 a bad body or an unknown colleague, 403 no permission; ``details.messages`` in Thai and English.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal, Protocol

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from actions.api.conversation_store import HandoffRecord
from backoffice.accounts.http_auth import require_permission
from backoffice.accounts.roles import can
from backoffice.accounts.service import Principal, StaffAccounts
from backoffice.inbox.messages import inbox_error
from backoffice.inbox.views import (
    HandoffDetail,
    HandoffItem,
    HandoffList,
    MessageOut,
    detail_of,
    item_of,
    message_of,
)
from conversation.handoff.desk import HandoffDesk
from conversation.handoff.store import HandoffNotFoundError, HandoffStateError
from http_api.deps import app_runtime

__all__ = ["InboxBackend", "router"]


class InboxBackend(Protocol):
    """What the inbox uses of the gateway's runtime."""

    @property
    def handoff_desk(self) -> HandoffDesk | None: ...

    @property
    def staff_accounts(self) -> StaffAccounts: ...


BackendDep = Annotated[InboxBackend, Depends(app_runtime)]
AgentDep = Annotated[Principal, Depends(require_permission("handoff"))]
IdPath = Annotated[int, Path(ge=1, description="The request's number")]
router = APIRouter(prefix="/api/admin/handoffs", tags=["handoff inbox"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in, or no valid account token"},
    403: {"description": "The account's role does not grant 'handoff' (or the CSRF token is missing)"},
    404: {"description": "No such request"},
    409: {"description": "The request is not in a state that allows this (details say which and who holds it)"},
    422: {"description": "The body is not valid"},
}


class ReplyBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    text: str = Field(min_length=1, max_length=2000, description="What the officer writes to the citizen")


class ForwardBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    to: str = Field(min_length=1, max_length=120, description="The colleague's account name")


class CloseBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal["answered", "referred", "no_reply", "abusive"]


class PresenceBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["online", "away"]


class PresenceOut(BaseModel):
    status: Literal["online", "away"]


class AgentOut(BaseModel):
    name: str
    display_name: str
    status: Literal["online", "away"]


class AgentList(BaseModel):
    agents: list[AgentOut]


class WaitingFigures(BaseModel):
    median: float | None
    p90: float | None


class HandoffFigures(BaseModel):
    waiting_seconds: WaitingFigures = Field(description="From the request to an officer taking it")
    per_agent: dict[str, int] = Field(description="Requests taken, per officer")
    outcomes: dict[str, int]
    requests: int
    taken: int


def _desk(backend: InboxBackend) -> HandoffDesk:
    desk = backend.handoff_desk
    if desk is None:
        raise inbox_error("desk_unavailable")
    return desk


def _refusal(error: Exception, handoff_id: int, agent: str) -> Exception:
    if isinstance(error, HandoffNotFoundError):
        return inbox_error("handoff_not_found", {"id": handoff_id}, id=handoff_id)
    if isinstance(error, HandoffStateError):
        extra = {"id": handoff_id, "state": error.state, "assigned_to": error.assigned_to}
        if error.state == "taken" and error.assigned_to != agent:
            code = "handoff_taken"
        elif error.state in ("waiting", "taken"):
            code = "handoff_not_yours"
        else:
            code = "handoff_wrong_state"
        return inbox_error(code, extra, id=handoff_id, state=error.state, assigned_to=error.assigned_to or "-")
    return error


@contextmanager
def _refused_as_api(handoff_id: int, agent: str) -> Iterator[None]:
    """The desk's unknown-request and wrong-state errors as the API's 404 and 409."""
    try:
        yield
    except (HandoffNotFoundError, HandoffStateError) as error:
        raise _refusal(error, handoff_id, agent) from error


async def _record(desk: HandoffDesk, handoff_id: int, agent: str) -> HandoffRecord:
    try:
        return await run_in_threadpool(desk.store.get, handoff_id)
    except HandoffNotFoundError as error:
        raise _refusal(error, handoff_id, agent) from error


async def _item(desk: HandoffDesk, record: HandoffRecord) -> HandoffItem:
    return await run_in_threadpool(item_of, record, desk.store)


def _audit(backend: InboxBackend, agent: Principal, action: str, handoff_id: int, **details: Any) -> None:
    backend.staff_accounts.audit(agent.name, f"handoff.{action}", str(handoff_id), details or None)


@router.get("", response_model=HandoffList, responses=_ERRORS)
async def list_handoffs(
    backend: BackendDep,
    agent: AgentDep,
    state: Annotated[Literal["open", "waiting", "taken", "closed", "all"], Query()] = "open",
    mine: Annotated[bool, Query(description="Only the requests I hold")] = False,
) -> HandoffList:
    """Open requests (waiting and taken), oldest first; ``state=closed`` lists finished ones, newest first."""
    desk = _desk(backend)

    def load() -> list[HandoffItem]:
        records = desk.store.requests(state, agent.name if mine else None)
        return [item_of(record, desk.store) for record in records]

    return HandoffList(handoffs=await run_in_threadpool(load))


@router.get("/figures", response_model=HandoffFigures, responses=_ERRORS)
async def figures(
    backend: BackendDep, agent: AgentDep, days: Annotated[int, Query(ge=1, le=366)] = 30
) -> HandoffFigures:
    """Time to pick-up, requests per officer and outcomes over the last ``days``."""
    desk = _desk(backend)
    return HandoffFigures.model_validate(await run_in_threadpool(desk.figures, days))


@router.get("/agents", response_model=AgentList, responses=_ERRORS)
async def agents(backend: BackendDep, agent: AgentDep) -> AgentList:
    """The colleagues a request can be forwarded to, with their presence."""
    desk = _desk(backend)

    def load() -> AgentList:
        presence = desk.store.presence()
        accounts = backend.staff_accounts.store.accounts()
        return AgentList(
            agents=[
                AgentOut(
                    name=account.name,
                    display_name=account.display_name,
                    status="online" if presence.get(account.name) == "online" else "away",
                )
                for account in accounts
                if account.active and can(account.role, "handoff")
            ]
        )

    return await run_in_threadpool(load)


@router.put("/presence", response_model=PresenceOut, responses=_ERRORS)
async def set_presence(body: PresenceBody, backend: BackendDep, agent: AgentDep) -> PresenceOut:
    """Online (taking requests) or away; the inbox page sets it."""
    desk = _desk(backend)
    await run_in_threadpool(desk.store.set_presence, agent.name, body.status)
    return PresenceOut(status=body.status)


@router.get("/{handoff_id}", response_model=HandoffDetail, responses=_ERRORS)
async def handoff_detail(handoff_id: IdPath, backend: BackendDep, agent: AgentDep) -> HandoffDetail:
    """The request with the conversation before it and its messages; reading it marks them read."""
    desk = _desk(backend)
    record = await _record(desk, handoff_id, agent.name)

    def load() -> HandoffDetail:
        messages = desk.read(record, agent.name)
        return detail_of(desk.store.get(handoff_id), desk.store, messages, agent.name)

    return await run_in_threadpool(load)


@router.post("/{handoff_id}/take", response_model=HandoffItem, responses=_ERRORS)
async def take(handoff_id: IdPath, backend: BackendDep, agent: AgentDep) -> HandoffItem:
    """Assign the request to me: the bot goes silent for the conversation and the citizen is told."""
    desk = _desk(backend)
    with _refused_as_api(handoff_id, agent.name):
        record = await desk.take(handoff_id, agent.name, agent.display_name)
    _audit(backend, agent, "take", handoff_id)
    return await _item(desk, record)


@router.post("/{handoff_id}/reply", response_model=MessageOut, responses=_ERRORS)
async def reply(handoff_id: IdPath, body: ReplyBody, backend: BackendDep, agent: AgentDep) -> MessageOut:
    """Write to the citizen (masked when stored); only the officer holding the request may."""
    desk = _desk(backend)
    with _refused_as_api(handoff_id, agent.name):
        message = await desk.reply(handoff_id, agent.name, body.text)
    _audit(backend, agent, "reply", handoff_id, message=message.id)
    return message_of(message)


@router.post("/{handoff_id}/typing", status_code=204, response_class=Response, responses=_ERRORS)
async def typing(handoff_id: IdPath, backend: BackendDep, agent: AgentDep) -> Response:
    """The citizen's widget shows "officer is typing" for a few seconds."""
    desk = _desk(backend)
    with _refused_as_api(handoff_id, agent.name):
        await desk.typing(handoff_id, agent.name)
    return Response(status_code=204)


@router.post("/{handoff_id}/forward", response_model=HandoffItem, responses=_ERRORS)
async def forward(handoff_id: IdPath, body: ForwardBody, backend: BackendDep, agent: AgentDep) -> HandoffItem:
    """Pass the request I hold to a colleague with the handoff permission."""
    desk = _desk(backend)
    await _record(desk, handoff_id, agent.name)
    colleague = await run_in_threadpool(backend.staff_accounts.store.account, body.to)
    if colleague is None or not colleague.active or not can(colleague.role, "handoff"):
        raise inbox_error("unknown_agent", {"to": body.to}, to=body.to)
    with _refused_as_api(handoff_id, agent.name):
        record = await desk.forward(handoff_id, agent.name, colleague.name, colleague.display_name)
    _audit(backend, agent, "forward", handoff_id, to=colleague.name)
    return await _item(desk, record)


@router.post("/{handoff_id}/release", response_model=HandoffItem, responses=_ERRORS)
async def release(handoff_id: IdPath, backend: BackendDep, agent: AgentDep) -> HandoffItem:
    """Hand the conversation back to the bot, which resumes with its context; the citizen is told."""
    desk = _desk(backend)
    with _refused_as_api(handoff_id, agent.name):
        record = await desk.release(handoff_id, agent.name)
    _audit(backend, agent, "release", handoff_id)
    return await _item(desk, record)


@router.post("/{handoff_id}/close", response_model=HandoffItem, responses=_ERRORS)
async def close(handoff_id: IdPath, body: CloseBody, backend: BackendDep, agent: AgentDep) -> HandoffItem:
    """End the request with an outcome (a waiting one, or one I hold); the bot answers again."""
    desk = _desk(backend)
    with _refused_as_api(handoff_id, agent.name):
        record = await desk.close(handoff_id, agent.name, body.outcome)
    _audit(backend, agent, "close", handoff_id, outcome=body.outcome)
    return await _item(desk, record)
