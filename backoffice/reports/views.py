"""The reports API's JSON shapes: a report as a queue item, and in full for the officer who opens it.

A queue item says where only coarsely (district and province): the exact point, the address and the
photos are in the detail, which a staff member opens one at a time. Descriptions, addresses, notes and
reasons are masked when they are stored; they are masked again here, so a row written before a new
pattern was added to :mod:`nlu.pii` does not show it either.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from conversation.reports.store import Report, Route, StatusChange, next_statuses
from knowledge.reports.types import Taxonomy
from nlu.pii import mask_pii

__all__ = [
    "HistoryEntry",
    "ReportDetail",
    "ReportItem",
    "ReportList",
    "RouteList",
    "RouteOut",
    "area_link",
    "detail_of",
    "history_of",
    "item_of",
    "route_of",
]


def _masked(value: str | None) -> str | None:
    return mask_pii(value) if value else value


class ReportItem(BaseModel):
    id: int
    ticket: str = Field(description="What the citizen was told, e.g. R261202-00042")
    type: str = Field(description="Traffy Fondue's Thai type name")
    type_en: str = Field(description="The type's English label")
    status: str = Field(description="received | forwarded | in_progress | done | rejected")
    organisation: str = Field(description="Where the routing table sent it")
    channel: str
    language: str
    description: str = Field(description="What the citizen wrote, masked")
    district: str | None
    province: str | None
    area_link: str | None = Field(description="The area (about 1 km) on OpenStreetMap; the point is in the detail")
    case_id: int = Field(description="The id of the case's first report (its own id when it is the first)")
    duplicates: int = Field(description="Other reports linked to the same case")
    has_photo: bool
    version: int = Field(description="Send it back with a status change: a stale one is refused (409)")
    created_at: dt.datetime
    updated_at: dt.datetime


class ReportList(BaseModel):
    items: list[ReportItem]
    total: int = Field(description="Reports matching the filters, all pages")
    page: int
    per_page: int


class HistoryEntry(BaseModel):
    status: str
    note: str | None
    reason: str | None
    actor: str = Field(description="The officer's account, external:<system> or citizen")
    created_at: dt.datetime


class CaseReport(BaseModel):
    id: int
    ticket: str
    status: str
    created_at: dt.datetime


class ReportDetail(ReportItem):
    latitude: float | None
    longitude: float | None
    address: str | None = Field(description="What the citizen typed, masked")
    map_link: str | None = Field(description="The point on OpenStreetMap")
    note: str | None
    reason: str | None
    rating: int | None = Field(description="The citizen's 1-5 rating, after done")
    external_id: str | None = Field(description="The id an external case system gave it")
    photo_url: str | None = Field(description="The citizen's photo (staff only)")
    after_photo_url: str | None = Field(description="The photo of the finished work (staff only)")
    next_statuses: list[str] = Field(description="The statuses it may move to now")
    history: list[HistoryEntry]
    case_reports: list[CaseReport] = Field(description="Every report of the same case, oldest first")


class RouteOut(BaseModel):
    id: int
    type: str | None = Field(description="A Traffy type name, or null for any type")
    province: str | None = Field(description="null: anywhere")
    district: str | None = Field(description="null: any district of the province")
    organisation: str
    updated_by: str
    updated_at: dt.datetime


class RouteList(BaseModel):
    routes: list[RouteOut]


def area_link(report: Report) -> str | None:
    """The report's surroundings on OpenStreetMap, rounded to two decimals (about 1 km): enough to see
    which part of town a queue row is about without the list giving away anyone's doorstep."""
    if report.latitude is None or report.longitude is None:
        return None
    lat, lon = round(report.latitude, 2), round(report.longitude, 2)
    return f"https://www.openstreetmap.org/#map=15/{lat:.2f}/{lon:.2f}"


def item_of(report: Report, taxonomy: Taxonomy, case_size: int = 1) -> ReportItem:
    problem_type = taxonomy.get(report.type)
    return ReportItem(
        id=report.id,
        ticket=report.ticket,
        type=report.type,
        type_en=problem_type.en if problem_type else report.type,
        status=report.status,
        organisation=report.organisation,
        channel=report.channel,
        language=report.language,
        description=mask_pii(report.description),
        district=report.district,
        province=report.province,
        area_link=area_link(report),
        case_id=report.case_id,
        duplicates=max(0, case_size - 1),
        has_photo=report.photo_ref is not None,
        version=report.version,
        created_at=report.created_at,
        updated_at=report.updated_at,
    )


def history_of(changes: list[StatusChange]) -> list[HistoryEntry]:
    return [
        HistoryEntry(
            status=change.status,
            note=_masked(change.note),
            reason=_masked(change.reason),
            actor=change.actor,
            created_at=change.created_at,
        )
        for change in changes
    ]


def detail_of(
    report: Report, taxonomy: Taxonomy, history: list[StatusChange], case: list[Report], case_size: int
) -> ReportDetail:
    """The whole report; ``case`` is the reports of its case (itself included), ``case_size`` how many there are."""
    base = f"/api/admin/reports/{report.id}"
    ordered = sorted(case, key=lambda member: member.id)
    return ReportDetail(
        **item_of(report, taxonomy, case_size).model_dump(),
        latitude=report.latitude,
        longitude=report.longitude,
        address=_masked(report.address),
        map_link=report.map_link,
        note=_masked(report.note),
        reason=_masked(report.reason),
        rating=report.rating,
        external_id=report.external_id,
        photo_url=f"{base}/photo" if report.photo_ref else None,
        after_photo_url=f"{base}/after-photo" if report.after_photo_ref else None,
        next_statuses=list(next_statuses(report.status)),
        history=history_of(history),
        case_reports=[CaseReport(id=m.id, ticket=m.ticket, status=m.status, created_at=m.created_at) for m in ordered],
    )


def route_of(route: Route) -> RouteOut:
    return RouteOut(
        id=route.id,
        type=route.type,
        province=route.province,
        district=route.district,
        organisation=route.organisation,
        updated_by=route.updated_by,
        updated_at=route.updated_at,
    )
