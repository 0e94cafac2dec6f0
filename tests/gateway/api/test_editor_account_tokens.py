"""The editor API with account tokens: the role decides, the history and the audit log name the account,
and the shared token (deprecated) keeps working as before."""

from __future__ import annotations

import copy

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from tests.support import TEST_SECRETS, make_settings

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def editor_app(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("editor-accounts"), prebuilt_catalogue=True)
    with TestClient(create_app(settings)) as client:
        runtime = client.app.state.runtime
        assert runtime.wait_until_loaded(300), "catalogue did not load"
        assert runtime.catalogue_error is None, runtime.catalogue_error
        accounts = runtime.staff_accounts
        tokens = {}
        for name, role in (("malee", "editor"), ("wichai", "reviewer"), ("nok", "analyst")):
            accounts.add_account(name, role, PASSWORD)
            tokens[name] = {"Authorization": f"Bearer {accounts.issue_token(name)}"}
        yield client, runtime, tokens


def a_service(seed_services, service_id):
    raw = copy.deepcopy(seed_services[0].model_dump(mode="json"))
    raw.update(id=service_id, faq=[])
    raw["title"] = {"th": "ทะเบียนเรือประมง", "en": "Fishing boat registration"}
    return raw


def test_an_editor_token_writes_and_the_history_and_audit_name_the_account(editor_app, seed_services):
    client, runtime, tokens = editor_app
    raw = a_service(seed_services, "fishing-boat")
    created = client.post("/api/admin/services", json=raw, headers={**tokens["malee"], "X-Editor": "someone else"})
    assert created.status_code == 201, created.text
    raw["title"]["en"] = "Registering a fishing boat"
    assert client.put("/api/admin/services/fishing-boat", json=raw, headers=tokens["malee"]).status_code == 200
    history = client.get("/api/admin/services/fishing-boat/versions", headers=tokens["malee"]).json()
    assert [version["author"] for version in history] == ["malee", "malee"]
    entries = runtime.staff_accounts.store.audit_entries(account="malee", action="catalogue.")
    assert [(e.action, e.target) for e in reversed(entries)] == [
        ("catalogue.create", "fishing-boat"),
        ("catalogue.update", "fishing-boat"),
    ]


def test_a_role_without_the_permission_is_refused_and_nothing_changes(editor_app, seed_services):
    client, runtime, tokens = editor_app
    assert client.get("/api/admin/services", headers=tokens["nok"]).status_code == 200  # reading is fine
    refused = client.post("/api/admin/services", json=a_service(seed_services, "analyst-made"), headers=tokens["nok"])
    assert refused.status_code == 403
    assert refused.json()["error"]["details"]["missing_permission"] == "edit"
    assert client.get("/api/admin/services/analyst-made", headers=tokens["nok"]).status_code == 404
    assert runtime.staff_accounts.store.audit_entries(account="nok", action="catalogue.") == []


def test_restoring_needs_the_rollback_permission(editor_app, seed_services):
    client, runtime, tokens = editor_app
    raw = a_service(seed_services, "ferry-licence")
    assert client.post("/api/admin/services", json=raw, headers=tokens["malee"]).status_code == 201
    path = "/api/admin/services/ferry-licence/versions/1/restore"
    refused = client.post(path, headers=tokens["malee"])
    assert refused.status_code == 403 and refused.json()["error"]["details"]["missing_permission"] == "rollback"
    assert client.post(path, headers=tokens["wichai"]).status_code == 200
    entry = runtime.staff_accounts.store.audit_entries(account="wichai", action="catalogue.restore")[0]
    assert entry.target == "ferry-licence" and entry.details["version"] == "1"


def test_a_revoked_token_is_refused_like_any_wrong_token(editor_app):
    client, runtime, _ = editor_app
    accounts = runtime.staff_accounts
    token = accounts.issue_token("malee")
    accounts.revoke_tokens("malee", token[:12], by="test")
    response = client.get("/api/admin/services", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"


def test_the_shared_token_still_works_with_x_editor(editor_app, seed_services):
    client, _, _ = editor_app
    shared = {"Authorization": f"Bearer {TEST_SECRETS['editor']}", "X-Editor": "somchai"}
    assert (
        client.post("/api/admin/services", json=a_service(seed_services, "canal-boat"), headers=shared).status_code
        == 201
    )
    history = client.get("/api/admin/services/canal-boat/versions", headers=shared).json()
    assert [version["author"] for version in history] == ["somchai"]
