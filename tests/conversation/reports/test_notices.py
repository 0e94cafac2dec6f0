"""Report notices to a channel that pushes (conversation/reports/notices.py), on a real database.

The citizen gets each notice once when the channel accepts it, gets it later when the channel fails,
never from two replicas at once, and in batches of at most five per citizen."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator

import pytest

from conversation.reports.notices import DeliveryResult, NoticeDispatcher
from conversation.reports.store import NewReport, ReportsStore

LAT, LON = 13.7550, 100.4930


class Recording:
    """A channel delivery that records what it was handed and answers as told."""

    def __init__(self, answer: DeliveryResult = "delivered") -> None:
        self.answer: DeliveryResult = answer
        self.calls: list[tuple[str, list[str], str]] = []

    async def deliver(self, sender_id: str, texts: list[str], key: str) -> DeliveryResult:
        self.calls.append((sender_id, texts, key))
        return self.answer


@pytest.fixture
def store(sql_url: str) -> Iterator[ReportsStore]:
    opened = ReportsStore(sql_url)
    yield opened
    opened.close()


def _report(store: ReportsStore, sender: str = "line:U1", lat: float = LAT) -> int:
    new = NewReport(sender, "line", "th", "ไฟถนนดับ", "ไฟฟ้า", latitude=lat, longitude=LON)
    return store.file(new).report.id


def _dispatcher(store: ReportsStore, delivery: Recording, lease: float = 60.0) -> NoticeDispatcher:
    return NoticeDispatcher(store, lambda: {"line": delivery}, interval_seconds=0.01, lease_seconds=lease)


def test_a_status_change_reaches_the_citizen_once(store: ReportsStore) -> None:
    report_id = _report(store)
    store.change_status(report_id, "in_progress", "officer")
    delivery = Recording()
    dispatcher = _dispatcher(store, delivery)

    assert asyncio.run(dispatcher.run_once()) == 1
    [(sender, texts, _key)] = delivery.calls
    assert sender == "line:U1" and "กำลังดำเนินการ" in texts[0]
    assert asyncio.run(dispatcher.run_once()) == 0  # delivered: never again
    assert len(delivery.calls) == 1 and store.pending_notices("line") == []


def test_a_failed_delivery_is_kept_and_tried_again_after_its_lease(store: ReportsStore) -> None:
    report_id = _report(store)
    store.change_status(report_id, "in_progress", "officer")
    delivery = Recording("retry")
    dispatcher = _dispatcher(store, delivery, lease=0.2)

    assert asyncio.run(dispatcher.run_once()) == 0
    assert asyncio.run(dispatcher.run_once()) == 0  # still held by the failed try: not hammered
    assert len(delivery.calls) == 1 and len(store.pending_notices("line")) == 1

    delivery.answer = "delivered"
    asyncio.run(asyncio.sleep(0.3))
    assert asyncio.run(dispatcher.run_once()) == 1
    assert len(delivery.calls) == 2 and delivery.calls[0][2] == delivery.calls[1][2]  # same key: no double push
    assert store.pending_notices("line") == []


def test_a_delivery_that_raises_loses_nothing(store: ReportsStore) -> None:
    store.change_status(_report(store), "in_progress", "officer")

    class Broken:
        async def deliver(self, sender_id: str, texts: list[str], key: str) -> DeliveryResult:
            raise ConnectionError("LINE is away")

    dispatcher = NoticeDispatcher(store, lambda: {"line": Broken()}, lease_seconds=0.0)
    assert asyncio.run(dispatcher.run_once()) == 0
    assert len(store.pending_notices("line")) == 1


def test_two_replicas_never_hold_the_same_notice(store: ReportsStore) -> None:
    for _ in range(3):
        store.change_status(_report(store, lat=LAT + 0.01 * _), "in_progress", "officer")
    first = store.claim_notices("line", 60)
    second = store.claim_notices("line", 60)
    assert len(first) == 3 and second == []
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=61)
    assert len(store.claim_notices("line", 60, now=later)) == 3  # a replica that died: taken over


def test_notices_go_per_citizen_at_most_five_at_a_time(store: ReportsStore) -> None:
    for index in range(7):
        report_id = _report(store, "line:U1", lat=LAT + 0.01 * index)
        store.change_status(report_id, "in_progress", "officer")
    store.change_status(_report(store, "line:U2", lat=LAT - 0.5), "in_progress", "officer")
    delivery = Recording()

    assert asyncio.run(_dispatcher(store, delivery).run_once()) == 8
    sizes = [(sender, len(texts)) for sender, texts, _key in delivery.calls]
    assert sizes == [("line:U1", 5), ("line:U1", 2), ("line:U2", 1)]


def test_an_undeliverable_notice_is_dropped_and_other_channels_are_left_alone(store: ReportsStore) -> None:
    store.change_status(_report(store), "in_progress", "officer")
    web = store.file(NewReport("web:abc", "web", "en", "Street light out", "ไฟฟ้า", latitude=LAT + 1, longitude=LON))
    store.change_status(web.report.id, "in_progress", "officer")
    delivery = Recording("undeliverable")

    assert asyncio.run(_dispatcher(store, delivery).run_once()) == 0
    assert store.pending_notices("line") == []  # not retried for ever
    assert len(store.pending_notices("web")) == 1  # the widget's poll takes those
