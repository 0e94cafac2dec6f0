"""The journeys pages over plain HTTP (no browser): the list and its filter, a journey created, edited
and deleted through the runtime's store with every change in the audit log, errors on their fields
with nothing saved, a stale save refused with the input kept, and read-only for a role without ``edit``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backoffice.web.journey_form import journey_values
from gateway.app import create_app
from knowledge.journeys import Journey
from tests.support import make_settings, wait_until

PASSWORD = "a long enough passphrase"


def signed_in(client: TestClient, name: str) -> TestClient:
    page = client.get("/admin/sign-in")
    token = re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)
    form = {"form_token": token, "name": name, "password": PASSWORD, "next": "/admin/journeys"}
    signed = client.post("/admin/sign-in", data=form, follow_redirects=False)
    assert signed.status_code == 303, signed.text
    client.get("/admin/lang/en", params={"next": "/admin/journeys"})  # English pages: the assertions read them
    return client


@pytest.fixture(scope="module")
def app_clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, TestClient]]:
    settings = make_settings(tmp_path_factory.mktemp("journey-pages"), prebuilt_catalogue=True)
    settings.backoffice.cookie_secure = False
    with TestClient(create_app(settings)) as editor:
        assert wait_until(lambda: editor.get("/health").json()["catalogue"]["ready"], timeout=120)
        accounts = editor.app.state.runtime.staff_accounts
        accounts.add_account("wipa", "editor", PASSWORD)
        accounts.add_account("anan", "analyst", PASSWORD)
        viewer = TestClient(editor.app)
        yield signed_in(editor, "wipa"), signed_in(viewer, "anan")


@pytest.fixture
def editor(app_clients: tuple[TestClient, TestClient]) -> TestClient:
    return app_clients[0]


@pytest.fixture
def viewer(app_clients: tuple[TestClient, TestClient]) -> TestClient:
    return app_clients[1]


def csrf(client: TestClient, path: str = "/admin/journeys") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def posted(client: TestClient, values: dict[str, Any], action: str = "save", **hidden: Any) -> dict[str, Any]:
    """The form a browser posts for journey form ``values`` (steps as ``steps[0].why.th`` ...)."""
    form: dict[str, Any] = {"csrf_token": csrf(client), "action": action, **{k: str(v) for k, v in hidden.items()}}
    for name, value in values.items():
        if name == "steps":
            for index, step in enumerate(value):
                form.update({f"steps[{index}].{field}": text for field, text in step.items()})
        else:
            form[name] = value
    return form


def step(service: str, why: str, **deadline: str) -> dict[str, str]:
    row = {"service": service, "why.th": f"{why} (ไทย)", "why.en": why, "deadline.status": "unverified"}
    row.update({f"deadline.{name.replace('_', '.')}": text for name, text in deadline.items()})
    return row


def new_journey(journey_id: str, steps: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "id": journey_id,
        "life_event": "moving-house",
        "title.th": "ย้ายบ้านไปต่างจังหวัด",
        "title.en": "Moving to another province",
        "summary.th": "สิ่งที่ต้องทำเมื่อย้ายบ้าน",
        "summary.en": "What to do when you move house",
        "last_reviewed": "",
        "steps": steps,
    }


def audit(client: TestClient, action: str) -> list[Any]:
    return client.app.state.runtime.staff_accounts.store.audit_entries(action=action, limit=20)


def test_the_list_shows_both_titles_steps_versions_and_filters_by_life_event(editor: TestClient) -> None:
    store = editor.app.state.runtime.journeys
    records = store.list_journeys()
    assert records, "the seed journeys are in the store"
    page = editor.get("/admin/journeys").text
    for record in records:
        row = re.search(rf'<tr data-journey="{record.journey.id}">(.*?)</tr>', page, re.S).group(1)
        assert record.journey.title.en in row and record.journey.title.th in row
        assert f"<td>{len(record.journey.steps)}</td>" in row and f"<td>{record.version}</td>" in row
        unverified = record.journey.unverified_deadlines()
        if unverified:
            assert f"step {', '.join(str(i + 1) for i in unverified)}" in row
    births = editor.get("/admin/journeys", params={"life_event": "birth"}).text
    shown = set(re.findall(r'<tr data-journey="([a-z0-9-]+)">', births))
    assert shown == {r.journey.id for r in records if r.journey.life_event.value == "birth"} and shown


def test_a_journey_is_created_arranged_saved_and_audited(editor: TestClient) -> None:
    store = editor.app.state.runtime.journeys
    values = new_journey(
        "moving-far",
        [
            step(
                "house-registration-move-in",
                "Register at the new address",
                amount="15",
                unit="days",
                law="Civil Registration Act B.E. 2534, section 30",
            ),
            step("house-registration-move-out", "Leave the old address first"),
        ],
    )
    moved = editor.post("/admin/journeys/new", data=posted(editor, values, "step_up:1"))
    assert moved.status_code == 200 and "nothing is saved until you save the journey" in moved.text
    first = re.search(r'name="steps\[0\]\.service".*?<option value="([a-z0-9-]+)" selected', moved.text, re.S)
    assert first.group(1) == "house-registration-move-out"
    values["steps"].reverse()
    created = editor.post("/admin/journeys/new", data=posted(editor, values), follow_redirects=False)
    assert created.status_code == 303 and created.headers["location"] == "/admin/journeys/moving-far/edit?done=created"
    record = store.get("moving-far")
    assert record.version == 1 and record.updated_by == "wipa"
    assert record.journey.service_ids() == ["house-registration-move-out", "house-registration-move-in"]
    deadline = record.journey.steps[1].deadline
    assert deadline is not None and (deadline.days, deadline.status) == (15, "unverified")
    assert [entry.target for entry in audit(editor, "journey.create")] == ["moving-far"]
    again = editor.post("/admin/journeys/new", data=posted(editor, values))
    assert again.status_code == 422 and "A journey already has this id" in again.text


def test_each_problem_is_shown_on_its_field_and_nothing_is_saved(editor: TestClient) -> None:
    store = editor.app.state.runtime.journeys
    record = store.list_journeys()[0]
    values = journey_values(record.journey)
    values["steps"][1]["service"] = values["steps"][0]["service"]  # a service twice
    values["steps"][0]["deadline.amount"], values["steps"][0]["deadline.unit"] = "5", ""
    values["steps"][0]["deadline.law"] = "an act"
    values["title.en"] = ""
    values["steps"].append(step("no-such-service", "Tampered with"))
    path = f"/admin/journeys/{record.journey.id}/edit"
    response = editor.post(path, data=posted(editor, values, version=record.version))
    assert response.status_code == 422 and "nothing was saved" in response.text

    def error(field: str) -> str:
        field_id = re.sub(r"[^A-Za-z0-9]+", "-", field).strip("-")
        return re.search(rf'<p class="field-error" id="{field_id}-error">([^<]+)</p>', response.text).group(1)

    assert error("title.en") == "This field is required."
    assert error("steps[1].service").startswith("An earlier step already names this service")
    assert error("steps[0].deadline.unit") == "Choose one of the options."
    last = len(values["steps"]) - 1
    assert error(f"steps[{last}].service").startswith("The catalogue has no such service")
    assert 'value="an act"' in response.text  # the input stays while the editor fixes it
    assert store.get(record.journey.id).version == record.version


def test_a_stale_save_is_refused_with_the_current_version_shown_and_the_input_kept(editor: TestClient) -> None:
    store = editor.app.state.runtime.journeys
    record = store.list_journeys()[-1]
    journey_id, opened = record.journey.id, record.version
    theirs = journey_values(record.journey)
    theirs["summary.en"] = "Someone else's summary"
    path = f"/admin/journeys/{journey_id}/edit"
    assert editor.post(path, data=posted(editor, theirs, version=opened), follow_redirects=False).status_code == 303
    mine = journey_values(record.journey)
    mine["title.en"] = "My better title"
    refused = editor.post(path, data=posted(editor, mine, version=opened))
    assert refused.status_code == 409
    assert f"after you opened version {opened}" in refused.text
    assert f'data-current-version="{opened + 1}"' in refused.text and "Someone else&#39;s summary" in refused.text
    assert 'value="My better title"' in refused.text  # nothing of the editor's input is lost
    assert store.get(journey_id).journey.title.en == record.journey.title.en
    shown = re.search(r'name="version" value="(\d+)"', refused.text).group(1)
    saved = editor.post(path, data=posted(editor, mine, version=shown), follow_redirects=False)
    assert saved.status_code == 303  # a second save, having seen the current version, replaces it
    assert store.get(journey_id).journey.title.en == "My better title"
    history = editor.get(f"/admin/journeys/{journey_id}/history").text
    assert "Someone else&#39;s summary" in history and "My better title" in history


def test_delete_asks_first_refuses_a_stale_version_and_is_audited(editor: TestClient) -> None:
    store = editor.app.state.runtime.journeys
    journey = Journey.model_validate(
        {
            "id": "to-be-deleted",
            "life_event": "death",
            "title": {"th": "ทดลองลบ", "en": "To delete"},
            "summary": {"th": "ทดลอง", "en": "Trial"},
            "steps": [{"service": "death-registration", "why": {"th": "แจ้งตาย", "en": "Register the death"}}],
        }
    )
    version = store.create(journey, "someone")
    confirm = editor.get("/admin/journeys/to-be-deleted/delete")
    assert confirm.status_code == 200 and "Yes, delete it" in confirm.text and f"Version {version}" in confirm.text
    form = {"csrf_token": csrf(editor), "version": str(version)}
    store.update(journey, "someone", expected_version=version)
    stale = editor.post("/admin/journeys/to-be-deleted/delete", data=form)
    assert stale.status_code == 409 and store.get("to-be-deleted").version == version + 1
    form["version"] = str(version + 1)
    done = editor.post("/admin/journeys/to-be-deleted/delete", data=form, follow_redirects=False)
    assert done.status_code == 303
    assert "to-be-deleted" not in [r.journey.id for r in store.list_journeys()]
    assert "Journey to-be-deleted deleted." in editor.get(done.headers["location"]).text
    assert "to-be-deleted" in [entry.target for entry in audit(editor, "journey.delete")]


def test_a_role_without_edit_reads_but_cannot_change(viewer: TestClient, editor: TestClient) -> None:
    store = editor.app.state.runtime.journeys
    record = store.list_journeys()[0]
    page = viewer.get(f"/admin/journeys/{record.journey.id}/edit")
    assert page.status_code == 200 and "may read journeys but not change them" in page.text
    assert '<form method="post" action="/admin/journeys/' not in page.text
    assert "Add a journey" not in viewer.get("/admin/journeys").text
    values = journey_values(record.journey)
    values["title.en"] = "Changed by an analyst"
    refused = viewer.post(
        f"/admin/journeys/{record.journey.id}/edit", data=posted(viewer, values, version=record.version)
    )
    assert refused.status_code == 403
    assert viewer.get("/admin/journeys/new").status_code == 403
    assert store.get(record.journey.id).version == record.version


def test_a_form_without_the_sessions_csrf_token_changes_nothing(editor: TestClient) -> None:
    store = editor.app.state.runtime.journeys
    record = store.list_journeys()[0]
    values = posted(editor, journey_values(record.journey), version=record.version)
    del values["csrf_token"]
    response = editor.post(f"/admin/journeys/{record.journey.id}/edit", data=values)
    assert response.status_code == 403 and store.get(record.journey.id).version == record.version
