"""The reports desk on a real database (a SQLite file, and PostgreSQL): what citizens and officers notice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import inspect

from conversation.reports.models import metadata
from conversation.reports.settings import ReportsSettings
from conversation.reports.store import (
    NewReport,
    ReportFilter,
    ReportNotFoundError,
    ReportsStore,
    ReportStateError,
    distance_metres,
)

# Sanam Luang, Bangkok; 0.0002 degrees of latitude is about 22 m.
LAT, LON = 13.7550, 100.4930
NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


def _new(sender: str = "line:U1", **values: object) -> NewReport:
    fields: dict[str, object] = {
        "sender_id": sender,
        "channel": "line",
        "language": "th",
        "description": "ไฟถนนดับทั้งซอย โทร 081-234-5678",
        "type": "ไฟฟ้า",
        "latitude": LAT,
        "longitude": LON,
        "province": "กรุงเทพมหานคร",
        "district": "พระนคร",
    }
    fields.update(values)
    return NewReport(**fields)  # type: ignore[arg-type]


@pytest.fixture
def store(sql_url: str) -> Iterator[ReportsStore]:
    opened = ReportsStore(sql_url, ReportsSettings(duplicate_metres=50, duplicate_days=3))
    yield opened
    opened.close()


def test_the_migrations_make_the_tables_the_models_describe(store: ReportsStore) -> None:
    found = inspect(store.engine)
    for table in metadata.sorted_tables:
        columns = {column["name"] for column in found.get_columns(table.name)}
        assert columns == {column.name for column in table.columns}, table.name


def test_a_filed_report_gets_a_ticket_is_masked_routed_and_the_citizen_is_told(store: ReportsStore) -> None:
    store.add_route("ไฟฟ้า", "กรุงเทพมหานคร", None, "การไฟฟ้านครหลวง", actor="admin")
    filed = store.file(_new(), now=NOW)
    report = filed.report
    assert report.ticket == f"R261202-{report.id:05d}"
    assert "081-234-5678" not in report.description and "ไฟถนนดับ" in report.description
    assert report.organisation == "การไฟฟ้านครหลวง"
    assert (report.status, report.case_id, filed.duplicate_of) == ("received", report.id, None)
    assert report.ticket in filed.notice and "การไฟฟ้านครหลวง" in filed.notice
    assert report.map_link is not None and "mlat=13.755000&mlon=100.493000" in report.map_link
    assert [change.status for change in store.history(report.id)] == ["received"]


def test_routing_takes_the_most_specific_rule_and_a_default_otherwise(store: ReportsStore) -> None:
    store.add_route(None, "กรุงเทพมหานคร", "พระนคร", "สำนักงานเขตพระนคร", actor="admin")
    store.add_route("ประปา", "กรุงเทพมหานคร", None, "การประปานครหลวง", actor="admin")
    store.add_route("ประปา", None, None, "การประปาส่วนภูมิภาค", actor="admin")
    assert store.route_for("ถนน", "กรุงเทพมหานคร", "พระนคร") == "สำนักงานเขตพระนคร"
    assert store.route_for("ประปา", "กรุงเทพมหานคร", "บางรัก") == "การประปานครหลวง"
    assert store.route_for("ประปา", "เชียงใหม่", None) == "การประปาส่วนภูมิภาค"
    assert store.route_for("ถนน", "เชียงใหม่", None) == ReportsSettings().default_organisation
    route = store.routes()[0]
    store.update_route(route.id, None, "กรุงเทพมหานคร", "พระนคร", "เขตพระนคร (ฝ่ายโยธา)", actor="admin2")
    assert store.route_for("ถนน", "กรุงเทพมหานคร", "พระนคร") == "เขตพระนคร (ฝ่ายโยธา)"
    store.delete_route(route.id)
    with pytest.raises(ReportNotFoundError):
        store.delete_route(route.id)
    with pytest.raises(ValueError, match="district route needs its province"):
        store.add_route(None, None, "พระนคร", "x", actor="admin")
    with pytest.raises(ValueError, match="unknown problem type"):
        store.add_route("ไฟไหม้", None, None, "x", actor="admin")


def test_a_report_close_by_of_the_same_type_joins_the_open_case(store: ReportsStore) -> None:
    first = store.file(_new(), now=NOW).report
    near = store.file(_new("web:abc", latitude=LAT + 0.0002, language="en"), now=NOW + dt.timedelta(days=1))
    assert near.duplicate_of is not None and near.duplicate_of.id == first.id
    assert near.report.case_id == first.id and near.report.ticket != first.ticket
    assert first.ticket in near.notice and "already been reported" in near.notice
    # Not the same case: another type, too far, too late, or the first one is finished.
    assert store.file(_new(type="ถนน"), now=NOW).duplicate_of is None
    assert store.file(_new(latitude=LAT + 0.001), now=NOW).duplicate_of is None  # about 110 m
    assert store.file(_new(latitude=None, longitude=None), now=NOW).duplicate_of is None
    case = store.search(ReportFilter(case_id=first.id))[0]
    assert {report.id for report in case} == {first.id, near.report.id}
    assert store.file(_new(), now=NOW + dt.timedelta(days=5)).duplicate_of is None  # last one was on day 1
    for report in store.search()[0]:
        store.change_status(report.id, "done", "officer1")
    assert store.file(_new(), now=NOW + dt.timedelta(days=5)).duplicate_of is None


def test_status_changes_are_recorded_and_each_queues_a_notice_in_the_citizens_language(store: ReportsStore) -> None:
    report = store.file(_new(language="en"), now=NOW).report
    store.change_status(report.id, "forwarded", "officer1")
    store.change_status(report.id, "in_progress", "external:traffy", note="Crew on the way")
    done = store.change_status(report.id, "done", "officer1", note="Lamp replaced", after_photo_ref="photos/after.jpg")
    assert (done.status, done.after_photo_ref, done.version) == ("done", "photos/after.jpg", 4)
    assert [change.actor for change in store.history(report.id)] == [
        "citizen",
        "officer1",
        "external:traffy",
        "officer1",
    ]
    notices = store.pending_notices(channel="line")
    assert [notice.report_id for notice in notices] == [report.id] * 3
    assert "passed to" in notices[0].text and "Crew on the way" in notices[1].text
    assert "rate" in notices[2].text
    assert store.mark_delivered([notice.id for notice in notices]) == 3
    assert store.mark_delivered([notice.id for notice in notices]) == 0  # a second worker claims nothing
    assert store.pending_notices(channel="line") == []
    rated = store.rate(report.id, "line:U1", 5)
    assert rated.rating == 5


def test_bad_status_changes_are_refused_and_nothing_changes(store: ReportsStore) -> None:
    report = store.file(_new(), now=NOW).report
    with pytest.raises(ValueError, match="needs a reason"):
        store.change_status(report.id, "rejected", "officer1")
    with pytest.raises(ValueError, match="unknown status"):
        store.change_status(report.id, "closed", "officer1")
    with pytest.raises(ReportStateError, match="only a finished report"):
        store.rate(report.id, "line:U1", 4)
    store.change_status(report.id, "forwarded", "officer1", expected_version=1)
    with pytest.raises(ReportStateError, match="changed since version 1"):
        store.change_status(report.id, "in_progress", "officer2", expected_version=1)
    rejected = store.change_status(report.id, "rejected", "officer1", reason="อยู่นอกพื้นที่รับผิดชอบ")
    assert rejected.reason == "อยู่นอกพื้นที่รับผิดชอบ"
    assert "อยู่นอกพื้นที่รับผิดชอบ" in store.pending_notices()[-1].text
    with pytest.raises(ReportStateError, match="cannot become done"):
        store.change_status(report.id, "done", "officer1")
    with pytest.raises(ReportNotFoundError):
        store.change_status(999_999, "done", "officer1")
    with pytest.raises(ReportNotFoundError):
        store.rate(report.id, "line:someone-else", 3)
    assert store.get(report.id).version == 3


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"description": "   "}, "needs a description"),
        ({"description": "ก" * 5000}, "longer than 4000"),
        ({"latitude": 95.0}, "latitude must be within"),
        ({"latitude": float("nan")}, "latitude must be within"),
        ({"longitude": None}, "both latitude and longitude"),
        ({"type": "ไฟไหม้"}, "unknown problem type"),
    ],
)
def test_a_bad_report_is_refused_with_a_clear_reason(
    store: ReportsStore, values: dict[str, object], problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        store.file(_new(**values))
    assert store.search()[1] == 0


def test_a_citizens_reports_are_listed_exported_and_erased_and_kept_only_for_the_retention(store: ReportsStore) -> None:
    mine = store.file(_new(), now=NOW).report
    store.change_status(mine.id, "forwarded", "officer1")
    other = store.file(_new("web:other", type="ถนน"), now=NOW).report
    assert [report.id for report in store.for_sender("line:U1")] == [mine.id]
    exported = store.export_sender("line:U1")
    assert [row["ticket"] for row in exported["reports"]] == [mine.ticket]
    assert [change["status"] for change in exported["reports"][0]["history"]] == ["received", "forwarded"]
    assert store.erase_sender("line:U1") == 1
    assert store.for_sender("line:U1") == [] and store.pending_notices(sender_id="line:U1") == []
    assert store.purge_older_than(30, now=NOW + dt.timedelta(days=29)) == 0
    assert store.purge_older_than(30, now=NOW + dt.timedelta(days=31)) == 1
    with pytest.raises(ReportNotFoundError):
        store.get(other.id)


def test_list_filters_and_pages(store: ReportsStore) -> None:
    for index in range(3):
        store.file(_new(f"s{index}", type="ถนน", latitude=LAT + index * 0.01), now=NOW)
    store.file(_new("s9", type="ประปา"), now=NOW)
    page, total = store.search(ReportFilter(type="ถนน", limit=2))
    assert total == 3 and len(page) == 2
    assert store.search(ReportFilter(type="Water supply"))[1] == 1  # by English label too
    assert store.search(ReportFilter(status="done"))[1] == 0


def test_distance_is_metres_on_the_ground() -> None:
    assert distance_metres(LAT, LON, LAT + 0.0002, LON) == pytest.approx(22.2, abs=0.5)
