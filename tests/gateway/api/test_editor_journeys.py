"""The journeys editor API (/api/admin/journeys) on a real gateway: the editor's token, the seeded journeys,
versioned edits, unknown services and bad input refused with 4xx, history, account roles."""

from __future__ import annotations

import copy

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from tests.support import make_settings

TOKEN = "test-editor-token"
AUTH = {"Authorization": f"Bearer {TOKEN}", "X-Editor": "somchai"}


@pytest.fixture(scope="module")
def journeys_app(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("editor-journeys"), prebuilt_catalogue=True)
    settings.editor.token = type(settings.editor.token)(TOKEN)
    with TestClient(create_app(settings)) as client:
        runtime = client.app.state.runtime
        assert runtime.wait_until_loaded(300), "catalogue did not load"
        runtime.staff_accounts.add_account("nok", "analyst", "correct horse battery")
        analyst = {"Authorization": f"Bearer {runtime.staff_accounts.issue_token('nok')}"}
        yield client, analyst


def _journey(client, journey_id: str) -> tuple[dict, int]:
    response = client.get(f"/api/admin/journeys/{journey_id}", headers=AUTH)
    assert response.status_code == 200, response.text
    body = response.json()
    return copy.deepcopy(body["journey"]), body["version"]


def test_the_token_is_required(journeys_app):
    client, _ = journeys_app
    assert client.get("/api/admin/journeys").status_code == 401
    wrong = client.put("/api/admin/journeys/moving-house", json={}, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "unauthorized"


def test_the_seed_journeys_are_listed_and_read_with_their_deadlines(journeys_app):
    client, _ = journeys_app
    listed = client.get("/api/admin/journeys", headers=AUTH)
    assert listed.status_code == 200
    ids = {item["id"] for item in listed.json()}
    assert {"having-a-baby", "death-in-the-family", "moving-house", "learning-to-drive"} <= ids
    deaths = client.get("/api/admin/journeys?life_event=death", headers=AUTH).json()
    assert [item["id"] for item in deaths] == ["death-in-the-family"]
    assert deaths[0]["unverified_deadlines"] == [2]  # the funeral grant's one-year claim period
    baby, version = _journey(client, "having-a-baby")
    assert version >= 1 and baby["steps"][0]["service"] == "birth-registration"
    assert baby["steps"][0]["deadline"]["days"] == 15 and baby["steps"][0]["deadline"]["from"] == "event"
    assert client.get("/api/admin/journeys?life_event=wedding", headers=AUTH).status_code == 422


def test_an_edit_is_versioned_and_a_stale_one_refused(journeys_app):
    client, _ = journeys_app
    raw, version = _journey(client, "moving-house")
    raw["title"]["en"] = "Moving home: what to do"
    saved = client.put(f"/api/admin/journeys/moving-house?expected_version={version}", json=raw, headers=AUTH)
    assert saved.status_code == 200, saved.text
    assert saved.json() == {"id": "moving-house", "version": version + 1}
    raw["title"]["en"] = "Someone else's title"
    stale = client.put(f"/api/admin/journeys/moving-house?expected_version={version}", json=raw, headers=AUTH)
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_version"
    assert _journey(client, "moving-house")[0]["title"]["en"] == "Moving home: what to do"
    history = client.get("/api/admin/journeys/moving-house/versions", headers=AUTH).json()
    assert [entry["author"] for entry in history][-1] == "somchai"
    assert history[-1]["journey"]["title"]["en"] == "Moving home: what to do"


def test_a_step_naming_an_unknown_service_is_refused_with_the_step(journeys_app):
    client, _ = journeys_app
    raw, version = _journey(client, "getting-married")
    raw["steps"][1]["service"] = "wedding-licence"
    refused = client.put("/api/admin/journeys/getting-married", json=raw, headers=AUTH)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "unknown_service"
    assert error["details"] == [
        {"field": "steps[1].service", "problem": "no service 'wedding-licence' in the catalogue"}
    ]
    assert _journey(client, "getting-married")[1] == version  # nothing was saved


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda raw: raw["steps"][0]["deadline"].update(hours=24), "steps[0].deadline"),
        (lambda raw: raw["title"].pop("th"), "title.th"),
        (lambda raw: raw.update(steps=[]), "steps"),
        (lambda raw: raw.update(life_event="wedding"), "life_event"),
        (lambda raw: raw.update(id="Not An Id"), "id"),
    ],
)
def test_an_invalid_journey_is_refused_with_the_field(journeys_app, change, field):
    client, _ = journeys_app
    raw, _version = _journey(client, "having-a-baby")
    change(raw)
    refused = client.post("/api/admin/journeys", json=raw, headers=AUTH)
    assert refused.status_code == 422, refused.text
    assert field in {detail["field"] for detail in refused.json()["error"]["details"]}


def test_bad_bodies_and_mismatched_ids_are_4xx(journeys_app):
    client, _ = journeys_app
    raw, _version = _journey(client, "turning-60")
    garbled = client.post(
        "/api/admin/journeys", content=b"{not json", headers={**AUTH, "Content-Type": "application/json"}
    )
    assert garbled.status_code in (400, 422)
    mismatch = client.put("/api/admin/journeys/losing-a-job", json=raw, headers=AUTH)
    assert mismatch.status_code == 422 and mismatch.json()["error"]["details"][0]["field"] == "id"
    assert client.get("/api/admin/journeys/no-such-journey", headers=AUTH).status_code == 404
    assert client.get("/api/admin/journeys/no-such-journey/versions", headers=AUTH).status_code == 404
    assert client.put("/api/admin/journeys/turning-60?expected_version=0", json=raw, headers=AUTH).status_code == 422


def test_create_then_delete_a_journey(journeys_app):
    client, _ = journeys_app
    raw, _version = _journey(client, "learning-to-drive")
    raw["id"] = "learning-to-ride"
    raw["title"] = {"th": "หัดขี่มอเตอร์ไซค์", "en": "Learning to ride a motorcycle"}
    created = client.post("/api/admin/journeys", json=raw, headers=AUTH)
    assert created.status_code == 201 and created.json() == {"id": "learning-to-ride", "version": 1}
    assert client.post("/api/admin/journeys", json=raw, headers=AUTH).status_code == 409
    stale = client.delete("/api/admin/journeys/learning-to-ride?expected_version=7", headers=AUTH)
    assert stale.status_code == 409
    deleted = client.delete("/api/admin/journeys/learning-to-ride?expected_version=1", headers=AUTH)
    assert deleted.status_code == 200 and deleted.json()["version"] == 2
    assert client.get("/api/admin/journeys/learning-to-ride", headers=AUTH).status_code == 404
    assert client.delete("/api/admin/journeys/learning-to-ride", headers=AUTH).status_code == 404


def test_an_account_without_edit_reads_but_cannot_change(journeys_app):
    client, analyst = journeys_app
    assert client.get("/api/admin/journeys", headers=analyst).status_code == 200
    raw, version = _journey(client, "starting-a-business")
    refused = client.put("/api/admin/journeys/starting-a-business", json=raw, headers=analyst)
    assert refused.status_code == 403
    assert refused.json()["error"]["details"]["missing_permission"] == "edit"
    assert _journey(client, "starting-a-business")[1] == version


def test_an_edited_journey_is_what_the_chat_tells_next(journeys_app):
    """The action Rasa calls for a life event reads the same store the editors write: no restart."""
    from gateway.api.actions_endpoint import TOKEN_HEADER

    client, _ = journeys_app
    raw, version = _journey(client, "learning-to-drive")
    raw["steps"][0]["why"]["en"] = "Start here: the temporary licence comes first."
    saved = client.put(f"/api/admin/journeys/learning-to-drive?expected_version={version}", json=raw, headers=AUTH)
    assert saved.status_code == 200, saved.text

    runtime = client.app.state.runtime
    call = {
        "next_action": "action_browse_life_event",
        "sender_id": "journey-citizen",
        "version": "3.6.21",
        "domain": {"slots": {}, "responses": {}, "forms": {}},
        "tracker": {
            "sender_id": "journey-citizen",
            "slots": {"language": "en"},
            "latest_message": {
                "text": "learning to drive",
                "intent": {"name": "browse_life_event"},
                "entities": [{"entity": "life_event", "value": "driving"}],
            },
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }
    token = runtime.settings.gateway.action_token.get_secret_value()
    answered = client.post("/webhook/actions", json=call, headers={TOKEN_HEADER: token})
    assert answered.status_code == 200, answered.text
    steps, menu = answered.json()["responses"]
    journey = steps["custom"]  # the journey message; its plain text rides along for channels that cannot draw it
    assert journey["type"] == "journey" and journey["title"] == raw["title"]["en"]
    assert journey["text"].startswith(raw["title"]["en"])
    assert journey["steps"][0]["why"] == "Start here: the temporary licence comes first."
    assert menu["text"] == "Services for Driving and vehicles:" and menu["buttons"]
