"""``kill -9`` of a real gateway process in the middle of a LINE turn, then a restart: the event is
answered after the restart, and exactly once.

Real parts: the gateway in its own process (uvicorn, as ``make run`` starts it) with its SQLite
file; LINE's cloud is the loopback stub in this process, Rasa a loopback stub that holds the first
turn long enough for the kill to land mid-turn. Signed webhooks go over real HTTP.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.settings import PROJECT_ROOT
from tests.channels.line.conftest import SECRET, TOKEN, fixture_event, sign
from tests.channels.line.stub import LineStub
from tests.support import TEST_SECRETS, free_port, wait_until

pytestmark = pytest.mark.slow


@dataclass
class SlowRasa:
    """Rasa's REST channel: the first ``hold`` turns wait (a slow model); later ones answer at once."""

    hold: int = 1
    hold_seconds: float = 60.0
    received: list[dict] = field(default_factory=list)

    def serve(self) -> tuple[ThreadingHTTPServer, str]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
                fake.received.append(body)
                if len(fake.received) <= fake.hold:
                    time.sleep(fake.hold_seconds)  # the gateway is killed meanwhile
                data = json.dumps(
                    [{"recipient_id": body.get("sender"), "text": "Passport renewal: bring your ID card."}]
                )
                try:
                    self.send_response(200)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data.encode())))
                    self.end_headers()
                    self.wfile.write(data.encode())
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server, f"http://127.0.0.1:{server.server_address[1]}"


class GatewayProcess:
    """``uvicorn gateway.app:create_app --factory`` with its settings in the environment."""

    def __init__(self, tmp: Path, line: LineStub, rasa_url: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = tmp / "catalogue.db"
        self.log = tmp / "gateway.log"
        self.env = {
            **os.environ,
            "PYTHONPATH": str(PROJECT_ROOT),
            "PYTHAINLP_OFFLINE": "1",
            "HF_HUB_OFFLINE": "1",
            "CITIZENBOT_ENVIRONMENT": "test",
            "CITIZENBOT_EDITOR__TOKEN": TEST_SECRETS["editor"],
            "CITIZENBOT_RASA__URL": rasa_url,
            "CITIZENBOT_RASA__AUTH_TOKEN": TEST_SECRETS["rasa"],
            "CITIZENBOT_GATEWAY__ACTION_TOKEN": TEST_SECRETS["action"],
            "CITIZENBOT_SECRETS_DIR": str(tmp / "secrets"),
            "CITIZENBOT_STORE__URL": f"sqlite:///{self.db}",
            "CITIZENBOT_STORE__CONVERSATIONS_URL": f"sqlite:///{tmp / 'conversations.db'}",
            "CITIZENBOT_STORE__SEED_ON_EMPTY": "false",
            "CITIZENBOT_SEARCH__INDEX_DIR": str(tmp / "index"),
            "CITIZENBOT_LINE__CHANNEL_SECRET": SECRET,
            "CITIZENBOT_LINE__CHANNEL_ACCESS_TOKEN": TOKEN,
            "CITIZENBOT_LINE__API_BASE_URL": line.url,
            "CITIZENBOT_LINE__DATA_API_BASE_URL": line.url,
            "CITIZENBOT_LINE__QUEUE__LEASE_SECONDS": "3",
            "CITIZENBOT_LINE__QUEUE__POLL_SECONDS": "0.2",
        }
        self.cwd = tmp  # no project .env is read
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> GatewayProcess:
        command = [sys.executable, "-m", "uvicorn", "gateway.app:create_app", "--factory"]
        command += ["--host", "127.0.0.1", "--port", str(self.port)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        assert wait_until(self._up, 180), f"the gateway did not start:\n{self.log.read_text()[-3000:]}"
        return self

    def _up(self) -> bool:
        assert self.process is not None and self.process.poll() is None, self.log.read_text()[-3000:]
        try:
            httpx.get(f"{self.url}/health", timeout=2)  # any answer: the app is serving
            return True
        except httpx.HTTPError:
            return False

    def kill9(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)

    def deliver(self, *events: dict) -> httpx.Response:
        body = json.dumps({"destination": "U0c1t1zenb0t0000000000000000000b", "events": list(events)}).encode()
        headers = {"content-type": "application/json", "x-line-signature": sign(body)}
        return httpx.post(f"{self.url}/line/webhook", content=body, headers=headers, timeout=10)

    def outcomes(self) -> dict[str, str | None]:
        with sqlite3.connect(self.db) as connection:
            return dict(connection.execute("SELECT event_id, outcome FROM line_event_queue").fetchall())


@pytest.fixture
def line_cloud() -> Iterator[LineStub]:
    stub = LineStub(TOKEN).start()
    yield stub
    stub.stop()


@pytest.fixture
def slow_rasa() -> Iterator[tuple[SlowRasa, str]]:
    fake = SlowRasa()
    server, url = fake.serve()
    yield fake, url
    server.shutdown()
    server.server_close()


def _answers(line: LineStub) -> list[dict]:
    return [r.json for r in line.delivered()]


def test_a_kill_mid_turn_is_answered_after_the_restart_exactly_once(tmp_path, line_cloud, slow_rasa):
    rasa, rasa_url = slow_rasa
    event = fixture_event("text_en")
    first = GatewayProcess(tmp_path, line_cloud, rasa_url).start()
    try:
        assert first.deliver(event).status_code == 200  # stored before LINE hears 200
        assert wait_until(lambda: len(rasa.received) == 1, 30), "the turn never reached Rasa"
        first.kill9()  # mid-turn: Rasa is still thinking
    finally:
        first.stop()
    assert _answers(line_cloud) == []  # only the loading animation went out
    assert first.outcomes() == {event["webhookEventId"]: None}  # stored, unanswered

    second = GatewayProcess(tmp_path, line_cloud, rasa_url).start()
    try:
        assert wait_until(lambda: len(_answers(line_cloud)) >= 1, 30), second.log.read_text()[-3000:]
        assert second.deliver(event).status_code == 200  # LINE redelivers it too: not answered again
        time.sleep(2.0)  # time for a second answer, were there one
        (answer,) = _answers(line_cloud)
        assert answer["replyToken"] == event["replyToken"]
        assert answer["messages"][0]["text"].startswith("Passport renewal")
        assert [r["message"] for r in rasa.received] == [event["message"]["text"]] * 2  # asked again after the crash
        assert second.outcomes() == {event["webhookEventId"]: "replied"}
    finally:
        second.stop()


def test_a_kill_after_the_reply_left_never_answers_twice(tmp_path, line_cloud, slow_rasa):
    """The reply reached LINE, but the process died before it could acknowledge the event: the worker
    that takes over sees the "replying" mark and does not send a second answer."""
    rasa, rasa_url = slow_rasa
    rasa.hold = 0  # Rasa answers at once
    line_cloud.slow_once[("POST", "/v2/bot/message/reply")] = 60.0  # LINE takes the reply, then hangs
    event = fixture_event("text_th")
    first = GatewayProcess(tmp_path, line_cloud, rasa_url).start()
    try:
        assert first.deliver(event).status_code == 200
        assert wait_until(lambda: len(_answers(line_cloud)) == 1, 30)
        first.kill9()
    finally:
        first.stop()

    second = GatewayProcess(tmp_path, line_cloud, rasa_url).start()
    try:
        assert wait_until(lambda: second.outcomes()[event["webhookEventId"]] is not None, 30)
        assert second.outcomes() == {event["webhookEventId"]: "unsure"}
        assert len(_answers(line_cloud)) == 1  # the citizen has one answer, not two
        assert line_cloud.received("/v2/bot/message/push") == []
    finally:
        second.stop()
