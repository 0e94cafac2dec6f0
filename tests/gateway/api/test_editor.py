"""The editor API: token, versioned changes, live search updates, import/export, bad input."""

from __future__ import annotations

import copy
import json
import threading
import time

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from tests.support import make_settings

TOKEN = "test-editor-token"
AUTH = {"Authorization": f"Bearer {TOKEN}", "X-Editor": "somchai"}


@pytest.fixture(scope="module")
def editor_app(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("editor"), prebuilt_catalogue=True)
    settings.editor.token = type(settings.editor.token)(TOKEN)
    with TestClient(create_app(settings)) as client:
        runtime = client.app.state.runtime
        assert runtime.wait_until_loaded(300), "catalogue did not load"
        assert runtime.catalogue_error is None, runtime.catalogue_error
        yield client, runtime


def top_service(runtime, query: str) -> str | None:
    matches = runtime.catalogue.search(query, k=1)
    return matches[0].service.id if matches else None


def new_service(seed_services, service_id="dog-licence") -> dict:
    raw = copy.deepcopy(seed_services[0].model_dump(mode="json"))
    raw.update(
        id=service_id,
        title={"th": "ขึ้นทะเบียนสุนัขและแมวกับเขต", "en": "Registering a pet dog or cat with the district"},
        summary={"th": "เจ้าของสุนัขและแมวต้องขึ้นทะเบียนสัตว์เลี้ยง", "en": "Owners must register pet dogs and cats."},
        keywords={"th": ["ขึ้นทะเบียนหมา", "ทะเบียนแมว", "ฝังไมโครชิป"], "en": ["pet registration", "dog licence"]},
        faq=[],
    )
    return raw


def test_token_is_required(editor_app):
    client, _ = editor_app
    assert client.get("/api/admin/services").status_code == 401
    wrong = client.get("/api/admin/services", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "unauthorized"


def test_created_service_is_searchable_when_the_response_returns(editor_app, seed_services):
    """No waiting and no polling: the writer applies the change to the live index before it answers.
    How long that takes is a benchmark's figure (benchmarks/search_scale.py), not a test's."""
    client, runtime = editor_app
    assert top_service(runtime, "ขึ้นทะเบียนหมาที่เขต") != "dog-licence"
    response = client.post("/api/admin/services", json=new_service(seed_services), headers=AUTH)
    assert response.status_code == 201, response.text
    assert top_service(runtime, "ขึ้นทะเบียนหมาที่เขต") == "dog-licence"
    assert top_service(runtime, "how do I register my dog") == "dog-licence"


def test_update_delete_restore_and_history(editor_app, seed_services):
    client, runtime = editor_app
    raw = new_service(seed_services, "boat-licence")
    raw["title"] = {"th": "ทะเบียนเรือ", "en": "Boat registration"}
    raw["keywords"] = {"th": ["จดทะเบียนเรือ"], "en": ["boat registration"]}
    assert client.post("/api/admin/services", json=raw, headers=AUTH).status_code == 201
    raw["keywords"] = {"th": ["จดทะเบียนเรือ", "ใบอนุญาตใช้เรือ"], "en": ["boat registration", "vessel licence"]}
    updated = client.put("/api/admin/services/boat-licence?expected_version=1", json=raw, headers=AUTH)
    assert updated.json()["version"] == 2
    assert top_service(runtime, "vessel licence") == "boat-licence"

    stale = client.put("/api/admin/services/boat-licence?expected_version=1", json=raw, headers=AUTH)
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_version"

    assert client.delete("/api/admin/services/boat-licence", headers=AUTH).status_code == 200
    assert top_service(runtime, "vessel licence") != "boat-licence"
    assert client.get("/api/admin/services/boat-licence", headers=AUTH).status_code == 404

    restored = client.post("/api/admin/services/boat-licence/versions/1/restore", headers=AUTH)
    assert restored.status_code == 200 and restored.json()["version"] == 4
    assert top_service(runtime, "จดทะเบียนเรือ") == "boat-licence"
    history = client.get("/api/admin/services/boat-licence/versions", headers=AUTH).json()
    assert [(h["version"], h["change"], h["author"]) for h in history] == [
        (1, "create", "somchai"),
        (2, "update", "somchai"),
        (3, "delete", "somchai"),
        (4, "restore", "somchai"),
    ]
    assert history[1]["changed_fields"] == ["keywords"]


def test_invalid_service_names_the_field_and_changes_nothing(editor_app, seed_services):
    client, _ = editor_app
    raw = seed_services[1].model_dump(mode="json")
    before = client.get(f"/api/admin/services/{raw['id']}", headers=AUTH).json()
    del raw["fees"]["en"]
    response = client.put(f"/api/admin/services/{raw['id']}", json=raw, headers=AUTH)
    assert response.status_code == 422
    assert {"field": "fees.en", "problem": "Field required"} in response.json()["error"]["details"]
    assert client.get(f"/api/admin/services/{raw['id']}", headers=AUTH).json() == before


@pytest.mark.parametrize(
    ("method", "path", "code"),
    [
        ("get", "/api/admin/services/no-such-service", 404),
        ("delete", "/api/admin/services/no-such-service", 404),
        ("get", "/api/admin/services/no-such-service/versions", 404),
        ("post", "/api/admin/services/no-such-service/versions/1/restore", 404),
    ],
)
def test_unknown_ids(editor_app, method, path, code):
    client, _ = editor_app
    assert getattr(client, method)(path, headers=AUTH).status_code == code


def test_bad_bodies(editor_app):
    client, _ = editor_app
    assert client.post("/api/admin/services", content=b"", headers=AUTH).json()["error"]["code"] == "empty_body"
    assert client.post("/api/admin/services", content=b"{", headers=AUTH).json()["error"]["code"] == "malformed_json"
    binary = client.post("/api/admin/services", content=b"\xff\xfe\x00", headers=AUTH)
    assert binary.json()["error"]["code"] == "invalid_encoding"
    mismatch = client.put("/api/admin/services/other-id", json={"id": "x"}, headers=AUTH)
    assert mismatch.status_code == 422


def test_export_then_import_round_trip_and_bad_import_changes_nothing(editor_app):
    client, runtime = editor_app
    exported = client.get("/api/admin/export?format=yaml", headers=AUTH)
    assert exported.status_code == 200
    again = client.post(
        "/api/admin/import", content=exported.content, headers={**AUTH, "content-type": "application/yaml"}
    )
    assert again.status_code == 200, again.text
    assert again.json()["created"] == 0 and again.json()["updated"] == 0
    count = runtime.store.count()
    bad = client.post("/api/admin/import", json=[{"id": "x"}], headers=AUTH)
    assert bad.status_code == 422
    assert any("title" in problem for problem in bad.json()["error"]["details"])
    assert runtime.store.count() == count


def test_searches_keep_working_during_updates(editor_app, seed_services):
    client, runtime = editor_app
    raw = new_service(seed_services, "library-card")
    raw["title"] = {"th": "สมัครบัตรห้องสมุดประชาชน", "en": "Public library card"}
    assert client.post("/api/admin/services", json=raw, headers=AUTH).status_code == 201
    errors: list[BaseException] = []
    results: list[str | None] = []
    stop = threading.Event()

    def search_loop() -> None:
        while not stop.is_set():
            try:
                results.append(top_service(runtime, "บัตรประชาชนหมดอายุ"))
            except BaseException as error:  # pragma: no cover - reported below
                errors.append(error)

    threads = [threading.Thread(target=search_loop) for _ in range(3)]
    for thread in threads:
        thread.start()
    for round_number in range(5):
        raw["keywords"] = {"th": [f"บัตรห้องสมุด{round_number}"], "en": [f"library {round_number}"]}
        assert client.put("/api/admin/services/library-card", json=raw, headers=AUTH).status_code == 200
    stop.set()
    for thread in threads:
        thread.join()
    assert not errors
    assert results and set(results) == {"id-card-renewal"}


def test_saved_index_is_reused_and_a_stale_one_rebuilt(editor_app, tmp_path_factory):
    _, runtime = editor_app
    from knowledge.service_search import CatalogueSearch

    topics = list(runtime.catalogue.referrals.values())  # the saved index holds them too
    fresh = CatalogueSearch(runtime.store, runtime.catalogue.embedder, runtime.catalogue.index_dir, referrals=topics)
    started = time.monotonic()
    fresh.load_or_build()
    assert fresh.revision == runtime.store.revision()
    assert len(fresh) == len(runtime.catalogue)
    reuse_seconds = time.monotonic() - started
    (runtime.catalogue.index_dir / "catalogue.json").write_text('{"revision": -5}', encoding="utf-8")
    rebuilt = CatalogueSearch(runtime.store, runtime.catalogue.embedder, runtime.catalogue.index_dir, referrals=topics)
    rebuilt.load_or_build()
    assert len(rebuilt) == len(runtime.catalogue)
    assert rebuilt.search("บัตรประชาชนหมดอายุ", k=1)[0].service.id == "id-card-renewal"
    assert reuse_seconds < 5


def _with_facts(seed_services, service_id: str, checked: str | None) -> dict:
    raw = new_service(seed_services, service_id)
    fact: dict = {"field": "fees", "kind": "fee", "text": {"th": "ฟรี", "en": "Free."}}
    if checked:
        source = {"url": "https://www.bora.dopa.go.th/faq/pets", "title": "DOPA FAQ"}
        fact |= {"status": "verified", "source": source, "checked": checked}
    else:
        fact |= {"status": "unverified", "note": "ask the district office"}
    raw.update(facts=[fact], to_verify=[], last_reviewed=checked)
    return raw


def test_stale_facts_are_listed_for_editors(editor_app, seed_services):
    client, _ = editor_app
    assert client.get("/api/admin/stale").status_code == 401
    for service_id, checked in (("stale-pets", "2024-02-01"), ("unchecked-pets", None)):
        response = client.post(
            "/api/admin/services", json=_with_facts(seed_services, service_id, checked), headers=AUTH
        )
        assert response.status_code == 201, response.text

    report = client.get("/api/admin/stale", headers=AUTH).json()
    assert report["max_age_days"] == 365  # CITIZENBOT_CATALOGUE__FACT_MAX_AGE_DAYS
    by_id = {s["service_id"]: s for s in report["services"]}
    assert by_id["stale-pets"]["facts"][0]["reasons"] == ["too_old"]
    assert by_id["stale-pets"]["facts"][0]["location"] == "facts[0]"
    assert by_id["unchecked-pets"]["facts"][0]["reasons"] == ["no_source", "unverified"]
    assert by_id["unchecked-pets"]["last_checked"] is None

    recent = client.get("/api/admin/stale?older_than_days=100000", headers=AUTH).json()
    assert recent["max_age_days"] == 100000 and "stale-pets" not in {s["service_id"] for s in recent["services"]}

    listed = {s["id"]: s for s in client.get("/api/admin/services", headers=AUTH).json()}
    assert listed["unchecked-pets"]["last_reviewed"] is None
    assert listed["stale-pets"]["last_reviewed"] == "2024-02-01"


@pytest.mark.parametrize("days", ["-1", "soon", "1.5"])
def test_a_bad_stale_age_is_a_clear_422(editor_app, days):
    client, _ = editor_app
    response = client.get(f"/api/admin/stale?older_than_days={days}", headers=AUTH)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and "older_than_days" in json.dumps(error["details"])


def test_a_verified_fact_without_a_source_is_refused_by_the_api_naming_the_fact(editor_app, seed_services):
    client, _ = editor_app
    raw = _with_facts(seed_services, "unsourced-pets", "2026-11-30")
    del raw["facts"][0]["source"]
    response = client.post("/api/admin/services", json=raw, headers=AUTH)
    assert response.status_code == 422
    assert "facts" in json.dumps(response.json()["error"]["details"]) and "source" in response.text
