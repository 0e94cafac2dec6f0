"""``citizenbot run`` as an operator starts it: a real supervisor, a real ``rasa run`` and a real
uvicorn gateway in child processes. A crash of any of them is survived, the gateway's included."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway.settings import PROJECT_ROOT
from tests.support import copy_prebuilt_catalogue_to, free_port

pytestmark = pytest.mark.rasa

STARTUP_SECONDS = 300


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        found += [int(child) for child in children]
    return found


def _command_line(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")


def _health(base: str) -> int | None:
    try:
        return httpx.get(f"{base}/health", timeout=3.0).status_code
    except httpx.HTTPError:
        return None


@pytest.fixture
def running_bot(trained_model: Path, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str, Path]]:
    port = free_port()
    catalogue = copy_prebuilt_catalogue_to(tmp_path / "catalogue.db", tmp_path / "index")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITIZENBOT_")}
    env |= {
        "PYTHAINLP_OFFLINE": "1",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "CITIZENBOT_GATEWAY__HOST": "127.0.0.1",
        "CITIZENBOT_GATEWAY__PORT": str(port),
        "CITIZENBOT_RASA__URL": f"http://127.0.0.1:{free_port()}",
        "CITIZENBOT_RASA__MODEL_PATH": str(trained_model),
        "CITIZENBOT_STORE__URL": catalogue,
        "CITIZENBOT_STORE__CONVERSATIONS_URL": f"sqlite:///{tmp_path / 'conversations.db'}",
        "CITIZENBOT_STORE__STAFF_URL": f"sqlite:///{tmp_path / 'staff.db'}",
        "CITIZENBOT_STORE__REPORTS_URL": f"sqlite:///{tmp_path / 'reports.db'}",
        "CITIZENBOT_STORE__CITIZENS_URL": f"sqlite:///{tmp_path / 'citizens.db'}",
        "CITIZENBOT_STORE__REPORT_PHOTOS_DIR": str(tmp_path / "report_photos"),
        "CITIZENBOT_SEARCH__INDEX_DIR": str(tmp_path / "index"),
        "CITIZENBOT_SECRETS_DIR": str(tmp_path / "secrets"),
    }
    log = (tmp_path / "run.log").open("wb")
    bot = subprocess.Popen(
        [sys.executable, "-m", "gateway.cli", "run"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while _health(base) != 200:
            if bot.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"citizenbot run did not start:\n{(tmp_path / 'run.log').read_text()[-3000:]}")
            time.sleep(1)
        yield bot, base, tmp_path / "run.log"
    finally:
        bot.send_signal(signal.SIGINT)  # as Ctrl-C: the supervisor stops its children
        try:
            bot.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(bot.pid, signal.SIGKILL)
        log.close()


def test_a_killed_gateway_is_started_again_and_answers(running_bot):
    bot, base, log = running_bot
    gateways = [pid for pid in _children(bot.pid) if "uvicorn" in _command_line(pid)]
    assert len(gateways) == 1, [_command_line(pid) for pid in _children(bot.pid)]

    os.kill(gateways[0], signal.SIGKILL)
    deadline = time.monotonic() + 20
    while _health(base) is not None and time.monotonic() < deadline:  # gone: nothing listens
        time.sleep(0.1)
    deadline = time.monotonic() + 180
    while _health(base) != 200:
        assert bot.poll() is None, f"the supervisor stopped:\n{log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"the gateway did not come back:\n{log.read_text()[-3000:]}"
        time.sleep(0.5)

    reply = httpx.post(f"{base}/api/chat", json={"text": "ทำบัตรประชาชนใหม่ใช้อะไรบ้าง"}, timeout=60)
    assert reply.status_code == 200 and reply.json()["messages"]
    assert "gateway exited (code -9); restarting" in log.read_text()
    assert bot.poll() is None
