"""The Traffy Fondue forwarder against a loopback stub of its exchange API, on a real database:
the documented fields and the photo go out, a report Traffy took is forwarded with their ticket id,
Traffy down means a later try and nothing lost, and with the setting off nothing is sent at all."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from pydantic import SecretStr

from conversation.reports.forwarder import ACTOR, TraffyForwarder, retry_delay
from conversation.reports.photos import PhotoStore
from conversation.reports.settings import ReportsSettings
from conversation.reports.store import NewReport, ReportsStore
from tests.conversation.reports.traffy_stub import TraffyStub

LAT, LON = 13.7550, 100.4930
TOKEN = "traffy-test-token"


@pytest.fixture
def traffy() -> Iterator[TraffyStub]:
    stub = TraffyStub(TOKEN).start()
    yield stub
    stub.stop()


@pytest.fixture
def store(sql_url: str) -> Iterator[ReportsStore]:
    opened = ReportsStore(sql_url)
    yield opened
    opened.close()


def _settings(traffy: TraffyStub, enabled: bool = True) -> ReportsSettings:
    return ReportsSettings(
        forwarder_enabled=enabled,
        forwarder_url=traffy.url,
        forwarder_token=SecretStr(TOKEN),
        forwarder_timeout_seconds=5,
    )


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


def _forward(forwarder: TraffyForwarder, now: dt.datetime | None = None) -> int:
    async def run() -> int:
        try:
            return await forwarder.run_once(now)
        finally:
            await forwarder.aclose()

    return asyncio.run(run())


def test_a_report_goes_out_with_the_documented_fields_and_its_photo(
    store: ReportsStore, traffy: TraffyStub, tmp_path: Path
) -> None:
    photos = PhotoStore(tmp_path / "photos")
    photo = photos.save(_jpeg())
    new = NewReport(
        "line:U1", "line", "th", "ไฟถนนดับทั้งซอย โทร 081-234-5678", "ไฟฟ้า",
        latitude=LAT, longitude=LON, address="ซอยสุขุมวิท 11", photo_ref=photo.ref,
    )  # fmt: skip
    report = store.file(new).report

    assert _forward(TraffyForwarder(store, photos, _settings(traffy))) == 1

    [(path, headers, body)] = traffy.requests
    assert path == "/exchange-api/new-issue/v1" and headers["Authorization"] == f"Bearer {TOKEN}"
    assert body["latitude"] == LAT and body["longitude"] == LON
    assert body["category_name_th"] == "ไฟฟ้า" and body["client_ticket_id"] == report.ticket
    assert "081-234-5678" not in body["description"] and "ไฟถนนดับ" in body["description"]  # masked as stored
    assert body["address"] == "ซอยสุขุมวิท 11"
    assert base64.b64decode(body["photo_base64"][0]) == photos.read(photo.ref)[0]
    after = store.get(report.id)
    assert after.status == "forwarded" and after.external_id == "2026-TF0001"
    assert store.history(report.id)[-1].actor == ACTOR
    assert any("ส่งต่อ" in notice.text for notice in store.pending_notices("line"))  # the citizen is told


def test_traffy_down_means_a_later_try_and_the_report_is_kept(store: ReportsStore, traffy: TraffyStub) -> None:
    report = store.file(NewReport("web:a", "web", "en", "Flooded road", "น้ำท่วม", latitude=LAT, longitude=LON)).report
    traffy.down = True
    now = dt.datetime.now(dt.UTC)

    assert _forward(TraffyForwarder(store, None, _settings(traffy)), now) == 0
    assert store.get(report.id).status == "received" and store.get(report.id).external_id is None
    assert _forward(TraffyForwarder(store, None, _settings(traffy)), now + dt.timedelta(seconds=10)) == 0
    assert len(traffy.requests) == 1  # waiting for its back-off, not hammering Traffy

    traffy.down = False
    later = now + dt.timedelta(seconds=retry_delay(1) + 1)
    assert _forward(TraffyForwarder(store, None, _settings(traffy)), later) == 1
    assert len(traffy.requests) == 2 and traffy.requests[1][2]["client_ticket_id"] == report.ticket
    assert store.get(report.id).status == "forwarded"


def test_the_back_off_doubles_up_to_a_cap() -> None:
    assert [retry_delay(n) for n in (1, 2, 3)] == [60.0, 120.0, 240.0]
    assert retry_delay(50) == 6 * 3600.0


def test_with_the_forwarder_off_nothing_is_sent(store: ReportsStore, traffy: TraffyStub) -> None:
    store.file(NewReport("web:a", "web", "en", "Flooded road", "น้ำท่วม", latitude=LAT, longitude=LON))
    assert ReportsSettings().forwarder_enabled is False  # off by default
    assert _forward(TraffyForwarder(store, None, _settings(traffy, enabled=False))) == 0
    assert traffy.requests == []


def test_duplicates_and_reports_without_a_place_are_not_sent(store: ReportsStore, traffy: TraffyStub) -> None:
    first = store.file(NewReport("web:a", "web", "th", "น้ำท่วมขัง", "น้ำท่วม", latitude=LAT, longitude=LON))
    store.file(NewReport("web:b", "web", "th", "น้ำท่วมขังหน้าปากซอย", "น้ำท่วม", latitude=LAT, longitude=LON))
    store.file(NewReport("web:c", "web", "th", "ถนนเป็นหลุม", "ถนน"))  # no location: new-issue needs one

    assert _forward(TraffyForwarder(store, None, _settings(traffy))) == 1
    assert [body["client_ticket_id"] for _path, _headers, body in traffy.requests] == [first.report.ticket]
