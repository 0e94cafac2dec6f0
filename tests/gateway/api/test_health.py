"""``GET /health``: 200 only when Rasa serves a model and the catalogue is searchable; otherwise what
is degraded, in words an operator reads (``rasa``: up/down, ``catalogue``: ready/loading/failed),
never an internal URL or an exception's text."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from tests.support import make_settings, wait_until


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("health"))  # nothing listens on its Rasa port
    settings.store.seed_on_empty = False  # no services; the topics outside the catalogue are still indexed
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_health_is_unavailable_while_rasa_is_down(client):
    # Indexing the topics outside the catalogue takes 10-20 s on these 2 cores.
    assert wait_until(lambda: client.get("/health").json()["catalogue"]["ready"], timeout=120)
    response = client.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"  # the catalogue still answers (conversation.degraded)
    assert body["rasa"] == {"state": "down", "ready": False}
    assert body["catalogue"] == {"state": "ready", "ready": True, "services": 0}
    assert "127.0.0.1" not in response.text and "http" not in response.text


def test_a_failed_catalogue_load_is_retried_and_health_shows_it(tmp_path):
    """The index directory is a file at first (as if a disk were full or read-only): the load fails,
    /health says "failed" without the error's text, and once the path is usable a retry succeeds."""
    settings = make_settings(tmp_path)
    settings.store.seed_on_empty = False
    blocker = settings.search.index_dir
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("not a directory")
    app = create_app(settings)
    with TestClient(app) as client:
        runtime = app.state.runtime  # the first retry comes after runtime.catalogue_retry_seconds (2 s)
        # It fails only once the topics outside the catalogue are embedded (10-20 s here) and saved.
        assert wait_until(lambda: client.get("/health").json()["catalogue"]["state"] == "failed", timeout=120)
        response = client.get("/health")
        assert response.status_code == 503
        assert response.json()["status"] == "unavailable"  # neither part can answer
        assert response.json()["catalogue"] == {"state": "failed", "ready": False, "services": 0}
        assert "Error" not in response.text and str(tmp_path) not in response.text
        blocker.unlink()
        assert wait_until(lambda: client.get("/health").json()["catalogue"]["state"] == "ready", timeout=120)
        assert wait_until(lambda: runtime.catalogue_error is None, timeout=15)


@pytest.mark.rasa
def test_health_reports_both_parts_ready(live_stack):
    response = httpx.get(f"{live_stack.base_url}/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["rasa"]["ready"] and body["rasa"]["model"] and body["rasa"]["state"] == "up"
    assert "/" not in body["rasa"]["model"]  # the model's file name, not where it lies
    assert body["catalogue"]["ready"] and body["catalogue"]["services"] >= 5
    assert body["catalogue"]["state"] == "ready"
