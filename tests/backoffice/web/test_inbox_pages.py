"""The inbox page over plain HTTP (its behaviour is in test_inbox_browser.py): who may open it, where an
agent lands, and what the page hands its script."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from backoffice.web.inbox_pages import OUTCOMES
from gateway.app import create_app
from tests.support import make_settings

PASSWORD = "a long enough passphrase"


@pytest.fixture(scope="module")
def app_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = make_settings(tmp_path_factory.mktemp("inbox-http"), prebuilt_catalogue=True)
    settings.backoffice.cookie_secure = False
    with TestClient(create_app(settings)) as client:
        accounts = client.app.state.runtime.staff_accounts  # type: ignore[attr-defined]
        accounts.add_account("dao", "agent", PASSWORD, display_name="Dao Srisuk")
        accounts.add_account("preecha", "analyst", PASSWORD)
        yield client


def signed_in(client: TestClient, name: str) -> TestClient:
    client.cookies.clear()
    page = client.get("/admin/sign-in")
    token = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert token is not None
    form = {"form_token": token.group(1), "name": name, "password": PASSWORD, "next": "/admin"}
    assert client.post("/admin/sign-in", data=form, follow_redirects=False).status_code == 303
    return client


def test_an_agent_lands_on_the_inbox_and_the_nav_links_it(app_client: TestClient) -> None:
    client = signed_in(app_client, "dao")
    home = client.get("/admin", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/admin/inbox"
    page = client.get("/admin/inbox")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert '<a href="/admin/inbox" aria-current="page">กล่องคำขอ' in page.text
    assert '<script src="/admin/static/inbox.js" defer></script>' in page.text
    csrf = re.search(r'<meta name="csrf-token" content="([0-9a-f]+)">', page.text)
    assert csrf is not None  # the script sends it as X-CSRF-Token with every change


def test_the_script_gets_its_labels_in_the_pages_language_as_inert_json(app_client: TestClient) -> None:
    client = signed_in(app_client, "dao")
    client.cookies.set("citizenbot_admin_lang", "en", path="/admin")
    page = client.get("/admin/inbox").text
    raw = re.search(r'<script type="application/json" id="inbox-config">(.*?)</script>', page, re.S)
    assert raw is not None and "</" not in raw.group(1)
    config = json.loads(raw.group(1))
    assert config["me"] == "dao" and config["lang"] == "en" and config["outcomes"] == list(OUTCOMES)
    assert config["labels"]["take"] == "Take this request"
    assert config["labels"]["channel_line"] == "LINE" and config["labels"]["language_th"] == "Thai"
    assert all(f"outcome_{outcome}" in config["labels"] for outcome in OUTCOMES)
    client.cookies.set("citizenbot_admin_lang", "th", path="/admin")
    thai = client.get("/admin/inbox").text
    assert "รับเรื่องนี้" in thai and "Take this request" not in thai


def test_an_account_without_the_handoff_permission_is_refused(app_client: TestClient) -> None:
    client = signed_in(app_client, "preecha")
    assert client.get("/admin/inbox").status_code == 403
    assert 'href="/admin/inbox"' not in client.get("/admin/analytics").text
    client.cookies.clear()
    refused = client.get("/admin/inbox", follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"].startswith("/admin/sign-in")


def test_the_analytics_page_shows_the_desks_figures(app_client: TestClient) -> None:
    runtime = app_client.app.state.runtime  # type: ignore[attr-defined]
    officer = {"Authorization": f"Bearer {runtime.staff_accounts.issue_token('dao')}"}
    record = runtime.conversations.request_handoff("web:figures-page", "web", "en", "asked", [])
    assert app_client.post(f"/api/admin/handoffs/{record.id}/take", headers=officer).status_code == 200
    closed = app_client.post(f"/api/admin/handoffs/{record.id}/close", headers=officer, json={"outcome": "referred"})
    assert closed.status_code == 200, closed.text

    client = signed_in(app_client, "preecha")
    client.cookies.set("citizenbot_admin_lang", "en", path="/admin")
    page = client.get("/admin/analytics")
    assert page.status_code == 200
    section = page.text[page.text.index('<h2 id="handoffs">') :]
    section = section[: section.index('<section aria-labelledby="unanswered">')]
    assert "Requests to talk to an officer" in section
    taken = re.search(r'data-figure="handoff-taken">(\d+)<', section)
    assert taken is not None and int(taken.group(1)) >= 1
    assert re.search(r'data-figure="handoff-wait-median">\d+ s<', section), section
    assert '<th scope="row">dao</th>' in section
    assert '<th scope="row">Referred to an agency</th><td>1</td>' in section
