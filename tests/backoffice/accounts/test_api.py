"""The staff sign-in API on the real gateway app: cookies, CSRF, lock-out, tokens, roles, bad input."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from backoffice.accounts.service import StaffAccounts
from backoffice.accounts.store import StaffStore
from backoffice.settings import BackofficeSettings
from gateway.app import create_app
from tests.backoffice.accounts.conftest import PASSWORD, Clock
from tests.support import make_settings

BASE = "https://testserver"  # the cookie is Secure: a browser (and httpx) sends it over https only
COOKIE = "__Host-citizenbot_staff"


@pytest.fixture(scope="module")
def app_client(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("staff-api"))
    settings.store.seed_on_empty = False  # no catalogue needed: nothing to embed
    with TestClient(create_app(settings), base_url=BASE) as client:
        yield client


@pytest.fixture
def staff(app_client, tmp_path):
    """A fresh staff store with a movable clock behind the running app, for one test."""
    runtime = app_client.app.state.runtime
    original = runtime.staff_accounts
    clock = Clock()
    settings = BackofficeSettings(max_failed_sign_ins=3, sign_in_count=1000)
    accounts = StaffAccounts(StaffStore(f"sqlite:///{tmp_path / 'staff.db'}"), settings, clock=clock)
    runtime.staff_accounts = accounts
    runtime.rate_limiter.reset()
    app_client.cookies.clear()
    accounts.add_account("somchai", "admin", PASSWORD)
    accounts.add_account("malee", "editor", PASSWORD)
    yield accounts, clock
    runtime.staff_accounts = original
    accounts.close()


def sign_in(client, name="malee", password=PASSWORD):
    return client.post("/admin/api/session", json={"name": name, "password": password})


def test_signing_in_sets_a_secure_http_only_strict_cookie_and_returns_a_csrf_token(app_client, staff):
    response = sign_in(app_client)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["name"], body["role"], body["permissions"], body["via"]) == ("malee", "editor", ["edit"], "session")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    for attribute in ("HttpOnly", "Secure", "SameSite=strict", "Path=/", "Max-Age=43200"):
        assert attribute.lower() in cookie.lower()
    me = app_client.get("/admin/api/me")
    assert me.status_code == 200
    assert me.json()["name"] == "malee" and me.json()["csrf_token"] == body["csrf_token"]


def test_a_wrong_password_and_an_unknown_account_get_the_same_answer(app_client, staff):
    wrong, unknown = sign_in(app_client, password="not the password"), sign_in(app_client, name="nobody")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["code"] == "invalid_credentials"
    assert wrong.json()["error"]["details"]["messages"]["th"] == "ชื่อบัญชีหรือรหัสผ่านไม่ถูกต้อง"
    assert "set-cookie" not in wrong.headers


def test_lock_out_answers_423_even_to_the_right_password_until_it_expires(app_client, staff):
    accounts, clock = staff
    assert [sign_in(app_client, password="not the password").status_code for _ in range(3)] == [401, 401, 423]
    locked = sign_in(app_client)
    assert locked.status_code == 423
    error = locked.json()["error"]
    assert error["code"] == "account_locked" and error["details"]["retry_after_seconds"] == 15 * 60
    assert "administrator" in error["message"] and "ผู้ดูแลระบบ" in error["details"]["messages"]["th"]
    clock.advance(minutes=15, seconds=1)
    assert sign_in(app_client).status_code == 200
    logged = [e.action for e in reversed(accounts.store.audit_entries(account="malee"))]
    assert logged[-3:] == ["sign_in.locked", "sign_in.refused_locked", "sign_in.ok"]


def test_unsafe_requests_on_a_cookie_need_the_csrf_token(app_client, staff):
    csrf = sign_in(app_client).json()["csrf_token"]
    missing = app_client.delete("/admin/api/session")
    wrong = app_client.delete("/admin/api/session", headers={"X-CSRF-Token": "0" * 64})
    for refused in (missing, wrong):
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_failed"
    assert app_client.get("/admin/api/me").status_code == 200  # still signed in
    signed_out = app_client.delete("/admin/api/session", headers={"X-CSRF-Token": csrf})
    assert signed_out.status_code == 204
    assert "max-age=0" in signed_out.headers["set-cookie"].lower()  # the browser drops the cookie
    assert app_client.get("/admin/api/me").status_code == 401


def test_the_csrf_token_may_come_as_a_form_field(app_client, staff):
    csrf = sign_in(app_client).json()["csrf_token"]
    response = app_client.post(
        "/admin/api/session/everywhere",
        content=f"csrf_token={csrf}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 204


def test_a_signed_out_or_forged_cookie_is_refused(app_client, staff):
    sign_in(app_client)
    session_id = app_client.cookies.get(COOKIE)
    app_client.cookies.clear()
    assert app_client.get("/admin/api/me").json()["error"]["code"] == "sign_in_required"
    forged = app_client.get("/admin/api/me", headers={"Cookie": f"{COOKIE}={session_id[:-2]}xx"})
    assert forged.status_code == 401 and forged.json()["error"]["code"] == "session_ended"
    assert app_client.get("/admin/api/me", headers={"Cookie": f"{COOKIE}={session_id}"}).status_code == 200


def test_a_session_left_idle_ends(app_client, staff):
    _, clock = staff
    sign_in(app_client)
    clock.advance(minutes=31)
    response = app_client.get("/admin/api/me")
    assert response.status_code == 401 and response.json()["error"]["code"] == "session_ended"


def test_log_out_everywhere_ends_the_other_devices_sessions(app_client, staff):
    tablet = TestClient(app_client.app, base_url=BASE)  # a second browser of the same person
    assert sign_in(tablet).status_code == 200
    csrf = sign_in(app_client).json()["csrf_token"]
    assert app_client.post("/admin/api/session/everywhere", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert tablet.get("/admin/api/me").status_code == 401
    assert app_client.get("/admin/api/me").status_code == 401


def test_account_tokens_need_no_csrf_and_carry_the_role(app_client, staff):
    accounts, _ = staff
    editor = {"Authorization": f"Bearer {accounts.issue_token('malee')}"}
    admin = {"Authorization": f"Bearer {accounts.issue_token('somchai')}"}
    me = app_client.get("/admin/api/me", headers=editor).json()
    assert (me["name"], me["via"], me["csrf_token"]) == ("malee", "token", None)
    forbidden = app_client.get("/admin/api/audit", headers=editor)
    assert forbidden.status_code == 403
    error = forbidden.json()["error"]
    assert error["code"] == "forbidden" and error["details"]["missing_permission"] == "manage_users"
    assert "editor" in error["message"] and "manage_users" in error["message"]
    audit = app_client.get("/admin/api/audit", params={"action": "token."}, headers=admin)
    assert audit.status_code == 200
    assert [(e["action"], e["target"]) for e in audit.json()] == [("token.issue", "somchai"), ("token.issue", "malee")]
    # An unsafe request with a token: no CSRF token needed (no cookie is involved).
    assert app_client.post("/admin/api/session/everywhere", headers=editor).status_code == 204


def test_a_revoked_or_unknown_token_is_refused(app_client, staff):
    accounts, _ = staff
    token = accounts.issue_token("malee")
    accounts.revoke_tokens("malee", by="somchai")
    for header in (f"Bearer {token}", "Bearer cbt_made-up", "Basic bWFsZWU6cGFzcw==", "Bearer "):
        response = app_client.get("/admin/api/me", headers={"Authorization": header})
        assert response.status_code == 401 and response.json()["error"]["code"] == "invalid_token", header


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b"", 400, "empty_body"),
        (b'{"name": "malee", "password": ', 400, "malformed_json"),
        (b'{"name": "malee"}', 422, "invalid_request"),
        (b'["malee"]', 422, "invalid_request"),
        (b'{"name": "malee", "password": "' + b"x" * 70_000 + b'"}', 413, None),
    ],
)
def test_bad_sign_in_bodies_get_clear_errors(app_client, staff, content, status, code):
    response = app_client.post("/admin/api/session", content=content, headers={"Content-Type": "application/json"})
    assert response.status_code == status, response.text
    if code:
        assert response.json()["error"]["code"] == code


def test_sign_in_attempts_are_limited_per_client(app_client, staff):
    accounts, _ = staff
    accounts.settings.sign_in_count = 2
    assert [sign_in(app_client, name="nobody").status_code for _ in range(2)] == [401, 401]
    limited = sign_in(app_client)
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "too_many_sign_ins"
    assert int(limited.headers["Retry-After"]) >= 1
    assert "รอประมาณ" in limited.json()["error"]["details"]["messages"]["th"]
