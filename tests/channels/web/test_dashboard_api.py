"""The dashboard's JSON API and page, reached the way a citizen does: the chat's link, then /api/me."""

from __future__ import annotations

import calendar
import datetime as dt
import html
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from tests.support import copy_prebuilt_catalogue, make_settings
from texts import text


@pytest.fixture
def client(tmp_path) -> Iterator[TestClient]:
    settings = make_settings(tmp_path)
    settings.store.seed_on_empty = False  # an empty catalogue loads at once
    settings.store.citizens_url = f"sqlite:///{tmp_path / 'citizens.db'}"
    settings.citizens.public_url = "https://bot.example.go.th"
    with TestClient(create_app(settings)) as client:
        yield client


def dashboard_token(client: TestClient, said: str = "บริการของฉัน") -> tuple[str, str]:
    reply = client.post("/api/chat", json={"text": said}).json()
    card = next(m["card"] for m in reply["messages"] if m["type"] == "card")
    url = card["links"][0]["url"]
    assert url.startswith("https://bot.example.go.th/me?t=")
    return reply["sender"], parse_qs(urlsplit(url).query)["t"][0]


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_chats_link_opens_an_empty_dashboard_that_offers_the_consent(client: TestClient) -> None:
    _sender, token = dashboard_token(client)
    page = client.get(f"/me?t={token}")
    assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer" and page.headers["cache-control"] == "no-store"
    view = client.get("/api/me", headers=auth(token)).json()
    assert view["nothing_kept"] is True and view["consents"] == {"profile": False, "reminders": False}
    assert view["saved"] == [] and view["reports"] == [] and view["profile"] is None


def test_consent_then_profile_then_erasure(client: TestClient) -> None:
    _sender, token = dashboard_token(client)
    refused = client.put("/api/me/profile", headers=auth(token), json={"version": 0, "province": "เชียงใหม่"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "consent_required"
    assert client.get("/api/me", headers=auth(token)).json()["profile"] is None  # nothing stored
    given = client.post("/api/me/consent", headers=auth(token), json={"purpose": "profile", "language": "th"})
    assert given.status_code == 200 and given.json()["consents"]["profile"] is True
    body = {"version": 0, "birth_year": 2509, "province": "เชียงใหม่", "situations": ["retired"], "nationality": "thai"}
    saved = client.put("/api/me/profile", headers=auth(token), json=body)
    assert saved.status_code == 200
    profile = saved.json()["profile"]
    assert profile["birth_year"] == 1966 and profile["province"] == "เชียงใหม่" and profile["version"] == 1
    stale = client.put("/api/me/profile", headers=auth(token), json=body)  # still says version 0
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_version"
    unconfirmed = client.request("DELETE", "/api/me", headers=auth(token), json={"confirm": False})
    assert unconfirmed.status_code == 422
    erased = client.request("DELETE", "/api/me", headers=auth(token), json={"confirm": True})
    assert erased.status_code == 200 and erased.json()["erased"]["profiles"] == 1
    after = client.get("/api/me", headers=auth(token)).json()
    assert after["profile"] is None and after["nothing_kept"] is True


def test_bad_input_gets_a_clear_error_and_changes_nothing(client: TestClient) -> None:
    _sender, token = dashboard_token(client)
    client.post("/api/me/consent", headers=auth(token), json={"purpose": "profile"})
    headers = {**auth(token), "content-type": "application/json"}
    malformed = client.put("/api/me/profile", headers=headers, content=b'{"version": 0,')
    assert malformed.status_code == 400 and malformed.json()["error"]["code"] == "malformed_json"
    wrong_type = client.put("/api/me/profile", headers=auth(token), json={"version": "one"})
    assert wrong_type.status_code == 422 and wrong_type.json()["error"]["details"][0]["field"] == "version"
    province = client.put("/api/me/profile", headers=auth(token), json={"version": 0, "province": "Atlantis"})
    assert province.status_code == 422 and "province" in province.text
    situation = client.put("/api/me/profile", headers=auth(token), json={"version": 0, "situations": ["astronaut"]})
    assert situation.status_code == 422
    purpose = client.post("/api/me/consent", headers=auth(token), json={"purpose": "marketing"})
    assert purpose.status_code == 422
    assert client.get("/api/me", headers=auth(token)).json()["profile"] is None


def test_changed_expired_and_missing_links_are_refused(client: TestClient) -> None:
    _sender, token = dashboard_token(client)
    forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    page = client.get(f"/me?t={forged}")
    assert page.status_code == 403 and html.escape(text("citizens_dashboard.refused_invalid", "th")) in page.text
    assert client.get("/api/me", headers=auth(forged)).json()["error"]["code"] == "link_invalid"
    missing = client.get("/api/me")
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "link_missing"
    handler = next(h for h in client.app.state.runtime.citizen_desk.handlers if h.name == "dashboard")
    old = handler.links.token("web:whoever", now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=2))
    expired = client.get(f"/me?t={old}")
    assert expired.status_code == 401 and html.escape(text("citizens_dashboard.refused_expired", "en")) in expired.text
    assert client.get("/api/me", headers=auth(old)).json()["error"]["code"] == "link_expired"


def test_a_linked_chat_sees_the_same_dashboard(client: TestClient) -> None:
    sender, token = dashboard_token(client)
    client.post("/api/me/consent", headers=auth(token), json={"purpose": "profile"})
    client.put("/api/me/profile", headers=auth(token), json={"version": 0, "province": "ขอนแก่น"})
    issued = client.post("/api/chat", json={"sender": sender, "text": "เชื่อมบัญชี"}).json()
    code = next(w for w in issued["messages"][0]["text"].replace('"', " ").split() if w.isdigit() and len(w) == 6)
    other = client.post("/api/chat", json={"text": f"เชื่อมบัญชี {code}"}).json()
    assert other["messages"][0]["text"] == text("citizens_dashboard.linked", "th")
    reply = client.post("/api/chat", json={"sender": other["sender"], "text": "บริการของฉัน"}).json()
    url = next(m["card"] for m in reply["messages"] if m["type"] == "card")["links"][0]["url"]
    second = parse_qs(urlsplit(url).query)["t"][0]
    assert client.get("/api/me", headers=auth(second)).json()["profile"]["province"] == "ขอนแก่น"


def test_the_page_without_a_token_holds_no_data_and_the_api_needs_one(client: TestClient) -> None:
    """A reload after the page's script took the token out of the address bar: a shell, no citizen data."""
    page = client.get("/me")
    assert page.status_code == 200 and "/me/dashboard.js" in page.text and "web:" not in page.text
    assert client.get("/me/dashboard.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/me/widget.js").status_code == 404  # served by name only
    wrong_scheme = client.get("/api/me", headers={"Authorization": "Basic abc"})
    assert wrong_scheme.status_code == 401 and wrong_scheme.json()["error"]["code"] == "link_missing"


# --- services the citizen may be entitled to ----------------------------------------------


@pytest.fixture
def seeded(tmp_path) -> Iterator[TestClient]:
    settings = make_settings(tmp_path)
    settings.store.seed_on_empty = True
    copy_prebuilt_catalogue(settings)  # the seed catalogue, with the elderly allowance and its rules
    settings.store.citizens_url = f"sqlite:///{tmp_path / 'citizens.db'}"
    settings.citizens.public_url = "https://bot.example.go.th"
    with TestClient(create_app(settings)) as client:
        assert client.app.state.runtime.wait_until_loaded(120), "the catalogue did not load"
        yield client


def test_turning_60_in_a_few_weeks_suggests_the_elderly_allowance_with_the_month(seeded: TestClient) -> None:
    sender, token = dashboard_token(seeded)
    before = seeded.get("/api/me", headers=auth(token)).json()
    assert before["suggested"] == [] and before["suggested_invite"] is False  # no consent: nothing, no invitation
    seeded.post("/api/me/consent", headers=auth(token), json={"purpose": "profile", "language": "en"})
    told_nothing = seeded.get("/api/me?lang=en", headers=auth(token)).json()
    assert told_nothing["suggested"] == [] and told_nothing["suggested_invite"] is True
    today = dt.datetime.now(ZoneInfo("Asia/Bangkok")).date()
    sixtieth = today + dt.timedelta(weeks=3)
    born = sixtieth.replace(year=sixtieth.year - 60)
    seeded.post("/api/chat", json={"sender": sender, "text": "/profile_edit birth_year en"})
    seeded.post("/api/chat", json={"sender": sender, "text": born.isoformat()})
    view = seeded.get("/api/me?lang=en", headers=auth(token)).json()
    assert view["profile"]["birth_date"] == born.isoformat() and view["suggested_invite"] is False
    assert 1 <= len(view["suggested"]) <= 5
    allowance = next(item for item in view["suggested"] if item["service_id"] == "elderly-allowance")
    assert allowance["standing"] == "soon" and allowance["eligible_from"] == sixtieth.isoformat()
    assert "elderly" in allowance["title"].lower()
    month = f"{calendar.month_name[sixtieth.month]} {sixtieth.year}"  # "December 2026"
    assert "turn 60" in allowance["standing_text"] and month in allowance["standing_text"], allowance
    assert allowance["open"] == '/ask_service{"service":"elderly-allowance"}'
    thai = seeded.get("/api/me?lang=th", headers=auth(token)).json()
    allowance_th = next(item for item in thai["suggested"] if item["service_id"] == "elderly-allowance")
    assert "60" in allowance_th["standing_text"] and str(sixtieth.year + 543) in allowance_th["standing_text"]


def test_without_a_profile_no_service_is_suggested(seeded: TestClient) -> None:
    _sender, token = dashboard_token(seeded)
    seeded.post("/api/me/consent", headers=auth(token), json={"purpose": "profile"})
    seeded.put("/api/me/profile", headers=auth(token), json={"version": 0, "birth_year": 1966, "province": "ขอนแก่น"})
    assert seeded.get("/api/me", headers=auth(token)).json()["suggested"]  # a profile: suggestions
    seeded.request("DELETE", "/api/me", headers=auth(token), json={"confirm": True})
    after = seeded.get("/api/me", headers=auth(token)).json()
    assert after["profile"] is None and after["suggested"] == [] and after["suggested_invite"] is False
