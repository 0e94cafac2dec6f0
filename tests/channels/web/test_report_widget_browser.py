"""A problem report in the widget, in a real headless Chromium against the real gateway on a real port.

No model is needed: the report desk answers /report_problem before Rasa (the loopback tracker
stands in for Rasa). One run shares the browser's location (permission granted, a set position)
and attaches a photo through the picker; the other has the permission refused and types the address.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect

from gateway.app import create_app
from tests.gateway.rasa_tracker_stub import tracker_rasa
from tests.support import TEST_SECRETS, ThreadedServer, make_settings, wait_until
from texts import text

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BANG_RAK = {"latitude": 13.7298, "longitude": 100.5246}
TICKET = re.compile(r"R\d{6}-\d{5}")


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    with tracker_rasa(TEST_SECRETS["rasa"]) as rasa:
        settings = make_settings(tmp_path_factory.mktemp("report-widget"), rasa_port=urlsplit(rasa.url).port)
        settings.store.seed_on_empty = False
        app = create_app(settings)
        server = ThreadedServer(
            uvicorn.Config(app, host="127.0.0.1", port=settings.gateway.port, log_level="warning", lifespan="on")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            assert wait_until(lambda: server.started, 60), "gateway did not start"
            yield f"http://127.0.0.1:{settings.gateway.port}", app
        finally:
            server.should_exit = True
            thread.join(15)


def open_widget(context: BrowserContext, base_url: str, errors: list[str]) -> Page:
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base_url}/")
    page.get_by_role("button", name="ถามผู้ช่วย", exact=True).click()
    expect(page.locator("#cb-input")).to_be_visible()
    return page


def type_message(page: Page, said: str) -> None:
    box = page.locator("#cb-input")
    box.fill(said)
    box.press("Enter")


def describe(page: Page) -> None:
    page.get_by_role("button", name=text("widget.report_start", "th"), exact=True).click()
    expect(page.locator(".cb-log").get_by_text(text("reports.ask_description", "th"))).to_be_visible()
    type_message(page, "ไฟถนนดับทั้งซอย มืดมาก")
    # The first description of the process may wait for the type classifier's training (a few seconds,
    # started in the background with the gateway; longer on a busy machine).
    expect(page.locator(".cb-log").get_by_text(text("reports.ask_location", "th"))).to_be_visible(timeout=90_000)


def confirm(page: Page, app: Any) -> Any:
    page.get_by_role("button", name=text("reports.button_confirm", "th"), exact=True).click()
    told = page.locator(".cb-log").get_by_text(TICKET)
    expect(told).to_be_visible()
    ticket = TICKET.search(told.inner_text())
    assert ticket
    return app.state.runtime.reports.by_ticket(ticket.group(0))


def test_a_report_with_the_browser_location_and_a_photo(
    browser: Browser, gateway: tuple[str, Any], tmp_path: Path
) -> None:
    base_url, app = gateway
    context = browser.new_context(
        viewport={"width": 1280, "height": 860}, locale="th-TH", geolocation=BANG_RAK, permissions=["geolocation"]
    )
    context.set_default_timeout(20_000)
    errors: list[str] = []
    try:
        page = open_widget(context, base_url, errors)
        describe(page)
        page.get_by_role("button", name=text("widget.report_share_location", "th"), exact=True).click()
        expect(page.locator(".cb-log").get_by_text(text("reports.ask_photo", "th"))).to_be_visible()
        photo = tmp_path / "pothole.jpg"
        out = io.BytesIO()
        Image.new("RGB", (80, 60), (120, 80, 40)).save(out, format="JPEG")
        photo.write_bytes(out.getvalue())
        label = page.get_by_text(text("widget.report_photo", "th"), exact=True)
        expect(label).to_be_visible()
        page.locator("#cb-photo").set_input_files(str(photo))
        expect(page.locator(".cb-log").get_by_text(text("reports.photo_attached", "th"), exact=False)).to_be_visible()
        report = confirm(page, app)
        assert (report.latitude, report.longitude, report.district) == (13.7298, 100.5246, "บางรัก")
        assert report.photo_ref and report.type == "ไฟฟ้า"
        # An officer starts work on it: the open widget shows that in its conversation (its poll).
        app.state.runtime.reports.change_status(report.id, "in_progress", "somchai")
        notice = text("reports.status_in_progress", "th", ticket=report.ticket)
        expect(page.locator(".cb-log").get_by_text(notice, exact=False)).to_be_visible(timeout=30_000)
    finally:
        context.close()
    assert errors == []


def test_with_the_location_refused_the_address_is_typed(browser: Browser, gateway: tuple[str, Any]) -> None:
    base_url, app = gateway
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="th-TH")  # no permission
    context.set_default_timeout(20_000)
    errors: list[str] = []
    try:
        page = open_widget(context, base_url, errors)
        describe(page)
        page.get_by_role("button", name=text("widget.report_share_location", "th"), exact=True).click()
        expect(page.locator(".cb-log").get_by_text(text("widget.report_location_denied", "th"))).to_be_visible()
        type_message(page, "หน้าบ้านฉันเอง")
        expect(
            page.locator(".cb-log").get_by_text(text("reports.place_not_found", "th", typed="หน้าบ้านฉันเอง"))
        ).to_be_visible()
        type_message(page, "ซอยข้างตลาด เขตบางรัก")
        expect(page.locator(".cb-log").get_by_text(text("reports.ask_photo", "th"))).to_be_visible()
        page.get_by_role("button", name=text("reports.button_skip", "th"), exact=True).click()
        report = confirm(page, app)
        assert (report.district, report.province, report.photo_ref) == ("บางรัก", "กรุงเทพมหานคร", None)
        assert report.address and "บางรัก" in report.address
    finally:
        context.close()
    assert errors == []
