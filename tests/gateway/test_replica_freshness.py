"""Two gateway processes on one PostgreSQL catalogue: a service created, then edited, through one is
searchable on the other within 2 s (the store's NOTIFY at commit wakes the other's revision watcher;
polling is set to a minute here, so only the notification can explain it)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway.settings import PROJECT_ROOT
from tests.support import TEST_SECRETS, free_port, wait_until

pytestmark = pytest.mark.slow

STARTUP_SECONDS = 240
FRESH_WITHIN_SECONDS = 2.0
HEADERS = {"Authorization": f"Bearer {TEST_SECRETS['editor']}", "X-Editor": "freshness-test"}


def _environment(tmp: Path, port: int, store_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "CITIZENBOT_ENVIRONMENT": "test",
        "CITIZENBOT_EDITOR__TOKEN": TEST_SECRETS["editor"],
        "CITIZENBOT_RASA__URL": f"http://127.0.0.1:{free_port()}",  # nothing listens: chat answers from the catalogue
        "CITIZENBOT_RASA__AUTH_TOKEN": TEST_SECRETS["rasa"],
        "CITIZENBOT_GATEWAY__ACTION_TOKEN": TEST_SECRETS["action"],
        "CITIZENBOT_GATEWAY__PORT": str(port),
        "CITIZENBOT_SECRETS_DIR": str(tmp / "secrets"),
        "CITIZENBOT_STORE__URL": store_url,
        "CITIZENBOT_STORE__SEED_ON_EMPTY": "false",
        "CITIZENBOT_STORE__CONVERSATIONS_URL": f"sqlite:///{tmp / 'conversations.db'}",
        "CITIZENBOT_SEARCH__INDEX_DIR": str(tmp / "index"),
        "CITIZENBOT_SEARCH__REVISION_POLL_SECONDS": "60",
        "CITIZENBOT_RATE_LIMITS__CHAT_CLIENT_COUNT": "100000",
    }


@pytest.fixture(scope="module")
def two_gateways(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    from tests.services import postgres_schema

    with postgres_schema(postgres_url, prefix="fresh") as store_url:
        processes, urls, logs = [], [], []
        try:
            for name in ("a", "b"):
                tmp = tmp_path_factory.mktemp(f"gateway-{name}")
                port = free_port()
                log = tmp / "gateway.log"
                command = [sys.executable, "-m", "uvicorn", "gateway.app:create_app", "--factory"]
                command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
                with log.open("ab") as sink:
                    env = _environment(tmp, port, store_url)
                    processes.append(subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=sink, stderr=sink))
                urls.append(f"http://127.0.0.1:{port}")
                logs.append(log)

            def ready(url: str) -> bool:
                try:
                    return bool(httpx.get(f"{url}/health", timeout=5).json()["catalogue"]["ready"])
                except (httpx.HTTPError, ValueError, KeyError):
                    return False

            if not wait_until(lambda: all(ready(u) for u in urls) or any(p.poll() is not None for p in processes),
                              timeout=STARTUP_SECONDS) or not all(ready(u) for u in urls):  # fmt: skip
                tails = "\n".join(log.read_text(errors="replace")[-2000:] for log in logs)
                pytest.fail(f"gateways not ready; log tails:\n{tails}")
            yield urls
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()


def _found(url: str, question: str, service_id: str, title: str) -> bool:
    """The other gateway's catalogue answer (Rasa is down) shows the service under ``title``."""
    reply = httpx.post(f"{url}/api/chat", json={"text": question}, timeout=10).json()
    cards = [m["card"] for m in reply.get("messages", []) if m.get("type") == "card"]
    return any(card.get("service_id") == service_id and title in str(card) for card in cards)


def _seconds_until_found(url: str, question: str, service_id: str, title: str) -> float:
    began = time.monotonic()
    if not wait_until(lambda: _found(url, question, service_id, title), timeout=30):
        reply = httpx.post(f"{url}/api/chat", json={"text": question}, timeout=10).json()
        pytest.fail(f"never searchable on {url}; its answer: {reply}")
    return time.monotonic() - began


def test_an_edit_through_one_gateway_is_searchable_on_the_other_within_2_s(two_gateways: list[str]):
    from knowledge.catalogue_files import load_seed

    writer, reader = two_gateways
    service = next(s for s in load_seed() if s.id == "passport-renewal").model_dump(mode="json")
    question = "How do I renew my passport?"
    with httpx.Client(base_url=writer, headers=HEADERS, timeout=30) as editor:
        created = editor.post("/api/admin/services", json=service)
        assert created.status_code == 201, created.text
        assert wait_until(lambda: _found(writer, question, service["id"], service["title"]["en"]), timeout=30), (
            httpx.post(f"{writer}/api/chat", json={"text": question}, timeout=10).json()
        )
        after_create = _seconds_until_found(reader, question, service["id"], service["title"]["en"])

        title = f"Renew a passport ({uuid.uuid4().hex[:6]})"
        service["title"]["en"] = title
        updated = editor.put(f"/api/admin/services/{service['id']}", json=service)
        assert updated.status_code == 200, updated.text
        after_update = _seconds_until_found(reader, question, service["id"], title)
    print(f"searchable on the other gateway {after_create:.2f} s after the create, {after_update:.2f} s after the edit")
    assert after_create <= FRESH_WITHIN_SECONDS and after_update <= FRESH_WITHIN_SECONDS


class _Catalogue:
    """Just what the watcher reads of a CatalogueSearch: its store, readiness and applied revision."""

    def __init__(self, store: object) -> None:
        self.store, self.ready, self.revision, self.caught_up = store, True, 0, 0

    def catch_up(self) -> int:
        self.revision = self.store.revision()  # type: ignore[attr-defined]
        self.caught_up += 1
        return 1


def test_a_lost_notification_connection_falls_back_to_polling_and_comes_back(postgres_url: str):
    """The listening connection killed by the server: the next write is still caught up (by polling),
    and the watcher listens again afterwards."""
    import sqlalchemy

    from gateway.revision_watcher import RevisionWatcher
    from knowledge.catalogue_files import load_seed
    from knowledge.catalogue_writer import CatalogueWriter
    from knowledge.store import CatalogueStore
    from tests.services import postgres_schema

    services = load_seed()[:2]
    with postgres_schema(postgres_url, prefix="listen") as url:
        store = CatalogueStore(url)
        catalogue = _Catalogue(store)
        watcher = RevisionWatcher(catalogue, poll_seconds=1.0)  # type: ignore[arg-type]
        watcher.start()
        try:
            assert wait_until(lambda: watcher._listen is not None, timeout=10)
            CatalogueWriter(store).create(services[0], "listen-test")
            assert wait_until(lambda: catalogue.revision == store.revision(), timeout=1.0)  # well before a poll

            pid = watcher._listen.info.backend_pid
            with store.engine.connect() as connection:
                connection.execute(sqlalchemy.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                connection.commit()
            CatalogueWriter(store).create(services[1], "listen-test")
            assert wait_until(lambda: catalogue.revision == store.revision(), timeout=10)
            assert wait_until(lambda: watcher._listen is not None and watcher._listen.info.backend_pid != pid, 10)
        finally:
            watcher.stop()
            store.close()
    assert not watcher.running
