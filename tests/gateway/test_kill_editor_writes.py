"""``kill -9`` of the gateway in the middle of editors' writes loses nothing and half-writes nothing.

A real gateway process (uvicorn, SQLite files, the FAISS index on disk) takes a stream of edits
through the editor API; it is killed with SIGKILL while a write is in flight, then started again
on the same files. Every edit it acknowledged is there, the catalogue database is intact, each
service's current row matches the last entry of its history, and the catalogue loads again.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from gateway.settings import PROJECT_ROOT
from tests.support import TEST_SECRETS, copy_prebuilt_catalogue_to, free_port, wait_until

SERVICE = "id-card-renewal"
STARTUP_SECONDS = 240
ACKNOWLEDGED_BEFORE_KILL = 6
HEADERS = {"Authorization": f"Bearer {TEST_SECRETS['editor']}", "X-Editor": "kill-test"}


def _environment(tmp: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "CITIZENBOT_ENVIRONMENT": "test",
        "CITIZENBOT_EDITOR__TOKEN": TEST_SECRETS["editor"],
        "CITIZENBOT_RASA__URL": f"http://127.0.0.1:{free_port()}",  # nothing listens: chat is degraded
        "CITIZENBOT_RASA__AUTH_TOKEN": TEST_SECRETS["rasa"],
        "CITIZENBOT_GATEWAY__ACTION_TOKEN": TEST_SECRETS["action"],
        "CITIZENBOT_GATEWAY__PORT": str(port),
        "CITIZENBOT_SECRETS_DIR": str(tmp / "secrets"),
        "CITIZENBOT_STORE__URL": f"sqlite:///{tmp / 'catalogue.db'}",
        "CITIZENBOT_STORE__CONVERSATIONS_URL": f"sqlite:///{tmp / 'conversations.db'}",
        "CITIZENBOT_SEARCH__INDEX_DIR": str(tmp / "index"),
    }


def _start(tmp: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "uvicorn", "gateway.app:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    with log.open("ab") as sink:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=_environment(tmp, port), stdout=sink, stderr=sink)

    def ready() -> bool:
        try:
            return bool(httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).json()["catalogue"]["ready"])
        except (httpx.HTTPError, ValueError, KeyError):
            return False

    if not wait_until(lambda: process.poll() is not None or ready(), timeout=STARTUP_SECONDS) or not ready():
        process.kill()
        pytest.fail(f"gateway not ready; log tail:\n{log.read_text(errors='replace')[-3000:]}")
    return process


class Editor(threading.Thread):
    """Edits one service's English title again and again until stopped; remembers what was acknowledged."""

    def __init__(self, base_url: str) -> None:
        super().__init__(daemon=True)
        self.base_url = base_url
        self.acknowledged: list[tuple[int, str]] = []  # (version, title) the gateway confirmed
        self.server_errors: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.base_url, headers=HEADERS, timeout=30) as client:
            edit = 0
            while not self.stop.is_set():
                try:
                    current = client.get(f"/api/admin/services/{SERVICE}").json()
                    service, version = current["service"], current["version"]
                    edit += 1
                    service["title"]["en"] = f"Renew an ID card (edit {edit})"
                    response = client.put(
                        f"/api/admin/services/{SERVICE}", params={"expected_version": version}, json=service
                    )
                except httpx.HTTPError:
                    return  # the process is gone
                if response.status_code >= 500:
                    self.server_errors.append(response.text)
                elif response.status_code == 200:
                    self.acknowledged.append((response.json()["version"], service["title"]["en"]))


def test_acknowledged_edits_survive_a_kill_mid_write(tmp_path: Path) -> None:
    copy_prebuilt_catalogue_to(tmp_path / "catalogue.db", tmp_path / "index")  # the seed, already indexed
    port = free_port()
    log = tmp_path / "gateway.log"
    process = _start(tmp_path, port, log)
    editor = Editor(f"http://127.0.0.1:{port}")
    editor.start()
    try:
        assert wait_until(lambda: len(editor.acknowledged) >= ACKNOWLEDGED_BEFORE_KILL, timeout=300), log.read_text()
        time.sleep(0.05)  # land inside the next write rather than between two
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
    finally:
        editor.stop.set()
        editor.join(30)
    assert not editor.server_errors
    last_version, last_title = editor.acknowledged[-1]

    with sqlite3.connect(tmp_path / "catalogue.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    process = _start(tmp_path, port, log)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=HEADERS, timeout=30) as client:
            current = client.get(f"/api/admin/services/{SERVICE}").json()
            history = client.get(f"/api/admin/services/{SERVICE}/versions").json()
            health = client.get("/health").json()
        # Nothing acknowledged is lost; at most the in-flight edit landed too, whole.
        assert current["version"] in (last_version, last_version + 1)
        if current["version"] == last_version:
            assert current["service"]["title"]["en"] == last_title
        versions = sorted(entry["version"] for entry in history)
        assert versions == list(range(versions[0], versions[-1] + 1)), "a gap in the history"
        newest = max(history, key=lambda entry: entry["version"])
        assert newest["version"] == current["version"]
        assert newest["service"] == current["service"], "the current row and its history disagree"
        assert health["catalogue"]["ready"]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)
