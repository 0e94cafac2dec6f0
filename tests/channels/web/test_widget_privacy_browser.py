"""Where the widget keeps a conversation, and the privacy notice it shows, in a real headless Chromium.

The gateway is real and on a real port; Rasa is the loopback tracker server (it echoes), so no
model is needed: these tests are about the browser's storage, not the answers. A new tab of the
same browser context shares localStorage but not sessionStorage, which is what a citizen would
see closing a tab and coming back.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, expect

from gateway.app import create_app
from tests.gateway.rasa_tracker_stub import tracker_rasa
from tests.support import TEST_SECRETS, ThreadedServer, make_settings, wait_until
from texts import text

pytestmark = [pytest.mark.browser, pytest.mark.slow]

POLICY_URL = "https://www.example.go.th/privacy"
DAYS = {"keep_days": 3, "conversation_days": 12, "handoff_days": 45, "feedback_days": 77, "analytics_days": 200}

# Our keys in each storage area of the page (the widget's keys are namespaced by gateway).
_OURS = """(area) => Object.keys(window[area]).filter((key) => key.startsWith('citizenbot.widget.v1:'))"""
_KEEP_UNTIL = """() => Number(Object.entries(localStorage).find(([k]) => k.endsWith(':keep-until'))[1])"""
_EXPIRE = """() => {
  const key = Object.keys(localStorage).find((k) => k.endsWith(':keep-until'));
  localStorage.setItem(key, String(Date.now() - 1000));
}"""


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with tracker_rasa(TEST_SECRETS["rasa"]) as rasa:
        settings = make_settings(
            tmp_path_factory.mktemp("widget-privacy"), rasa_port=urlsplit(rasa.url).port, prebuilt_catalogue=True
        )
        settings.privacy.conversation_days = DAYS["conversation_days"]
        settings.privacy.handoff_days = DAYS["handoff_days"]
        settings.privacy.feedback_days = DAYS["feedback_days"]
        settings.privacy.analytics_days = DAYS["analytics_days"]
        settings.web.keep_history_days = DAYS["keep_days"]
        settings.web.privacy_policy_url = POLICY_URL
        app = create_app(settings)
        server = ThreadedServer(
            uvicorn.Config(app, host="127.0.0.1", port=settings.gateway.port, log_level="warning", lifespan="on")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            assert wait_until(lambda: server.started, 60), "gateway did not start"
            yield f"http://127.0.0.1:{settings.gateway.port}"
        finally:
            server.should_exit = True
            thread.join(15)


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="th-TH")
    context.set_default_timeout(15_000)
    yield context
    context.close()


def open_widget(context: BrowserContext, base_url: str) -> Page:
    """A new tab with the demo page and the chat open."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base_url}/")
    launcher = page.get_by_role("button", name="ถามผู้ช่วย", exact=True)
    expect(launcher).to_be_visible()
    if launcher.get_attribute("aria-expanded") != "true":  # a kept conversation keeps the panel open too
        launcher.click()
    expect(page.locator("#cb-input")).to_be_visible()
    page.errors = errors  # type: ignore[attr-defined]
    return page


def send(page: Page, message: str) -> None:
    box = page.locator("#cb-input")
    box.fill(message)
    box.press("Enter")
    expect(page.get_by_text(f"you said: {message}", exact=True)).to_be_visible()


def keep_box(page: Page) -> Any:
    return page.get_by_role("checkbox", name=text("privacy.keep", "th", **DAYS))


def ours(page: Page, area: str) -> list[str]:
    return sorted(key.rsplit(":", 1)[1] for key in page.evaluate(_OURS, area))


def test_by_default_the_conversation_stays_in_the_tab_and_the_notice_says_so(context, base_url):
    page = open_widget(context, base_url)
    send(page, "สวัสดี")
    expect(keep_box(page)).to_be_visible()
    expect(keep_box(page)).not_to_be_checked()
    assert "history" in ours(page, "sessionStorage") and ours(page, "localStorage") == []

    notice = page.locator(".cb-privacy")  # the widget's (the demo page says the same, from the same table)
    notice.get_by_text(text("privacy.title", "th"), exact=True).click()
    expect(notice.get_by_text(text("privacy.device", "th", **DAYS))).to_be_visible()
    expect(notice.get_by_text(text("privacy.server", "th", **DAYS))).to_be_visible()
    link = notice.get_by_role("link", name=text("privacy.policy", "th"))
    expect(link).to_have_attribute("href", POLICY_URL)
    sender = page.evaluate("() => JSON.parse(Object.entries(sessionStorage).find(([k]) => k.endsWith(':sender'))[1])")
    expect(page.locator(".cb-privacy-code code")).to_have_text(f"web:{sender}")

    page.get_by_role("button", name="English").click()  # the notice follows the widget's language
    expect(notice.get_by_text(text("privacy.server", "en", **DAYS))).to_be_visible()
    assert "12 days without use" in text("privacy.server", "en", **DAYS)
    assert "200 days for statistics" in text("privacy.server", "en", **DAYS)

    other_tab = open_widget(context, base_url)  # a tab closed and opened again: nothing is left
    expect(other_tab.get_by_text(text("widget.welcome", "th"))).to_be_visible()
    expect(other_tab.get_by_text("you said: สวัสดี", exact=True)).to_have_count(0)
    assert ours(other_tab, "localStorage") == []
    assert page.errors == [] and other_tab.errors == []  # type: ignore[attr-defined]


def test_keep_on_this_device_survives_a_new_tab_until_it_expires(context, base_url):
    page = open_widget(context, base_url)
    send(page, "ต่ออายุบัตร")
    keep_box(page).check()
    assert "history" in ours(page, "localStorage") and ours(page, "sessionStorage") == []
    expires_in_days = (page.evaluate(_KEEP_UNTIL) - page.evaluate("() => Date.now()")) / 86_400_000
    assert abs(expires_in_days - DAYS["keep_days"]) < 0.01

    again = open_widget(context, base_url)  # the conversation is on the device now
    expect(again.get_by_text("you said: ต่ออายุบัตร", exact=True)).to_be_visible()
    expect(keep_box(again)).to_be_checked()
    send(again, "ขอบคุณ")  # and it continues the same conversation

    again.evaluate(_EXPIRE)  # three days later
    expired = open_widget(context, base_url)
    expect(expired.get_by_text(text("widget.welcome", "th"))).to_be_visible()
    expect(expired.get_by_text("you said: ต่ออายุบัตร", exact=True)).to_have_count(0)
    expect(keep_box(expired)).not_to_be_checked()
    assert ours(expired, "localStorage") == []


def test_unticking_keep_takes_the_conversation_off_the_device(context, base_url):
    page = open_widget(context, base_url)
    send(page, "ขอบคุณครับ")  # Thai, so the widget (and its checkbox label) stays in Thai
    keep_box(page).check()
    assert ours(page, "localStorage") != []
    keep_box(page).uncheck()
    assert ours(page, "localStorage") == [] and "history" in ours(page, "sessionStorage")
    page.reload()  # still there for this tab (the panel stays open across a reload)
    expect(page.get_by_text("you said: ขอบคุณครับ", exact=True)).to_be_visible()
