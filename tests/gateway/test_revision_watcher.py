"""A running gateway picks up catalogue changes made by another process.

The two-process test runs the gateway as its own uvicorn process and ``citizenbot catalogue
import`` as another, sharing only the SQLite file, then asks the gateway what Rasa would ask it
(``POST /webhook/actions``, ``action_answer_service``) until the imported service is the answer.
No Rasa is needed: the action endpoint searches the gateway's live index.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from gateway.revision_watcher import RevisionWatcher
from gateway.settings import Settings
from gateway.supervisor import ManagedProcess, gateway_command, wait_for_http
from knowledge.catalogue_files import dump_services
from knowledge.schema import Service
from knowledge.service_search import CatalogueSearch
from knowledge.store import CatalogueStore
from tests.support import TEST_SECRETS, make_settings

REACH_SECONDS = 5.0  # the promise: an import reaches a running bot within 5 s
GATEWAY_STARTUP_SECONDS = 180
QUESTION = "ต้องขึ้นทะเบียนหมาที่เขตไหม"


def pet_registration(template: Service) -> Service:
    raw = template.model_dump(mode="json")
    raw.update(
        id="pet-registration",
        title={"th": "ขึ้นทะเบียนสุนัขและแมวกับเขต", "en": "Registering a pet dog or cat with the district"},
        summary={"th": "เจ้าของสุนัขและแมวต้องขึ้นทะเบียนสัตว์เลี้ยง", "en": "Owners must register pet dogs and cats."},
        keywords={"th": ["ขึ้นทะเบียนหมา", "ทะเบียนแมว"], "en": ["pet registration", "dog licence"]},
        faq=[],
    )
    return Service.model_validate(raw)


def environment_for(settings: Settings) -> dict[str, str]:
    """What a deployment sets: both processes read the same store from the environment."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("CITIZENBOT_")}
    env.update(
        CITIZENBOT_ENVIRONMENT="test",
        CITIZENBOT_STORE__URL=settings.store.url,
        CITIZENBOT_STORE__CONVERSATIONS_URL=settings.store.conversations_url,
        CITIZENBOT_SEARCH__INDEX_DIR=str(settings.search.index_dir),
        CITIZENBOT_SEARCH__REFERRALS_DIR=str(settings.search.referrals_dir),
        CITIZENBOT_GATEWAY__PORT=str(settings.gateway.port),
        CITIZENBOT_RASA__URL=settings.rasa.url,  # nothing listens there: not needed here
        CITIZENBOT_EDITOR__TOKEN=settings.editor.token.get_secret_value(),  # "test" refuses a weak one
        CITIZENBOT_SECRETS_DIR=str(settings.secrets_dir),
        CITIZENBOT_GATEWAY__ACTION_TOKEN=settings.gateway.action_token.get_secret_value(),
    )
    return env


def answered_service(base_url: str, text: str) -> str | None:
    """The service ``action_answer_service`` puts in context for ``text``, as Rasa would see it."""
    call = {
        "next_action": "action_answer_service",
        "sender_id": "citizen-1",
        "domain": {"slots": {}, "responses": {}, "forms": {}},
        "tracker": {
            "sender_id": "citizen-1",
            "slots": {"language": "th"},
            "latest_message": {"text": text, "intent": {"name": "ask_service"}, "entities": []},
            "events": [],
            "latest_action_name": "action_listen",
        },
    }
    headers = {"X-Action-Token": TEST_SECRETS["action"]}  # what make_settings gives the gateway
    response = httpx.post(f"{base_url}/webhook/actions", json=call, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    slots = {e["name"]: e["value"] for e in response.json()["events"] if e.get("event") == "slot"}
    return slots.get("service_id")


def catalogue_ready(response: httpx.Response) -> bool:
    return bool(response.json().get("catalogue", {}).get("ready"))


@pytest.fixture
def running_gateway(tmp_path: Path):
    # Without the seed's topics outside the catalogue: they include pet registration, which would keep
    # answering the question the made-up service below is imported for (an editor who adds a service
    # a topic covered removes the topic; knowledge/seed/referrals/README.md).
    settings = make_settings(tmp_path)
    settings.search.referrals_dir = tmp_path / "no-referrals"  # a missing folder: no topics
    env = environment_for(settings)
    log = tmp_path / "gateway.log"
    gateway = ManagedProcess("gateway", gateway_command(settings), env, log).start()
    base_url = f"http://127.0.0.1:{settings.gateway.port}"
    try:
        if not wait_for_http(f"{base_url}/health", GATEWAY_STARTUP_SECONDS, catalogue_ready, lambda: gateway.running):
            pytest.fail(f"gateway not ready; log tail:\n{log.read_text(errors='replace')[-4000:]}")
        yield base_url, env
    finally:
        gateway.stop()
    output = log.read_text(errors="replace")
    assert "Application shutdown complete" in output and "Traceback" not in output, output[-4000:]


def test_a_catalogue_import_in_another_process_reaches_the_running_gateway_within_5_s(
    running_gateway, seed_services, tmp_path
):
    base_url, env = running_gateway
    assert answered_service(base_url, QUESTION) != "pet-registration"
    catalogue_file = tmp_path / "pet-registration.yaml"
    catalogue_file.write_text(dump_services([pet_registration(seed_services[0])], "yaml"), encoding="utf-8")
    # `citizenbot catalogue import FILE`: the console script's own entry point, run as a module so the
    # test does not depend on how the package was installed.
    command = [sys.executable, "-m", "gateway.cli", "catalogue", "import", str(catalogue_file)]

    started = time.monotonic()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    imported = time.monotonic()
    assert result.returncode == 0, result.stderr
    assert '"created": 1' in result.stdout

    while answered_service(base_url, QUESTION) != "pet-registration":
        assert time.monotonic() - imported < REACH_SECONDS, f"not searchable {REACH_SECONDS} s after the import"
        time.sleep(0.1)
    searchable = time.monotonic()
    print(
        f"\nimport command {imported - started:.2f} s; import done -> searchable {searchable - imported:.2f} s",
        file=sys.stderr,
    )


def test_stopping_does_not_wait_for_the_next_poll(tmp_path, embedder):
    store = CatalogueStore(f"sqlite:///{tmp_path / 'catalogue.db'}")
    try:
        watcher = RevisionWatcher(CatalogueSearch(store, embedder, tmp_path / "index"), poll_seconds=600)
        watcher.start()
        assert watcher.running
        watcher.stop(timeout=10)
        assert not watcher.running
    finally:
        store.close()


def test_a_poll_interval_must_be_positive(tmp_path, embedder):
    store = CatalogueStore(f"sqlite:///{tmp_path / 'catalogue.db'}")
    try:
        with pytest.raises(ValueError, match="positive"):
            RevisionWatcher(CatalogueSearch(store, embedder, tmp_path / "index"), poll_seconds=0)
    finally:
        store.close()
