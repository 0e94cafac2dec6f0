"""What the officers' queue asks of the reports store, on a SQLite file and on PostgreSQL: the province
and free-text filters (wildcards are text), each case's size, and which status may follow which."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from conversation.reports.settings import ReportsSettings
from conversation.reports.store import NewReport, ReportFilter, ReportsStore, next_statuses

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(sql_url: str) -> Iterator[ReportsStore]:
    opened = ReportsStore(sql_url, ReportsSettings(duplicate_metres=50, duplicate_days=3))
    yield opened
    opened.close()


def _file(store: ReportsStore, description: str, province: str, lat: float, **values: object) -> int:
    new = NewReport(
        sender_id="line:U1",
        channel="line",
        language="th",
        description=description,
        type="ถนน",
        latitude=lat,
        longitude=100.5,
        province=province,
        **values,
    )  # type: ignore[arg-type]
    return store.file(new, now=NOW).report.id


def test_province_and_words_filter_the_queue(store: ReportsStore) -> None:
    pothole = _file(store, "ถนนเป็นหลุม Pothole 100% dangerous", "กรุงเทพมหานคร", 13.70)
    crack = _file(store, "ถนนแตกร้าว", "นนทบุรี", 13.86, address="ซอยงามวงศ์วาน 2")
    found = lambda **f: [r.id for r in store.search(ReportFilter(**f))[0]]  # noqa: E731
    assert found(province="นนทบุรี") == [crack]
    assert found(q="pothole") == [pothole]  # any case
    assert found(q="งามวงศ์วาน") == [crack]  # the address too
    assert found(q="100%") == [pothole] and found(q="1_0") == [] and found(q="ร้%") == []  # wildcards are text
    ticket = store.get(crack).ticket
    assert found(q=ticket.lower()) == [crack] and found(q="  ") == [pothole, crack][::-1]


def test_case_sizes_count_the_reports_linked_to_each_case(store: ReportsStore) -> None:
    first = _file(store, "ถนนทรุด", "กรุงเทพมหานคร", 13.7000)
    _file(store, "ถนนทรุดตรงนี้เหมือนกัน", "กรุงเทพมหานคร", 13.7001)  # about 11 m away: the same case
    alone = _file(store, "ถนนทรุดอีกที่", "กรุงเทพมหานคร", 13.8000)
    assert store.case_sizes([first, alone, 999]) == {first: 2, alone: 1}
    assert store.case_sizes([]) == {}


def test_next_statuses_follow_the_desk_rules() -> None:
    assert next_statuses("received") == ("forwarded", "in_progress", "done", "rejected")
    assert next_statuses("in_progress") == ("forwarded", "done", "rejected")
    assert next_statuses("done") == () and next_statuses("rejected") == () and next_statuses("lost") == ()
