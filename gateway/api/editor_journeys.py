"""``/api/admin/journeys``: editors keep the life-event journeys current (issue 17).

Beside the services (gateway/api/editor.py), under the same prefix and the same bearer-token check
(:func:`gateway.api.editor.require_editor`: an account's API token with ``edit`` for changes, or the
deprecated shared token). Each change is versioned in the catalogue's database
(knowledge/journey_store.py); a step naming a service the catalogue lacks is refused with 422 and the
step, a save over a version other than the one opened with 409. The store is the runtime's, which
the chat reads too; the runtime seeds it from knowledge/seed/journeys when it never had a journey,
once the catalogue has loaded (its steps are checked against the services). The token is checked
before the store is touched, so an unauthenticated request never waits for the catalogue.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from gateway.api.deps import RuntimeDep
from gateway.api.editor import EditorDep, id_mismatch
from http_api.body import parse_json_body
from http_api.errors import ApiError
from knowledge.journey_store import (
    JourneyExistsError,
    JourneyNotFoundError,
    JourneyRecord,
    JourneyStore,
)
from knowledge.journeys import Journey, UnknownServiceError
from knowledge.schema import LifeEvent
from knowledge.store import StaleVersionError

__all__ = ["router"]

_MAX_JOURNEY_BYTES = 256 * 1024
_LOAD_WAIT_SECONDS = 120.0

router = APIRouter(prefix="/api/admin", tags=["editor"])


def journey_store(runtime: RuntimeDep) -> JourneyStore:
    """The runtime's journey store (what the chat tells), once the catalogue its steps name has loaded
    and seeded it (gateway/runtime.py)."""
    if not runtime.wait_until_loaded(_LOAD_WAIT_SECONDS) or runtime.journeys is None:
        raise ApiError(503, "catalogue_loading", "The catalogue is still loading; try again in a moment.")
    return runtime.journeys


JourneysDep = Annotated[JourneyStore, Depends(journey_store)]
ExpectedVersion = Annotated[int | None, Query(ge=1, description="Refuse if the journey moved on since")]


class JourneySummary(BaseModel):
    id: str
    life_event: str
    title_th: str
    title_en: str
    version: int
    steps: int
    unverified_deadlines: list[int]  # positions of steps whose deadline nobody has checked yet
    last_reviewed: str | None


class JourneyChangeResult(BaseModel):
    id: str
    version: int


class JourneyOut(BaseModel):
    version: int
    updated_by: str
    updated_at: str
    journey: dict[str, Any]


class JourneyVersionOut(BaseModel):
    version: int
    change: str
    author: str
    created_at: str
    journey: dict[str, Any]


def _out(record: JourneyRecord) -> JourneyOut:
    return JourneyOut(
        version=record.version,
        updated_by=record.updated_by,
        updated_at=record.updated_at.isoformat(),
        journey=record.journey.model_dump(mode="json", by_alias=True),
    )


def _not_found(error: LookupError) -> ApiError:
    return ApiError(404, "not_found", str(error).strip("'\""))


def _unknown_service(error: UnknownServiceError) -> ApiError:
    details = [{"field": where, "problem": problem} for where, problem in error.problems]
    return ApiError(422, "unknown_service", "A step names a service the catalogue does not have.", details)


@router.get("/journeys", response_model=list[JourneySummary])
def list_journeys(
    _editor: EditorDep,
    journeys: JourneysDep,
    life_event: Annotated[LifeEvent | None, Query(description="Only the journeys of this life event")] = None,
) -> list[JourneySummary]:
    return [
        JourneySummary(
            id=record.journey.id,
            life_event=record.journey.life_event.value,
            title_th=record.journey.title.th,
            title_en=record.journey.title.en,
            version=record.version,
            steps=len(record.journey.steps),
            unverified_deadlines=record.journey.unverified_deadlines(),
            last_reviewed=record.journey.last_reviewed.isoformat() if record.journey.last_reviewed else None,
        )
        for record in journeys.list_journeys(life_event)
    ]


@router.get("/journeys/{journey_id}", response_model=JourneyOut)
def get_journey(journey_id: str, _editor: EditorDep, journeys: JourneysDep) -> JourneyOut:
    try:
        return _out(journeys.get(journey_id))
    except JourneyNotFoundError as error:
        raise _not_found(error) from error


@router.post("/journeys", status_code=201, response_model=JourneyChangeResult)
async def create_journey(request: Request, editor: EditorDep, journeys: JourneysDep) -> JourneyChangeResult:
    journey = await parse_json_body(request, Journey, _MAX_JOURNEY_BYTES)
    try:
        version = await run_in_threadpool(journeys.create, journey, editor)
    except JourneyExistsError as error:
        raise ApiError(409, "already_exists", str(error)) from error
    except UnknownServiceError as error:
        raise _unknown_service(error) from error
    return JourneyChangeResult(id=journey.id, version=version)


@router.put("/journeys/{journey_id}", response_model=JourneyChangeResult)
async def update_journey(
    journey_id: str,
    request: Request,
    editor: EditorDep,
    journeys: JourneysDep,
    expected_version: ExpectedVersion = None,
) -> JourneyChangeResult:
    journey = await parse_json_body(request, Journey, _MAX_JOURNEY_BYTES)
    if journey.id != journey_id:
        raise id_mismatch(journey.id, journey_id)
    try:
        version = await run_in_threadpool(journeys.update, journey, editor, expected_version)
    except JourneyNotFoundError as error:
        raise _not_found(error) from error
    except StaleVersionError as error:
        raise ApiError(409, "stale_version", str(error)) from error
    except UnknownServiceError as error:
        raise _unknown_service(error) from error
    return JourneyChangeResult(id=journey.id, version=version)


@router.delete("/journeys/{journey_id}", response_model=JourneyChangeResult)
async def delete_journey(
    journey_id: str, editor: EditorDep, journeys: JourneysDep, expected_version: ExpectedVersion = None
) -> JourneyChangeResult:
    try:
        version = await run_in_threadpool(journeys.delete, journey_id, editor, expected_version)
    except JourneyNotFoundError as error:
        raise _not_found(error) from error
    except StaleVersionError as error:
        raise ApiError(409, "stale_version", str(error)) from error
    return JourneyChangeResult(id=journey_id, version=version)


@router.get("/journeys/{journey_id}/versions", response_model=list[JourneyVersionOut])
def journey_history(journey_id: str, _editor: EditorDep, journeys: JourneysDep) -> list[JourneyVersionOut]:
    try:
        history = journeys.history(journey_id)
    except JourneyNotFoundError as error:
        raise _not_found(error) from error
    return [
        JourneyVersionOut(
            version=entry.version,
            change=entry.change,
            author=entry.author,
            created_at=entry.created_at.isoformat(),
            journey=entry.journey.model_dump(mode="json", by_alias=True),
        )
        for entry in history
    ]
