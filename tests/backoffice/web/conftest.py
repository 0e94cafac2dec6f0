"""One real gateway (Rasa absent, so chat answers come from the catalogue search) served by uvicorn in a
thread for the back-office pages, with an account per role, and helpers to sign in in a browser context."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page

from gateway.app import create_app
from tests.support import ThreadedServer, make_settings, wait_until

PASSWORD = "a long enough passphrase"
# name -> role: two editors (for the conflict), a reviewer who publishes, an analyst who only reads figures.
ACCOUNTS = {"somchai": "editor", "nida": "editor", "malai": "reviewer", "preecha": "analyst", "lockme": "editor"}
DESKTOP = {"width": 1280, "height": 900}


@dataclass
class Admin:
    base_url: str
    runtime: Any

    def chat(self, text: str) -> dict[str, Any]:
        response = httpx.post(f"{self.base_url}/api/chat", json={"text": text}, timeout=60)
        assert response.status_code == 200, response.text
        self.runtime.turn_recorder.flush()  # the event is written after the reply
        return response.json()

    @staticmethod
    def cards(reply: dict[str, Any]) -> list[dict[str, Any]]:
        return [message["card"] for message in reply["messages"] if message["type"] == "card"]


@pytest.fixture(scope="session")
def admin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Admin]:
    settings = make_settings(tmp_path_factory.mktemp("admin-pages"), prebuilt_catalogue=True)  # no Rasa
    settings.backoffice.cookie_secure = False  # plain http on loopback: no __Host- prefix possible
    settings.backoffice.max_failed_sign_ins = 3
    settings.backoffice.sign_in_count = 1000  # every sign-in of the suite comes from one address
    app = create_app(settings)
    server = ThreadedServer(
        uvicorn.Config(app, host="127.0.0.1", port=settings.gateway.port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        assert wait_until(lambda: server.started, 60), "gateway did not start"
        base_url = f"http://127.0.0.1:{settings.gateway.port}"
        assert wait_until(lambda: httpx.get(f"{base_url}/health").json()["catalogue"]["ready"], timeout=120)
        runtime = app.state.runtime
        runtime.catalogue.wait_for_classifier(120)  # answer as a settled gateway does
        for name, role in ACCOUNTS.items():
            runtime.staff_accounts.add_account(name, role, PASSWORD)
        yield Admin(base_url, runtime)
    finally:
        server.should_exit = True
        thread.join(15)


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser context; a script error on any of its pages fails the test."""
    context = browser.new_context(viewport=DESKTOP, locale="th-TH")
    context.set_default_timeout(20_000)
    errors: list[str] = []
    context.on("page", lambda page: page.on("pageerror", lambda error: errors.append(str(error))))
    yield context
    context.close()
    assert not errors, f"script errors on the back office's pages: {errors}"


def open_page(context: BrowserContext, url: str) -> Page:
    page = context.new_page()
    page.goto(url)
    return page


def sign_in(context: BrowserContext, admin: Admin, name: str, lang: str = "th") -> Page:
    """Sign ``name`` in through the page's form, in ``lang``; the page lands where ``/admin`` sends it."""
    cookie = {"name": "citizenbot_admin_lang", "value": lang, "domain": "127.0.0.1", "path": "/admin"}
    context.add_cookies([cookie])  # type: ignore[list-item]
    page = open_page(context, f"{admin.base_url}/admin/sign-in")
    page.get_by_label("ชื่อบัญชี" if lang == "th" else "Account name").fill(name)
    page.get_by_label("รหัสผ่าน" if lang == "th" else "Password").fill(PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ" if lang == "th" else "Sign in").click()
    page.wait_for_url("**/admin/catalogue**")
    return page
