"""The reports desk: filing a report (routed, linked to a known case), changing its status, and the
notices each change queues for the citizen.

Why here (the conversation layer): a report is filed from a conversation and its notices go back to
that conversation's channel; the officers' API (backoffice) and the external-system API (gateway)
both change status through this one class, so every change is recorded, versioned and noticed the
same way. Each status change is one conditional UPDATE on ``(id, version)``: two officers, or an
officer and an external system, changing one report at once cannot both win; the loser gets
:class:`ReportStateError` (HTTP 409) with the report as it now is.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from sqlalchemy import Engine, and_, delete, func, insert, or_, select, true, update
from sqlalchemy.engine import RowMapping

from conversation.reports.models import report_notices, report_routes, report_status_history, reports
from conversation.reports.settings import ReportsSettings
from knowledge.database import as_utc, create_store_engine
from knowledge.migrations.runner import upgrade
from knowledge.reports.types import Taxonomy, load_taxonomy
from nlu.language import Lang
from nlu.pii import mask_pii
from texts import text

__all__ = [
    "FINAL_STATUSES",
    "MAX_DESCRIPTION_CHARS",
    "FiledReport",
    "NewReport",
    "Notice",
    "Report",
    "ReportFilter",
    "ReportNotFoundError",
    "ReportStateError",
    "ReportsStore",
    "Route",
    "Status",
    "StatusChange",
    "distance_metres",
    "next_statuses",
]

Status = Literal["received", "forwarded", "in_progress", "done", "rejected"]
STATUSES: tuple[str, ...] = get_args(Status)
FINAL_STATUSES = ("done", "rejected")
# Which status may follow which: forward and start work in either order, finish or reject from any open one.
_NEXT: dict[str, tuple[str, ...]] = {
    "received": ("forwarded", "in_progress", "done", "rejected"),
    "forwarded": ("in_progress", "done", "rejected"),
    "in_progress": ("forwarded", "done", "rejected"),
    "done": (),
    "rejected": (),
}
MAX_DESCRIPTION_CHARS = 4000
MAX_NOTE_CHARS = 2000
_EARTH_RADIUS_M = 6_371_000.0


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def next_statuses(status: str) -> tuple[str, ...]:
    """The statuses a report in ``status`` may move to (none once it is done or rejected)."""
    return _NEXT.get(status, ())


def distance_metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine): plenty for "within 50 m" on a city scale."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


class ReportNotFoundError(LookupError):
    def __init__(self, what: int | str) -> None:
        super().__init__(f"no report {what}")
        self.what = what


@dataclass(frozen=True)
class Report:
    id: int
    ticket: str
    sender_id: str
    channel: str
    language: Lang
    description: str
    type: str
    type_score: float | None
    latitude: float | None
    longitude: float | None
    address: str | None
    district: str | None
    province: str | None
    photo_ref: str | None
    after_photo_ref: str | None
    organisation: str
    status: Status
    note: str | None
    reason: str | None
    rating: int | None
    case_id: int
    external_id: str | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def map_link(self) -> str | None:
        """Where it is, on OpenStreetMap (no key, no tracking), for officers."""
        if self.latitude is None or self.longitude is None:
            return None
        return f"https://www.openstreetmap.org/?mlat={self.latitude:.6f}&mlon={self.longitude:.6f}#map=18/{self.latitude:.6f}/{self.longitude:.6f}"


class ReportStateError(Exception):
    """The report is not in a state (or version) that allows this change; ``report`` is how it is now."""

    def __init__(self, report: Report, problem: str) -> None:
        super().__init__(f"report {report.ticket} is {report.status} (version {report.version}): {problem}")
        self.report = report
        self.problem = problem


@dataclass(frozen=True)
class NewReport:
    """What a channel hands in; the description and address are masked before they are stored."""

    sender_id: str
    channel: str
    language: Lang
    description: str
    type: str
    type_score: float | None = None
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None
    district: str | None = None
    province: str | None = None
    photo_ref: str | None = None


@dataclass(frozen=True)
class FiledReport:
    """The report as stored, and the open report of the same case it was linked to, if any."""

    report: Report
    duplicate_of: Report | None
    notice: str  # what the citizen is told, in their language


@dataclass(frozen=True)
class StatusChange:
    status: Status
    note: str | None
    reason: str | None
    actor: str
    created_at: dt.datetime


@dataclass(frozen=True)
class Notice:
    id: int
    report_id: int
    sender_id: str
    channel: str
    text: str
    created_at: dt.datetime


@dataclass(frozen=True)
class Route:
    """One row of the routing table: the most specific matching row wins (district > province > any)."""

    id: int
    type: str | None
    province: str | None
    district: str | None
    organisation: str
    updated_by: str
    updated_at: dt.datetime


@dataclass
class ReportFilter:
    status: str | None = None
    type: str | None = None
    organisation: str | None = None
    district: str | None = None
    case_id: int | None = None
    province: str | None = None
    q: str | None = None  # a ticket, or words in the (masked) description or address
    limit: int = 50
    offset: int = 0


def _report(row: RowMapping) -> Report:
    return Report(
        id=row["id"],
        ticket=row["ticket"] or "",
        sender_id=row["sender_id"],
        channel=row["channel"],
        language="en" if row["language"] == "en" else "th",
        description=row["description"],
        type=row["type"],
        type_score=row["type_score"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        address=row["address"],
        district=row["district"],
        province=row["province"],
        photo_ref=row["photo_ref"],
        after_photo_ref=row["after_photo_ref"],
        organisation=row["organisation"],
        status=row["status"],
        note=row["note"],
        reason=row["reason"],
        rating=row["rating"],
        case_id=row["case_id"] or row["id"],
        external_id=row["external_id"],
        version=row["version"],
        created_at=as_utc(row["created_at"]),
        updated_at=as_utc(row["updated_at"]),
    )


def _route(row: RowMapping) -> Route:
    return Route(
        row["id"], row["type"], row["province"], row["district"], row["organisation"], row["updated_by"],
        as_utc(row["updated_at"]),
    )  # fmt: skip


def _clean(value: str | None, limit: int, what: str) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if len(value) > limit:
        raise ValueError(f"{what} is longer than {limit} characters")
    return mask_pii(value) if value else None


def _check_location(latitude: float | None, longitude: float | None) -> None:
    if (latitude is None) != (longitude is None):
        raise ValueError("give both latitude and longitude, or neither")
    if latitude is not None and longitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValueError("latitude must be within -90..90 and longitude within -180..180")  # NaN fails too


class ReportsStore:
    """Reports, their history, notices and the routing table, in the database at ``url``."""

    def __init__(
        self, url: str | Engine, settings: ReportsSettings | None = None, taxonomy: Taxonomy | None = None
    ) -> None:
        self.engine = url if isinstance(url, Engine) else create_store_engine(url)
        upgrade(self.engine, "reports")  # migrations, never create_all (ADR 0009)
        self.settings = settings or ReportsSettings()
        self.taxonomy = taxonomy or load_taxonomy()

    def close(self) -> None:
        """Release the database connections (a store made from a URL owns its engine)."""
        self.engine.dispose()

    # --- filing -----------------------------------------------------------------------------------

    def file(self, new: NewReport, now: dt.datetime | None = None) -> FiledReport:
        """Store a report: masked, routed, linked to an open report of the same type close by."""
        now = now or _utcnow()
        problem_type = self.taxonomy.require(new.type)
        description = _clean(new.description, MAX_DESCRIPTION_CHARS, "the description")
        if not description:
            raise ValueError("a report needs a description")
        _check_location(new.latitude, new.longitude)
        if not new.sender_id.strip():
            raise ValueError("a report needs the sender's conversation id")
        organisation = self.route_for(problem_type.th, new.province, new.district)
        with self.engine.begin() as connection:
            duplicate = self._open_report_near(connection, problem_type.th, new.latitude, new.longitude, now)
            inserted = connection.execute(
                insert(reports).values(
                    sender_id=new.sender_id,
                    channel=new.channel,
                    language=new.language,
                    description=description,
                    type=problem_type.th,
                    type_score=new.type_score,
                    latitude=new.latitude,
                    longitude=new.longitude,
                    address=_clean(new.address, 500, "the address"),
                    district=(new.district or "").strip() or None,
                    province=(new.province or "").strip() or None,
                    photo_ref=new.photo_ref,
                    organisation=duplicate.organisation if duplicate else organisation,
                    status="received",
                    case_id=duplicate.case_id if duplicate else None,
                    version=1,
                    created_at=now,
                    updated_at=now,
                )
            ).inserted_primary_key
            report_id = int(inserted[0]) if inserted else 0
            ticket = f"R{now:%y%m%d}-{report_id:05d}"
            connection.execute(
                update(reports)
                .where(reports.c.id == report_id)
                .values(ticket=ticket, case_id=duplicate.case_id if duplicate else report_id)
            )
            connection.execute(
                insert(report_status_history).values(
                    report_id=report_id, status="received", actor="citizen", created_at=now
                )
            )
            report = _report(connection.execute(select(reports).where(reports.c.id == report_id)).mappings().one())
            values = {"ticket": (duplicate or report).ticket, "type": problem_type.label(report.language)}
            if duplicate:
                notice = text("reports.already_known", report.language, **values)
            else:
                notice = text("reports.received", report.language, organisation=report.organisation, **values)
        return FiledReport(report, duplicate, notice)

    def _open_report_near(
        self, connection: Any, type_th: str, latitude: float | None, longitude: float | None, now: dt.datetime
    ) -> Report | None:
        """The nearest open report of this type within the duplicate distance and days, if any."""
        metres, days = self.settings.duplicate_metres, self.settings.duplicate_days
        if latitude is None or longitude is None or metres <= 0 or days <= 0:
            return None
        d_lat = metres / 111_000.0  # a bounding box the index narrows, then the exact distance
        d_lon = metres / (111_000.0 * max(0.01, math.cos(math.radians(latitude))))
        rows = connection.execute(
            select(reports).where(
                reports.c.type == type_th,
                reports.c.status.not_in(FINAL_STATUSES),
                reports.c.created_at >= now - dt.timedelta(days=days),
                reports.c.latitude.between(latitude - d_lat, latitude + d_lat),
                reports.c.longitude.between(longitude - d_lon, longitude + d_lon),
            )
        ).mappings()
        near = [(distance_metres(latitude, longitude, row["latitude"], row["longitude"]), _report(row)) for row in rows]
        near = [(distance, report) for distance, report in near if distance <= metres]
        return min(near, key=lambda pair: (pair[0], pair[1].id))[1] if near else None

    # --- reading ----------------------------------------------------------------------------------

    def get(self, report_id: int) -> Report:
        with self.engine.connect() as connection:
            row = connection.execute(select(reports).where(reports.c.id == report_id)).mappings().first()
        if row is None:
            raise ReportNotFoundError(report_id)
        return _report(row)

    def by_ticket(self, ticket: str) -> Report:
        with self.engine.connect() as connection:
            row = connection.execute(select(reports).where(reports.c.ticket == ticket.strip())).mappings().first()
        if row is None:
            raise ReportNotFoundError(ticket)
        return _report(row)

    def search(self, filters: ReportFilter | None = None) -> tuple[list[Report], int]:
        """Newest first, with the total the filters match (for paging)."""
        filters = filters or ReportFilter()
        conditions = []
        if filters.status:
            conditions.append(reports.c.status == filters.status)
        if filters.type:
            conditions.append(reports.c.type == self.taxonomy.require(filters.type).th)
        if filters.organisation:
            conditions.append(reports.c.organisation == filters.organisation)
        if filters.district:
            conditions.append(reports.c.district == filters.district)
        if filters.case_id:
            conditions.append(reports.c.case_id == filters.case_id)
        if filters.province:
            conditions.append(reports.c.province == filters.province)
        if filters.q and filters.q.strip():
            words = filters.q.strip()
            conditions.append(
                or_(
                    reports.c.ticket == words.upper(),
                    reports.c.description.icontains(words, autoescape=True),
                    reports.c.address.icontains(words, autoescape=True),
                )
            )
        where = and_(true(), *conditions)
        with self.engine.connect() as connection:
            total = connection.execute(select(func.count()).select_from(reports).where(where)).scalar_one()
            rows = connection.execute(
                select(reports)
                .where(where)
                .order_by(reports.c.created_at.desc(), reports.c.id.desc())
                .limit(filters.limit)
                .offset(filters.offset)
            ).mappings()
            return [_report(row) for row in rows], int(total)

    def case_sizes(self, case_ids: Sequence[int]) -> dict[int, int]:
        """How many reports each of these cases holds (the first report and those linked to it)."""
        if not case_ids:
            return {}
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(reports.c.case_id, func.count())
                .where(reports.c.case_id.in_(list(case_ids)))
                .group_by(reports.c.case_id)
            )
            return {int(case_id): int(count) for case_id, count in rows}

    def for_sender(self, sender_id: str) -> list[Report]:
        """A citizen's own reports, newest first ("เรื่องที่แจ้งไว้ถึงไหนแล้ว")."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(reports).where(reports.c.sender_id == sender_id).order_by(reports.c.id.desc())
            ).mappings()
            return [_report(row) for row in rows]

    def history(self, report_id: int) -> list[StatusChange]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(report_status_history)
                .where(report_status_history.c.report_id == report_id)
                .order_by(report_status_history.c.id)
            ).mappings()
            return [
                StatusChange(row["status"], row["note"], row["reason"], row["actor"], as_utc(row["created_at"]))
                for row in rows
            ]

    # --- status -----------------------------------------------------------------------------------

    def change_status(
        self,
        report_id: int,
        status: str,
        actor: str,
        *,
        note: str | None = None,
        reason: str | None = None,
        after_photo_ref: str | None = None,
        expected_version: int | None = None,
        external_id: str | None = None,
        now: dt.datetime | None = None,
    ) -> Report:
        """Move a report on; a reason is required to reject; the citizen gets a notice in their language."""
        now = now or _utcnow()
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}; one of {', '.join(STATUSES)}")
        note = _clean(note, MAX_NOTE_CHARS, "the note")
        reason = _clean(reason, MAX_NOTE_CHARS, "the reason")
        if status == "rejected" and not reason:
            raise ValueError("a rejection needs a reason the citizen can read")
        current = self.get(report_id)
        if expected_version is not None and expected_version != current.version:
            raise ReportStateError(current, f"changed since version {expected_version}; reload it")
        if status not in _NEXT[current.status]:
            raise ReportStateError(current, f"cannot become {status}")
        values: dict[str, Any] = {"status": status, "version": current.version + 1, "updated_at": now}
        if note is not None:
            values["note"] = note
        if reason is not None:
            values["reason"] = reason
        if after_photo_ref is not None:
            values["after_photo_ref"] = after_photo_ref
        if external_id is not None:
            values["external_id"] = external_id
        with self.engine.begin() as connection:
            result = connection.execute(
                update(reports).where(reports.c.id == report_id, reports.c.version == current.version).values(**values)
            )
            if not getattr(result, "rowcount", 0):
                raise ReportStateError(self.get(report_id), "changed by someone else meanwhile; reload it")
            connection.execute(
                insert(report_status_history).values(
                    report_id=report_id, status=status, note=note, reason=reason, actor=actor, created_at=now
                )
            )
            report = _report(connection.execute(select(reports).where(reports.c.id == report_id)).mappings().one())
            connection.execute(
                insert(report_notices).values(
                    report_id=report_id,
                    sender_id=report.sender_id,
                    channel=report.channel,
                    text=self._status_notice(report, note),
                    created_at=now,
                )
            )
        return report

    def _status_notice(self, report: Report, note: str | None) -> str:
        lang = report.language
        values = {"ticket": report.ticket, "organisation": report.organisation, "reason": report.reason or ""}
        sentence = text(f"reports.status_{report.status}", lang, **values)
        if note and report.status != "rejected":
            sentence += "\n" + text("reports.note", lang, note=note)
        return sentence

    def rate(self, report_id: int, sender_id: str, rating: int) -> Report:
        """The citizen's 1-5 rating, once the report is done; only by the citizen who filed it."""
        if not 1 <= rating <= 5:
            raise ValueError("a rating is a whole number from 1 to 5")
        report = self.get(report_id)
        if report.sender_id != sender_id:
            raise ReportNotFoundError(report_id)  # someone else's report: as if it did not exist
        if report.status != "done":
            raise ReportStateError(report, "only a finished report can be rated")
        with self.engine.begin() as connection:
            connection.execute(
                update(reports)
                .where(reports.c.id == report_id)
                .values(rating=rating, version=report.version + 1, updated_at=_utcnow())
            )
        return self.get(report_id)

    # --- notices ----------------------------------------------------------------------------------

    def pending_notices(
        self, channel: str | None = None, sender_id: str | None = None, limit: int = 100
    ) -> list[Notice]:
        """Notices no channel has delivered yet, oldest first."""
        query = select(report_notices).where(report_notices.c.delivered_at.is_(None))
        if channel:
            query = query.where(report_notices.c.channel == channel)
        if sender_id:
            query = query.where(report_notices.c.sender_id == sender_id)
        with self.engine.connect() as connection:
            rows = connection.execute(query.order_by(report_notices.c.id).limit(limit)).mappings()
            return [
                Notice(
                    row["id"],
                    row["report_id"],
                    row["sender_id"],
                    row["channel"],
                    row["text"],
                    as_utc(row["created_at"]),
                )
                for row in rows
            ]

    def mark_delivered(self, notice_ids: Sequence[int]) -> int:
        """Mark notices delivered; only undelivered ones count, so two workers never both claim one."""
        if not notice_ids:
            return 0
        with self.engine.begin() as connection:
            result = connection.execute(
                update(report_notices)
                .where(report_notices.c.id.in_(list(notice_ids)), report_notices.c.delivered_at.is_(None))
                .values(delivered_at=_utcnow())
            )
        return int(getattr(result, "rowcount", 0) or 0)

    def claim_notices(
        self, channel: str, lease_seconds: float, limit: int = 100, now: dt.datetime | None = None
    ) -> list[Notice]:
        """Pending notices of ``channel`` that this caller now holds for ``lease_seconds`` (one
        conditional UPDATE each, so two replicas never hold one); deliver, then :meth:`mark_delivered`.
        A notice whose delivery failed (or whose holder died) is claimable again after its lease."""
        now = now or _utcnow()
        free = and_(
            report_notices.c.delivered_at.is_(None),
            report_notices.c.channel == channel,
            (report_notices.c.claimed_until.is_(None)) | (report_notices.c.claimed_until < now),
        )
        claimed: list[Notice] = []
        with self.engine.begin() as connection:
            rows = connection.execute(
                select(report_notices).where(free).order_by(report_notices.c.id).limit(limit)
            ).mappings()
            for row in list(rows):
                result = connection.execute(
                    update(report_notices)
                    .where(report_notices.c.id == row["id"], free)
                    .values(claimed_until=now + dt.timedelta(seconds=lease_seconds))
                )
                if getattr(result, "rowcount", 0):
                    claimed.append(
                        Notice(row["id"], row["report_id"], row["sender_id"], row["channel"], row["text"],
                               as_utc(row["created_at"]))
                    )  # fmt: skip
        return claimed

    # --- forwarding to an external case system ------------------------------------------------

    def claim_for_forwarding(
        self, lease_seconds: float, limit: int = 20, now: dt.datetime | None = None
    ) -> list[Report]:
        """Reports to send to the external system: received, not sent yet, the first of their case,
        with a location, and not waiting for a retry; each held for ``lease_seconds`` (conditional UPDATE)."""
        now = now or _utcnow()
        due = and_(
            reports.c.status == "received",
            reports.c.external_id.is_(None),
            reports.c.latitude.is_not(None),
            (reports.c.case_id.is_(None)) | (reports.c.case_id == reports.c.id),
            (reports.c.forward_next_at.is_(None)) | (reports.c.forward_next_at < now),
        )
        claimed: list[Report] = []
        with self.engine.begin() as connection:
            ids = [
                row[0]
                for row in connection.execute(select(reports.c.id).where(due).order_by(reports.c.id).limit(limit))
            ]
            for report_id in ids:
                result = connection.execute(
                    update(reports)
                    .where(reports.c.id == report_id, due)
                    .values(forward_next_at=now + dt.timedelta(seconds=lease_seconds))
                )
                if getattr(result, "rowcount", 0):
                    row = connection.execute(select(reports).where(reports.c.id == report_id)).mappings().one()
                    claimed.append(_report(row))
        return claimed

    def forward_failed(
        self, report_id: int, retry_in: Callable[[int], float], now: dt.datetime | None = None
    ) -> tuple[int, dt.datetime]:
        """Count a failed send; the next try waits ``retry_in(tries so far)`` seconds. (tries, next try)."""
        now = now or _utcnow()
        with self.engine.begin() as connection:
            attempts = connection.execute(select(reports.c.forward_attempts).where(reports.c.id == report_id)).scalar()
            tries = int(attempts or 0) + 1
            retry_at = now + dt.timedelta(seconds=retry_in(tries))
            connection.execute(
                update(reports)
                .where(reports.c.id == report_id)
                .values(forward_attempts=tries, forward_next_at=retry_at)
            )
        return tries, retry_at

    def set_external_id(self, report_id: int, external_id: str) -> None:
        """Keep the external system's id when the report cannot change status (an officer moved it on)."""
        with self.engine.begin() as connection:
            connection.execute(update(reports).where(reports.c.id == report_id).values(external_id=external_id))

    def by_external_id(self, external_id: str) -> Report:
        with self.engine.connect() as connection:
            row = (
                connection.execute(select(reports).where(reports.c.external_id == external_id.strip()))
                .mappings()
                .first()
            )
        if row is None:
            raise ReportNotFoundError(external_id)
        return _report(row)

    # --- routing table ----------------------------------------------------------------------------

    def routes(self) -> list[Route]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(report_routes).order_by(report_routes.c.id)).mappings()
            return [_route(row) for row in rows]

    def _route_values(
        self, type_name: str | None, province: str | None, district: str | None, organisation: str
    ) -> dict[str, Any]:
        organisation = organisation.strip()
        if not organisation or len(organisation) > 200:
            raise ValueError("a route needs an organisation name of at most 200 characters")
        if district and not province:
            raise ValueError("a district route needs its province too (districts repeat across provinces)")
        return {
            "type": self.taxonomy.require(type_name).th if type_name else None,
            "province": (province or "").strip() or None,
            "district": (district or "").strip() or None,
            "organisation": organisation,
        }

    def add_route(
        self, type_name: str | None, province: str | None, district: str | None, organisation: str, actor: str
    ) -> Route:
        values = self._route_values(type_name, province, district, organisation)
        with self.engine.begin() as connection:
            inserted = connection.execute(
                insert(report_routes).values(**values, updated_by=actor, updated_at=_utcnow())
            ).inserted_primary_key
            route_id = int(inserted[0]) if inserted else 0
            return _route(
                connection.execute(select(report_routes).where(report_routes.c.id == route_id)).mappings().one()
            )

    def update_route(
        self,
        route_id: int,
        type_name: str | None,
        province: str | None,
        district: str | None,
        organisation: str,
        actor: str,
    ) -> Route:
        values = self._route_values(type_name, province, district, organisation)
        with self.engine.begin() as connection:
            result = connection.execute(
                update(report_routes)
                .where(report_routes.c.id == route_id)
                .values(**values, updated_by=actor, updated_at=_utcnow())
            )
            if not getattr(result, "rowcount", 0):
                raise ReportNotFoundError(f"route {route_id}")
            return _route(
                connection.execute(select(report_routes).where(report_routes.c.id == route_id)).mappings().one()
            )

    def delete_route(self, route_id: int) -> None:
        with self.engine.begin() as connection:
            if not getattr(
                connection.execute(delete(report_routes).where(report_routes.c.id == route_id)), "rowcount", 0
            ):
                raise ReportNotFoundError(f"route {route_id}")

    def route_for(self, type_name: str, province: str | None, district: str | None) -> str:
        """The organisation of the most specific matching route, else the default organisation.

        A route names a type or any type, and a district (in a province), a province or anywhere;
        a matching route that names more wins: type and district, then district, then type and
        province, province, type anywhere. Ties go to the newest row.
        """
        province, district = (province or "").strip() or None, (district or "").strip() or None
        best: tuple[int, int] | None = None
        organisation = self.settings.default_organisation
        for route in self.routes():
            if route.type is not None and route.type != type_name:
                continue
            if route.province is not None and route.province != province:
                continue
            if route.district is not None and route.district != district:
                continue
            rank = (4 if route.district else 2 if route.province else 0) + (1 if route.type else 0)
            if best is None or (rank, route.id) > best:
                best, organisation = (rank, route.id), route.organisation
        return organisation

    # --- privacy ----------------------------------------------------------------------------------

    def export_sender(self, sender_id: str) -> dict[str, Any]:
        """Everything stored about one conversation's reports, for a data-access request."""
        own = self.for_sender(sender_id)
        return {
            "reports": [
                {
                    **{key: value for key, value in report.__dict__.items() if not isinstance(value, dt.datetime)},
                    "created_at": report.created_at.isoformat(),
                    "updated_at": report.updated_at.isoformat(),
                    "history": [
                        {**change.__dict__, "created_at": change.created_at.isoformat()}
                        for change in self.history(report.id)
                    ],
                }
                for report in own
            ]
        }

    def erase_sender(self, sender_id: str) -> int:
        """Delete one conversation's reports, their history and notices; returns how many reports went."""
        return self.erase_sender_with_photos(sender_id)[0]

    def erase_sender_with_photos(self, sender_id: str) -> tuple[int, list[str]]:
        """As :meth:`erase_sender`, and the photo refs of what went (the caller deletes the files)."""
        with self.engine.begin() as connection:
            return self._delete(connection, reports.c.sender_id == sender_id)

    def purge_older_than(self, days: int, now: dt.datetime | None = None) -> int:
        """Apply the retention: reports last changed more than ``days`` ago go, with history and notices."""
        return self.purge_older_than_with_photos(days, now)[0]

    def purge_older_than_with_photos(self, days: int, now: dt.datetime | None = None) -> tuple[int, list[str]]:
        """As :meth:`purge_older_than`, and the photo refs of what went, read in the same transaction."""
        cutoff = (now or _utcnow()) - dt.timedelta(days=days)
        with self.engine.begin() as connection:
            return self._delete(connection, reports.c.updated_at < cutoff)

    @staticmethod
    def _delete(connection: Any, which: Any) -> tuple[int, list[str]]:
        rows = connection.execute(select(reports.c.id, reports.c.photo_ref, reports.c.after_photo_ref).where(which))
        found = list(rows)
        ids = [row[0] for row in found]
        refs = [ref for row in found for ref in (row[1], row[2]) if ref]
        if not ids:
            return 0, []
        connection.execute(delete(report_status_history).where(report_status_history.c.report_id.in_(ids)))
        connection.execute(delete(report_notices).where(report_notices.c.report_id.in_(ids)))
        connection.execute(delete(reports).where(reports.c.id.in_(ids)))
        return len(ids), refs
