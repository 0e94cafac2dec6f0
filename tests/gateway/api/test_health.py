"""``GET /health``: 200 only when Rasa serves a model and the catalogue is searchable."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from tests.support import make_settings, wait_until


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("health"))  # nothing listens on its Rasa port
    settings.store.seed_on_empty = False  # an empty catalogue loads instantly
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_health_is_unavailable_while_rasa_is_down(client):
    assert wait_until(lambda: client.get("/health").json()["catalogue"]["ready"])
    response = client.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["rasa"]["ready"] is False
    assert body["rasa"]["url"].startswith("http://127.0.0.1:")


@pytest.mark.rasa
def test_health_reports_both_parts_ready(live_stack):
    response = httpx.get(f"{live_stack.base_url}/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["rasa"]["ready"] and body["rasa"]["model"]
    assert body["catalogue"]["ready"] and body["catalogue"]["services"] >= 5
