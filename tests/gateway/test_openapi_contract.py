"""The checked-in OpenAPI document is current, and the running gateway keeps it.

schemathesis generates requests from docs/openapi.json (valid ones and ones that bend every
field) and sends them to a real gateway on a loopback port, with the real catalogue and its
index; nothing listens on its Rasa port, so chat turns take the degraded path. Whatever is
sent, the gateway must never answer with a server error (/health's deliberate 503 for "Rasa is
down" aside). Figures for a report: ``schemathesis run docs/openapi.json --url http://127.0.0.1:8000
--checks not_a_server_error`` against a running gateway.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, settings
from pydantic import SecretStr

from channels.line.settings import LineSettings
from gateway.app import create_app
from gateway.settings import PROJECT_ROOT
from tests.support import TEST_SECRETS, ThreadedServer, free_port, make_settings, wait_until

DOCUMENT = PROJECT_ROOT / "docs" / "openapi.json"
ADMIN_TOKEN: list[str] = []  # an administrator's account token, made by the gateway fixture
STATUS_API_TOKEN = "contract-status-api-token"  # an outside case system's (/api/reports/...)
schema = schemathesis.openapi.from_path(DOCUMENT)


def test_the_checked_in_document_is_current() -> None:
    script = PROJECT_ROOT / "scripts" / "export_openapi.py"
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def gateway_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp: Path = tmp_path_factory.mktemp("openapi")
    # LINE configured, so the webhook checks signatures (no generated request can sign), and its
    # API on a closed loopback port: nothing here may reach LINE's cloud.
    line = LineSettings(
        channel_secret="openapi-contract-secret",
        channel_access_token="openapi-contract-token",
        api_base_url=f"http://127.0.0.1:{free_port()}",
        data_api_base_url=f"http://127.0.0.1:{free_port()}",
    )
    app_settings = make_settings(tmp, prebuilt_catalogue=True).model_copy(update={"line": line})
    app_settings.reports.status_api_tokens = {"traffy": SecretStr(STATUS_API_TOKEN)}  # else 503 by design
    app = create_app(app_settings)
    server = ThreadedServer(
        uvicorn.Config(app, host="127.0.0.1", port=app_settings.gateway.port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{app_settings.gateway.port}"

    def catalogue_ready() -> bool:
        try:
            return bool(httpx.get(f"{base_url}/health", timeout=5).json()["catalogue"]["ready"])
        except httpx.HTTPError:
            return False

    assert wait_until(catalogue_ready, timeout=180), "the gateway's catalogue did not load"
    accounts = app.state.runtime.staff_accounts
    accounts.add_account("contract-admin", "admin", "a passphrase for the fuzzer")
    ADMIN_TOKEN.append(accounts.issue_token("contract-admin"))
    yield base_url
    server.should_exit = True
    thread.join(15)


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    database=None,  # no example database written into the repository
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
)
def test_no_request_makes_a_server_error(case: schemathesis.Case, gateway_url: str) -> None:
    # Staff credentials let the generated requests reach the routes' validation, not only the 401: an
    # administrator's account token for the back office, the shared editor token for the older staff APIs.
    token = ADMIN_TOKEN[0] if case.path.startswith(("/admin/", "/api/admin/reports")) else TEST_SECRETS["editor"]
    token = STATUS_API_TOKEN if case.path.startswith("/api/reports/") else token
    response = case.call(base_url=gateway_url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    if case.path == "/health" and response.status_code == 503:
        # /health's own answer for "Rasa is down" (a load balancer reads it): here it must say so.
        assert response.json()["status"] == "degraded", response.text
        return
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code} {response.text}"
