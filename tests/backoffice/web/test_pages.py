"""The pages over plain HTTP (no browser): CSRF on every form, catalogue filters, import and export
through the same audited writer as the API, and no open redirect."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import yaml
from fastapi.testclient import TestClient

from gateway.app import create_app
from tests.support import make_settings, wait_until

PASSWORD = "a long enough passphrase"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = make_settings(tmp_path_factory.mktemp("admin-http"), prebuilt_catalogue=True)
    settings.backoffice.cookie_secure = False
    with TestClient(create_app(settings)) as test_client:
        assert wait_until(lambda: test_client.get("/health").json()["catalogue"]["ready"], timeout=120)
        test_client.app.state.runtime.staff_accounts.add_account("kanya", "reviewer", PASSWORD)
        sign_in = test_client.get("/admin/sign-in")
        token = re.search(r'name="form_token" value="([^"]+)"', sign_in.text).group(1)
        form = {"form_token": token, "name": "kanya", "password": PASSWORD, "next": "/admin/catalogue"}
        signed = test_client.post("/admin/sign-in", data=form, follow_redirects=False)
        assert signed.status_code == 303 and signed.headers["location"] == "/admin/catalogue"
        yield test_client


def csrf(client: TestClient) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/admin/catalogue").text).group(1)


def titles(html: str) -> list[str]:
    return re.findall(r'<a href="/admin/catalogue/([a-z0-9-]+)">', html)


def test_a_form_without_the_sessions_csrf_token_is_refused_and_nothing_changes(client: TestClient) -> None:
    store = client.app.state.runtime.store
    before = store.current_version("birth-registration")
    response = client.post("/admin/catalogue/birth-registration", data={"action": "save", "fees.en": "x"})
    assert response.status_code == 403
    assert "The form expired" in response.text or "แบบฟอร์มหมดอายุ" in response.text
    assert store.current_version("birth-registration") == before and store.list_drafts("birth-registration") == []


def test_the_list_filters_by_life_event_agency_and_review_age(client: TestClient) -> None:
    everything = titles(client.get("/admin/catalogue").text)
    deaths = titles(client.get("/admin/catalogue", params={"life_event": "death"}).text)
    assert "death-registration" in deaths and "birth-registration" not in deaths
    assert set(deaths) < set(everything)
    searched = titles(client.get("/admin/catalogue", params={"q": "driving licence"}).text)
    assert "driving-licence-renewal" in searched and "death-registration" not in searched
    store = client.app.state.runtime.store
    pending = titles(client.get("/admin/catalogue", params={"to_verify": "1"}).text)
    assert pending and all(store.get(sid).unverified_fields() for sid in pending)
    recent_only = titles(client.get("/admin/catalogue", params={"older_than": "100000"}).text)
    assert all(store.get(sid).last_reviewed is None for sid in recent_only)


def test_export_then_import_goes_through_the_writer_and_the_audit_log(client: TestClient) -> None:
    exported = client.get("/admin/catalogue-export", params={"format": "yaml"})
    assert exported.status_code == 200
    services = yaml.safe_load(exported.text)
    one = next(service for service in services if service["id"] == "death-certificate-copy")
    one["fees"]["en"] = "A certified copy costs 15 baht."
    bad = client.post("/admin/catalogue-import", data={"csrf_token": csrf(client), "services": "- id: nope\n"})
    assert bad.status_code == 422 and "จึงไม่ได้นำเข้าข้อมูลใดเลย" in bad.text and "source_url" in bad.text
    body = {"csrf_token": csrf(client), "services": yaml.safe_dump([one], allow_unicode=True)}
    imported = client.post("/admin/catalogue-import", data=body, follow_redirects=False)
    assert imported.status_code == 303 and "updated=1" in imported.headers["location"]
    runtime = client.app.state.runtime
    assert runtime.store.get("death-certificate-copy").fees.en == "A certified copy costs 15 baht."
    [entry] = runtime.staff_accounts.store.audit_entries(action="catalogue.import", limit=1)
    assert entry.account == "kanya"


def test_the_language_switch_never_leaves_the_back_office(client: TestClient) -> None:
    response = client.get("/admin/lang/en", params={"next": "https://example.org/"}, follow_redirects=False)
    assert response.headers["location"] == "/admin/catalogue"
    assert 'lang="en"' in client.get("/admin/catalogue").text
    client.get("/admin/lang/th", params={"next": "/admin/catalogue"})


def test_a_reviewer_may_not_publish_a_draft_they_wrote(client: TestClient) -> None:
    store = client.app.state.runtime.store
    service = store.get("divorce-registration")
    draft = store.submit_draft(store.create_draft(service, "kanya").id, "kanya")
    form = {
        "csrf_token": csrf(client),
        "action": "publish",
        "draft_id": str(draft.id),
        "draft_version": str(draft.version),
    }
    response = client.post("/admin/catalogue/divorce-registration", data=form)
    assert response.status_code == 409
    assert 'role="alert"' in response.text
    assert store.get_draft(draft.id).state == "submitted"
    assert store.current_version("divorce-registration") == 1


def test_an_oversized_page_form_gets_a_page_in_the_persons_language_not_json(client: TestClient) -> None:
    store = client.app.state.runtime.store
    before = store.current_version("birth-registration")
    body = {"csrf_token": csrf(client), "action": "save", "summary.en": "x" * (1024 * 1024 + 1)}
    response = client.post("/admin/catalogue/birth-registration", data=body)
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "แบบฟอร์มมีขนาดใหญ่เกินกว่าจะส่งได้ (เกิน 1 MB)" in response.text and 'role="alert"' in response.text
    client.get("/admin/lang/en", params={"next": "/admin/catalogue"})
    try:
        english = client.post("/admin/catalogue-new", data=body)
        assert english.status_code == 413 and "The form is too large to send (over 1 MB)" in english.text
    finally:
        client.get("/admin/lang/th", params={"next": "/admin/catalogue"})
    api = client.post(
        "/admin/api/session", content=b"x" * (2 * 1024 * 1024), headers={"content-type": "application/json"}
    )
    assert api.status_code == 413 and api.json()["error"]["code"] == "too_large"  # the API keeps its JSON
    assert store.current_version("birth-registration") == before and store.list_drafts("birth-registration") == []


def test_a_new_service_form_without_the_csrf_token_creates_nothing(client: TestClient) -> None:
    response = client.post("/admin/catalogue-new", data={"action": "save", "id": "csrf-less-service"})
    assert response.status_code == 403
    assert client.app.state.runtime.store.list_drafts("csrf-less-service") == []


def test_a_draft_behind_the_live_service_is_brought_up_to_date_keeping_its_content(client: TestClient) -> None:
    runtime = client.app.state.runtime
    store, service_id = runtime.store, "house-registration-move-in"
    live = store.get(service_id)
    edited = live.model_copy(update={"fees": live.fees.model_copy(update={"en": "Moving in costs nothing."})})
    draft = store.create_draft(edited, "kanya")
    runtime.writer.update(live.model_copy(update={"summary": live.summary.model_copy(update={"en": "Changed."})}),
                          "someone-else")  # fmt: skip
    page = client.get(f"/admin/catalogue/{service_id}")
    assert 'data-behind="true"' in page.text and "ยังเผยแพร่ฉบับร่างนี้ไม่ได้" in page.text
    form = {
        "csrf_token": csrf(client),
        "action": "rebase",
        "draft_id": str(draft.id),
        "draft_version": str(draft.version),
    }
    rebased = client.post(f"/admin/catalogue/{service_id}", data=form)
    assert rebased.status_code == 200 and "ฉบับร่างตั้งต้นจากฉบับที่เผยแพร่อยู่แล้ว" in rebased.text
    assert 'data-behind="true"' not in rebased.text
    now = store.get_draft(draft.id)
    assert now.base_version == store.current_version(service_id) and now.service.fees.en == "Moving in costs nothing."
    store.discard_draft(draft.id, "kanya")
