"""``/admin/api/analytics/...``: the figures as JSON and CSV, and "add as example" (docs/analytics.md).

- ``GET summary``: questions per day, outcomes, fallback / hand-off / degraded rates, most asked
  services, ratings per service, p50/p95 turn time;
- ``GET unanswered``: the messages the bot could not match, grouped by similarity;
- ``GET export.csv?table=turns|services|unanswered``: the same as CSV for spreadsheets;
- ``POST unanswered/{group}/add-example``: a message becomes an example question of a service.

Every read takes ``from`` and ``to`` (inclusive Thai calendar days, default the last 30),
``channel`` and ``language``; a bad one is a 400 that names it. The runtime is reached through
:class:`AnalyticsBackend` (ADR 0006); access is :mod:`backoffice.analytics.access`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Annotated, Any, Literal, Protocol

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine

from backoffice.accounts.service import StaffAccounts
from backoffice.analytics import queries
from backoffice.analytics.access import AnalyticsReader, ExampleEditor
from backoffice.analytics.csv_export import csv_lines
from backoffice.analytics.examples import AddedExample, add_example
from backoffice.analytics.filters import FilterError, Filters, parse_filters
from backoffice.analytics.grouping import UnansweredGroup, group_messages, normalised_key
from backoffice.analytics.handoffs import handoff_figures
from conversation.handoff.desk import HandoffDesk
from conversation.turn_events import TurnEventStore
from http_api.body import parse_json_body
from http_api.deps import app_runtime
from http_api.errors import ApiError
from knowledge.catalogue_writer import CatalogueWriter
from knowledge.schema import Service
from knowledge.store import ServiceNotFoundError, StaleVersionError
from nlu.embedders import Embedder

__all__ = ["AnalyticsBackend", "router"]

logger = logging.getLogger(__name__)

_LOAD_WAIT_SECONDS = 120.0
_MAX_BODY_BYTES = 16 * 1024


class AnalyticsBackend(Protocol):
    """What the analytics use of the gateway's runtime."""

    @property
    def turn_events(self) -> TurnEventStore | None: ...

    @property
    def writer(self) -> CatalogueWriter: ...

    @property
    def sentence_encoder(self) -> Embedder: ...

    @property
    def staff_accounts(self) -> StaffAccounts: ...

    @property
    def handoff_desk(self) -> HandoffDesk | None: ...

    def wait_until_loaded(self, timeout: float | None = None) -> bool: ...


BackendDep = Annotated[AnalyticsBackend, Depends(app_runtime)]
router = APIRouter(prefix="/admin/api/analytics", tags=["analytics"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "A filter that cannot be read (date, range, channel, language)"},
    401: {"description": "Not signed in, or no valid account token"},
}


def read_filters(
    start: Annotated[str | None, Query(alias="from", description="First day, YYYY-MM-DD (Asia/Bangkok)")] = None,
    end: Annotated[str | None, Query(alias="to", description="Last day, YYYY-MM-DD, included")] = None,
    channel: Annotated[str | None, Query(description="web, line or api")] = None,
    language: Annotated[str | None, Query(description="th or en")] = None,
) -> Filters:
    try:
        return parse_filters(start, end, channel, language)
    except FilterError as error:
        raise ApiError(400, "invalid_filter", str(error), [{"field": error.field, "problem": str(error)}]) from error


FiltersDep = Annotated[Filters, Depends(read_filters)]
LowScore = Annotated[
    float,
    Query(ge=0, le=1, description="Answers whose top search score is below this count as unanswered too"),
]


def _engine(backend: AnalyticsBackend) -> Engine:
    events = backend.turn_events
    if events is None:
        raise ApiError(503, "analytics_off", "This gateway records no turn events.")
    return events.engine


def _titles(backend: AnalyticsBackend) -> dict[str, Service]:
    return {service.id: service for service in backend.writer.store.list_services()}


def _with_titles(rows: list[dict[str, Any]], services: dict[str, Service]) -> list[dict[str, Any]]:
    for row in rows:
        service = services.get(row.get("service_id") or "")
        row["title_th"] = service.title.th if service else None
        row["title_en"] = service.title.en if service else None
    return rows


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _examples_index(services: dict[str, Service]) -> dict[str, list[str]]:
    """Each service's example questions, normalised, to the services that have them."""
    index: dict[str, list[str]] = {}
    for service in services.values():
        for example in [*service.example_questions.th, *service.example_questions.en]:
            index.setdefault(normalised_key(example), []).append(service.id)
    return index


def _group_out(group: UnansweredGroup, examples: dict[str, list[str]]) -> dict[str, Any]:
    keys = {group.key, *(normalised_key(message) for message in group.messages)}
    example_of = sorted({service_id for key in keys for service_id in examples.get(key, [])})
    return {
        "id": group.id,
        "count": group.count,
        "examples": group.examples(),
        "first_seen": _iso(group.first_seen),
        "last_seen": _iso(group.last_seen),
        "outcomes": dict(sorted(group.outcomes.items())),
        "channels": dict(sorted(group.channels.items())),
        "languages": dict(sorted(group.languages.items())),
        "example_of": example_of,  # services that already have one of these messages as an example
    }


def _groups(backend: AnalyticsBackend, filters: Filters, low_score: float) -> tuple[list[UnansweredGroup], int]:
    messages = queries.unanswered_messages(_engine(backend), filters, low_score)
    return group_messages(messages, backend.sentence_encoder), len(messages)


@router.get("/summary", responses=_ERRORS)
def summary(_staff: AnalyticsReader, backend: BackendDep, filters: FiltersDep) -> dict[str, Any]:
    figures = queries.summary(_engine(backend), filters)
    services = _titles(backend)
    _with_titles(figures["top_services"], services)
    _with_titles(figures["ratings"], services)
    figures["ratings_ignore_language"] = True  # ratings record no language
    figures["handoffs"] = handoff_figures(backend.handoff_desk, filters)
    return figures


@router.get("/unanswered", responses=_ERRORS)
def unanswered(
    _staff: AnalyticsReader,
    backend: BackendDep,
    filters: FiltersDep,
    low_score: LowScore = queries.DEFAULT_LOW_SCORE,
    limit: Annotated[int, Query(ge=1, le=1000, description="Groups to return, largest first")] = 100,
) -> dict[str, Any]:
    groups, considered = _groups(backend, filters, low_score)
    examples = _examples_index(_titles(backend))
    return {
        "filters": filters.to_dict(),
        "low_score": low_score,
        "messages": considered,
        "truncated": considered >= queries.MAX_UNANSWERED,  # only the most recent ones were grouped
        "groups": [_group_out(group, examples) for group in groups[:limit]],
    }


_TURN_COLUMNS = (
    "day",
    "at",
    "channel",
    "language",
    "message",
    "tapped",
    "outcome",
    "status",
    "service_id",
    "top_score",
    "duration_ms",
)


def _turns_csv(engine: Engine, filters: Filters) -> Iterator[str]:
    rows = ([row[column] for column in _TURN_COLUMNS] for row in queries.turn_rows(engine, filters))
    return csv_lines(_TURN_COLUMNS, rows)


def _services_csv(backend: AnalyticsBackend, filters: Filters) -> Iterator[str]:
    engine = _engine(backend)
    services = _titles(backend)
    asked = {row["service_id"]: row for row in queries.top_services(engine, filters, limit=len(services) + 1000)}
    rated = {row["service_id"]: row for row in queries.ratings_per_service(engine, filters)}
    ids = sorted(set(asked) | {sid for sid in rated if sid}, key=lambda sid: (-asked.get(sid, {}).get("count", 0), sid))
    header = ("service_id", "title_th", "title_en", "answered", "share", "helpful", "unhelpful", "helpful_share")
    rows = []
    for sid in ids:
        service = services.get(sid)
        a, r = asked.get(sid, {}), rated.get(sid, {})
        rows.append(
            (
                sid,
                service.title.th if service else "",
                service.title.en if service else "",
                a.get("count", 0),
                a.get("share"),
                r.get("helpful", 0),
                r.get("unhelpful", 0),
                r.get("helpful_share"),
            )
        )
    return csv_lines(header, rows)


def _unanswered_csv(backend: AnalyticsBackend, filters: Filters, low_score: float) -> Iterator[str]:
    groups, _considered = _groups(backend, filters, low_score)
    examples = _examples_index(_titles(backend))
    header = ("group_id", "count", "first_seen", "last_seen", "examples", "outcomes", "example_of")
    rows = []
    for group in groups:
        out = _group_out(group, examples)
        outcomes = " ".join(f"{name}:{count}" for name, count in out["outcomes"].items())
        rows.append(
            (
                out["id"],
                out["count"],
                out["first_seen"],
                out["last_seen"],
                " | ".join(out["examples"]),
                outcomes,
                " ".join(out["example_of"]),
            )
        )
    return csv_lines(header, rows)


@router.get(
    "/export.csv",
    responses={**_ERRORS, 200: {"content": {"text/csv": {}}, "description": "UTF-8 CSV with a byte-order mark"}},
)
def export_csv(
    _staff: AnalyticsReader,
    backend: BackendDep,
    filters: FiltersDep,
    table: Annotated[str, Query(description="turns, services or unanswered")] = "turns",
    low_score: LowScore = queries.DEFAULT_LOW_SCORE,
) -> StreamingResponse:
    if table == "turns":
        lines = _turns_csv(_engine(backend), filters)
    elif table == "services":
        lines = _services_csv(backend, filters)
    elif table == "unanswered":
        lines = _unanswered_csv(backend, filters, low_score)
    else:
        message = f"Unknown table {table!r}; use one of: turns, services, unanswered."
        raise ApiError(400, "invalid_filter", message, [{"field": "table", "problem": message}])
    name = f"analytics-{table}-{filters.first_day}-{filters.last_day}.csv"
    return StreamingResponse(
        (line.encode("utf-8") for line in lines),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


class ExampleIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    service_id: str = Field(min_length=1, max_length=80, description="The service the message is a question about")
    message: str = Field(min_length=1, description="The message, as the unanswered list shows it (masked)")
    expected_version: int | None = Field(
        default=None, ge=1, description="Refuse (409) if the service changed since this version"
    )


class ExampleOut(BaseModel):
    group: str
    service_id: str
    language: Literal["th", "en"]
    example: str
    version: int
    added: bool
    searchable: bool

    @classmethod
    def of(cls, group: str, added: AddedExample) -> ExampleOut:
        lang: Literal["th", "en"] = "en" if added.language == "en" else "th"
        return cls(
            group=group,
            service_id=added.service_id,
            language=lang,
            example=added.example,
            version=added.version,
            added=added.added,
            searchable=added.searchable,
        )


@router.post(
    "/unanswered/{group}/add-example",
    response_model=ExampleOut,
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": ExampleIn.model_json_schema()}}}
    },
    responses={
        401: {"description": "Not signed in, or no valid account token"},
        404: {"description": "No such service"},
        409: {"description": "The service changed since expected_version"},
        422: {"description": "An empty or overlong message"},
    },
)
async def add_as_example(
    staff: ExampleEditor,
    request: Request,
    backend: BackendDep,
    group: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9a-f]+$")],
) -> ExampleOut:
    body = await parse_json_body(request, ExampleIn, _MAX_BODY_BYTES)

    def write() -> AddedExample:
        backend.wait_until_loaded(_LOAD_WAIT_SECONDS)  # searchable on return
        return add_example(backend.writer, body.service_id, body.message, staff.name, body.expected_version)

    try:
        added = await run_in_threadpool(write)
    except ServiceNotFoundError as error:
        raise ApiError(404, "not_found", f"There is no service {body.service_id!r}.") from error
    except StaleVersionError as error:
        raise ApiError(409, "stale_version", f"{error}; reload the service and try again.") from error
    except ValueError as error:
        problem = str(error)
        raise ApiError(422, "invalid_request", problem, [{"field": "message", "problem": problem}]) from error
    if added.added:  # a catalogue change, made by this account
        await run_in_threadpool(
            backend.staff_accounts.audit,
            staff.name,
            "catalogue.add_example",
            added.service_id,
            {"group": group, "version": str(added.version)},
        )
    logger.info(
        "unanswered message added as an example question",
        extra={"group": group, "service_id": added.service_id, "added": added.added, "staff": staff.name},
    )
    return ExampleOut.of(group, added)
