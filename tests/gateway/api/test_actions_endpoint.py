"""``POST /webhook/actions``: Rasa's action-server protocol, answered by rasa-sdk's executor."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from gateway.api.actions_endpoint import TOKEN_HEADER
from gateway.app import create_app
from tests.support import make_settings


def _call(action: str, text: str, entities: list[dict[str, object]]) -> dict[str, object]:
    """An action call as Rasa 3.6 sends it, cut down to what the executor reads."""
    return {
        "next_action": action,
        "sender_id": "citizen-1",
        "version": "3.6.21",
        "domain": {"slots": {}, "responses": {}, "forms": {}},
        "tracker": {
            "sender_id": "citizen-1",
            "slots": {"language": "en"},
            "latest_message": {"text": text, "intent": {"name": "browse_life_event"}, "entities": entities},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("actions"))
    settings.store.seed_on_empty = False  # an empty catalogue: the action says so
    with TestClient(create_app(settings)) as test_client:
        test_client.headers[TOKEN_HEADER] = settings.gateway.action_token.get_secret_value()
        yield test_client


def test_a_known_action_runs_and_answers_in_the_slot_language(client):
    entities = [{"entity": "life_event", "value": "birth"}]
    response = client.post("/webhook/actions", json=_call("action_browse_life_event", "having a baby", entities))
    assert response.status_code == 200
    texts = [message.get("text") for message in response.json()["responses"]]
    assert texts == ["There are no services under Having a baby yet."]


def test_an_unknown_action_is_404(client):
    response = client.post("/webhook/actions", json=_call("action_does_not_exist", "hi", []))
    assert response.status_code == 404
    assert response.json()["action_name"] == "action_does_not_exist"


def test_a_body_that_is_not_json_is_400(client):
    response = client.post("/webhook/actions", content=b"{not json")
    assert response.status_code == 400


# --- only Rasa may call it ------------------------------------------------------------


def test_a_call_without_the_token_is_401_in_the_error_envelope(client):
    call = _call("action_browse_life_event", "having a baby", [{"entity": "life_event", "value": "birth"}])
    response = client.post("/webhook/actions", json=call, headers={TOKEN_HEADER: ""})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_a_call_with_a_wrong_token_is_403_and_runs_nothing(client):
    call = _call("action_browse_life_event", "having a baby", [{"entity": "life_event", "value": "birth"}])
    response = client.post("/webhook/actions", json=call, headers={TOKEN_HEADER: "x" * 43})
    assert response.status_code == 403
    assert response.json() == {"error": {"code": "forbidden", "message": f"The {TOKEN_HEADER} header does not match."}}


def test_the_token_is_checked_before_the_body_is_read(client):
    response = client.post("/webhook/actions", content=b"{not json", headers={TOKEN_HEADER: "wrong"})
    assert response.status_code == 403


def test_without_a_configured_token_one_is_generated_under_secrets_dir(tmp_path):
    settings = make_settings(tmp_path)
    settings.gateway.action_token = None
    settings.store.seed_on_empty = False
    with TestClient(create_app(settings)) as test_client:
        assert test_client.post("/webhook/actions", json={}, headers={TOKEN_HEADER: "guess"}).status_code == 403
        generated = (tmp_path / "secrets" / "action_token").read_text().strip()
        assert len(generated) >= 32
        ok = test_client.post(
            "/webhook/actions", json=_call("action_does_not_exist", "hi", []), headers={TOKEN_HEADER: generated}
        )
        assert ok.status_code == 404
