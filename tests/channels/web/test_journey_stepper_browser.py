"""A journey in the widget as a stepper, in a real headless Chromium against the real gateway.

Rasa is the loopback tracker stub (no model): the journey commands are the citizens desk's, which
answers before Rasa. The citizen opens a journey, ticks a step by keyboard, is asked for consent
first (nothing kept), agrees through the consent quick replies, ticks again and sees the step
marked and "next" moved; after a reload, "my journeys" shows the progress kept.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import uvicorn
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from gateway.app import create_app
from knowledge.catalogue_files import load_seed
from knowledge.journeys import load_seed_journeys
from tests.gateway.rasa_tracker_stub import tracker_rasa
from tests.support import TEST_SECRETS, ThreadedServer, make_settings, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BABY = next(journey for journey in load_seed_journeys() if journey.id == "having-a-baby")
TITLES = {service.id: service.title.th for service in load_seed()}
ANSWER_MS = 20_000


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with tracker_rasa(TEST_SECRETS["rasa"]) as rasa:
        tmp = tmp_path_factory.mktemp("journey-stepper")
        settings = make_settings(tmp, rasa_port=urlsplit(rasa.url).port, prebuilt_catalogue=True)
        settings.store.citizens_url = f"sqlite:///{tmp / 'citizens.db'}"  # this test's own citizens
        app = create_app(settings)
        server = ThreadedServer(
            uvicorn.Config(app, host="127.0.0.1", port=settings.gateway.port, log_level="warning", lifespan="on")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            assert wait_until(lambda: server.started, 60), "gateway did not start"
            assert wait_until(lambda: app.state.runtime.catalogue_state == "ready", 120), "catalogue not loaded"
            yield f"http://127.0.0.1:{settings.gateway.port}"
        finally:
            server.should_exit = True
            thread.join(15)


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="th-TH")
    context.set_default_timeout(15_000)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.goto(f"{base_url}/")
    opened.get_by_role("button", name="ถามผู้ช่วย", exact=True).click()
    yield opened
    assert errors == []
    context.close()


def _send(page: Page, words: str) -> None:
    """Type and send, once the widget is not waiting for an answer (it sends nothing meanwhile)."""
    expect(page.locator("form.cb-form[aria-busy='true']")).to_have_count(0, timeout=ANSWER_MS)
    box = page.locator("#cb-input")
    box.fill(words)
    box.press("Enter")


def _stepper(page: Page):
    return page.locator("section.cb-journey[data-journey-id='having-a-baby']").last


def _press(page: Page, locator) -> None:
    """By keyboard, as a citizen without a mouse would."""
    locator.focus()
    page.keyboard.press("Enter")


def test_a_journey_is_a_stepper_and_a_tick_is_kept(page: Page) -> None:
    _send(page, "/journey having-a-baby th")
    stepper = _stepper(page)
    expect(stepper).to_be_visible(timeout=ANSWER_MS)
    expect(stepper.get_by_role("heading", name=BABY.title.th)).to_be_visible()
    steps = stepper.locator("ol.cb-steps > li")
    expect(steps).to_have_count(len(BABY.steps))
    first, second = steps.nth(0), steps.nth(1)
    expect(first).to_have_attribute("aria-current", "step")  # nothing done yet: the first step is next
    expect(first).to_contain_text("ภายใน 15 วัน")
    expect(stepper).to_contain_text("ทำแล้ว 0 จาก 5 ขั้นตอน")

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, results.generate_report()

    registration = TITLES["birth-registration"]
    _press(page, first.get_by_role("button", name=f"ทำเครื่องหมายว่า {registration} ทำแล้ว"))
    consent = page.get_by_role("button", name="อ่านและให้ความยินยอม", exact=True)
    expect(consent).to_be_visible(timeout=ANSWER_MS)  # asked first: nothing kept without consent
    consent.click()
    agree = page.get_by_role("button", name=re.compile(r"^(ยินยอม|I agree)$"))
    expect(agree).to_be_visible(timeout=ANSWER_MS)
    agree.click()
    expect(agree).to_have_count(0, timeout=ANSWER_MS)  # answered: the quick replies are gone

    _send(page, "/journey having-a-baby th")
    stepper = _stepper(page)
    expect(stepper.locator("ol.cb-steps > li").nth(0)).to_have_attribute("data-state", "todo", timeout=ANSWER_MS)
    _press(
        page,
        stepper.locator("ol.cb-steps > li").nth(0).get_by_role("button", name=f"ทำเครื่องหมายว่า {registration} ทำแล้ว"),
    )
    expect(page.locator(".cb-msg-bot .cb-text").last).to_have_text(f"บันทึกแล้ว: {registration} ทำแล้ว", timeout=ANSWER_MS)
    stepper = _stepper(page)
    steps = stepper.locator("ol.cb-steps > li")
    first, second = steps.nth(0), steps.nth(1)
    expect(first).to_have_attribute("data-state", "done")
    expect(first).not_to_have_attribute("aria-current", "step")
    expect(second).to_have_attribute("aria-current", "step")  # "next" moved on
    expect(first.get_by_role("button", name=f"ทำเครื่องหมายว่า {registration} ยังไม่ได้ทำ")).to_be_visible()
    expect(stepper).to_contain_text("ทำแล้ว 1 จาก 5 ขั้นตอน")
    # The stepper is drawn again after a tick: keyboard users stay in the chat.
    assert page.locator("#cb-input").evaluate("el => el.getRootNode().activeElement === el")

    page.reload()
    if page.locator("#cb-input").is_hidden():
        page.get_by_role("button", name="ถามผู้ช่วย", exact=True).click()
    _send(page, "/my_journeys th")
    listed = page.locator(".cb-msg-bot").last
    expect(listed).to_contain_text(f"{BABY.title.th}: ทำแล้ว 1/5", timeout=ANSWER_MS)
    expect(listed).to_contain_text(f"ขั้นต่อไป: {TITLES['universal-coverage-registration']}")
    page.get_by_role("button", name=BABY.title.th, exact=True).click()
    kept = _stepper(page).locator("ol.cb-steps > li")
    expect(kept.nth(0)).to_have_attribute("data-state", "done", timeout=ANSWER_MS)
    expect(kept.nth(1)).to_have_attribute("aria-current", "step")
