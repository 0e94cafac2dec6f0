"""The citizen's dashboard in a real headless Chromium: opened from the chat's signed link, it shows
what the citizen keeps and the reports they filed; the profile changes through the form (the consent
given on the page first) and then suggests services the citizen may be entitled to; "delete my data"
asks to confirm and then leaves nothing; an expired link shows the refusal. The gateway is real and on
a real port; no Rasa is needed (the desk answers)."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from conversation.reports.store import NewReport
from gateway.app import create_app
from tests.support import ThreadedServer, make_settings, wait_until
from texts import text

pytestmark = [pytest.mark.browser, pytest.mark.slow]

_G = "citizens_dashboard"


class Gateway:
    def __init__(self, base_url: str, app: Any) -> None:
        self.base_url = base_url
        self.app = app

    @property
    def runtime(self) -> Any:
        return self.app.state.runtime

    @property
    def handler(self) -> Any:
        return next(h for h in self.runtime.citizen_desk.handlers if h.name == "dashboard")

    def new_chat(self) -> tuple[str, str]:
        """A new web conversation asking for "บริการของฉัน": its Rasa sender and the dashboard link."""
        reply = httpx.post(f"{self.base_url}/api/chat", json={"text": "บริการของฉัน"}, timeout=30).json()
        card = next(m["card"] for m in reply["messages"] if m["type"] == "card")
        return f"web:{reply['sender']}", card["links"][0]["url"]


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    tmp = tmp_path_factory.mktemp("dashboard-browser")
    settings = make_settings(tmp, prebuilt_catalogue=True)
    settings.store.citizens_url = f"sqlite:///{tmp / 'citizens.db'}"
    base_url = f"http://127.0.0.1:{settings.gateway.port}"
    settings.citizens.public_url = base_url
    app = create_app(settings)
    server = ThreadedServer(
        uvicorn.Config(app, host="127.0.0.1", port=settings.gateway.port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        assert wait_until(lambda: server.started, 60), "gateway did not start"
        gateway = Gateway(base_url, app)
        assert gateway.runtime.wait_until_loaded(120), "the catalogue did not load"
        yield gateway
    finally:
        server.should_exit = True
        thread.join(15)


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="th-TH")
    context.set_default_timeout(15_000)
    yield context
    context.close()


def open_page(context: BrowserContext, url: str) -> tuple[Page, list[str]]:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    return page, errors


def no_serious_violations(page: Page) -> None:
    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, results.generate_report()


def test_the_dashboard_shows_what_is_kept_and_switches_language(gateway: Gateway, context: BrowserContext) -> None:
    sender, url = gateway.new_chat()
    now = dt.datetime.now(dt.UTC)
    handler = gateway.handler
    handler.consents.grant(sender, "profile", "th", "web", now=now)
    handler.sources.progress.save_service(sender, "passport-renewal", now=now)
    handler.sources.progress.start(sender, "having-a-baby", (now - dt.timedelta(days=2)).date(), now=now)
    reports = gateway.runtime.reports
    filed = reports.file(NewReport(sender, "web", "th", "ท่อระบายน้ำหน้าตลาดอุดตัน", reports.taxonomy.other.id))
    ticket = filed.report.ticket

    page, errors = open_page(context, url)
    expect(page.get_by_role("heading", name="บริการของฉัน", exact=True)).to_be_visible()
    assert "t=" not in page.url  # the token left the address bar
    saved = page.locator("section", has=page.get_by_role("heading", name=text(f"{_G}.saved_heading", "th")))
    expect(saved).to_contain_text("หนังสือเดินทาง")
    journey = page.locator("[data-journey='having-a-baby']")
    expect(journey).to_contain_text(text("citizens_journeys.progress", "th", done=0, total=5))
    deadlines = page.locator("section", has=page.get_by_role("heading", name=text(f"{_G}.deadlines_heading", "th")))
    expect(deadlines.locator("li").first).to_contain_text("แจ้งเกิด")
    expect(page.locator(f"[data-ticket='{ticket}']")).to_contain_text(text("reports.state_received", "th"))
    no_serious_violations(page)

    page.get_by_role("button", name="Switch to English").click()
    expect(page.get_by_role("heading", name="My services", exact=True)).to_be_visible()
    expect(journey).to_contain_text("0 of 5")
    assert page.evaluate("document.documentElement.lang") == "en"
    page.reload()  # the token is kept for the tab: a reload still opens the dashboard
    expect(page.get_by_role("heading", name="My services", exact=True)).to_be_visible()
    no_serious_violations(page)
    assert errors == []


def test_consent_then_the_profile_form_then_delete_my_data(gateway: Gateway, context: BrowserContext) -> None:
    sender, url = gateway.new_chat()
    page, errors = open_page(context, url)
    expect(page.get_by_text(text(f"{_G}.nothing_kept", "th"))).to_be_visible()
    expect(page.locator("#cb-profile-form")).to_have_count(0)  # no form before the consent
    page.get_by_role("button", name=text(f"{_G}.consent_give", "th")).click()
    invite = page.get_by_role("link", name=text(f"{_G}.suggested_invite_web", "th"))
    expect(invite).to_have_attribute("href", "#cb-profile-form")  # nothing told yet: an invitation

    page.get_by_label(text(f"{_G}.profile_birth_year", "th")).fill("2509")
    page.get_by_label(text(f"{_G}.profile_nationality", "th")).select_option("thai")
    page.get_by_label(text(f"{_G}.profile_province", "th")).fill("เชียงใหม่")
    page.get_by_label(text("citizens_profile.situation_retired", "th")).check()
    page.get_by_role("button", name=text(f"{_G}.profile_save", "th")).click()
    expect(page.get_by_role("status")).to_have_text(text(f"{_G}.profile_saved", "th"))
    stored = gateway.handler.sources.profiles.get(sender)
    assert stored.fields.birth_year == 1966 and stored.fields.province == "เชียงใหม่"
    assert [str(s) for s in stored.fields.situations] == ["retired"]
    suggested = page.locator("section", has=page.get_by_role("heading", name=text(f"{_G}.suggested_heading", "th")))
    expect(suggested).to_be_visible()
    expect(suggested.get_by_text(text(f"{_G}.suggested_caution", "th"))).to_be_visible()
    expect(suggested.locator("[data-service='elderly-allowance']")).to_contain_text("เบี้ยยังชีพผู้สูงอายุ")
    assert 1 <= suggested.locator("li").count() <= 5
    expect(invite).to_have_count(0)
    no_serious_violations(page)

    # An unknown province is refused with the reason, and nothing changes.
    page.get_by_label(text(f"{_G}.profile_province", "th")).fill("แอตแลนติส")
    page.get_by_role("button", name=text(f"{_G}.profile_save", "th")).click()
    expect(page.get_by_role("status")).to_contain_text("province")
    assert gateway.handler.sources.profiles.get(sender).fields.province == "เชียงใหม่"

    page.get_by_role("button", name=text(f"{_G}.delete_button", "th")).click()
    expect(page.get_by_role("alert")).to_have_text(text(f"{_G}.delete_sure", "th"))
    page.get_by_role("button", name=text(f"{_G}.delete_cancel", "th")).click()
    assert gateway.handler.sources.profiles.get(sender) is not None  # cancelled: nothing deleted
    page.get_by_role("button", name=text(f"{_G}.delete_button", "th")).click()
    page.get_by_role("button", name=text(f"{_G}.delete_confirm", "th")).click()
    expect(page.get_by_role("status")).to_have_text(text(f"{_G}.deleted", "th"))
    assert gateway.handler.sources.profiles.get(sender) is None
    assert gateway.handler.consents.active(sender, "profile") is None
    expect(page.get_by_text(text(f"{_G}.nothing_kept", "th"))).to_be_visible()
    assert errors == []


def test_an_expired_link_shows_the_refusal(gateway: Gateway, context: BrowserContext) -> None:
    old = gateway.handler.links.token("web:whoever", now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    page, _errors = open_page(context, f"{gateway.base_url}/me?t={old}")
    expect(page.get_by_role("heading", name=text(f"{_G}.refused_title", "th"))).to_be_visible()
    expect(page.locator("[data-refused='expired']")).to_contain_text(text(f"{_G}.refused_expired", "en"))
    no_serious_violations(page)


def test_the_widget_shows_my_services_as_a_button_that_opens_the_dashboard(
    gateway: Gateway, context: BrowserContext
) -> None:
    page, errors = open_page(context, f"{gateway.base_url}/")
    page.get_by_role("button", name="ถามผู้ช่วย", exact=True).click()
    box = page.locator("#cb-input")
    box.fill("บริการของฉัน")
    box.press("Enter")
    expect(page.get_by_text(text(f"{_G}.link_intro", "th", minutes=30))).to_be_visible()  # shown, not hidden
    button = page.get_by_role("link", name=text(f"{_G}.open_button", "th"))
    expect(button).to_have_attribute("href", re.compile(rf"^{re.escape(gateway.base_url)}/me\?t=[\w-]+$"))
    with context.expect_page() as opened:
        button.click()
    dashboard = opened.value
    expect(dashboard.get_by_role("heading", name="บริการของฉัน", exact=True)).to_be_visible()
    expect(dashboard.get_by_text(text(f"{_G}.nothing_kept", "th"))).to_be_visible()
    assert errors == []
