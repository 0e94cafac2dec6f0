"""The supervisor: Rasa behind a token on loopback, and a crashed Rasa restarted with back-off."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import httpx
import pytest

from gateway.supervisor import (
    BackOff,
    KeepAlive,
    ManagedProcess,
    gateway_environment,
    rasa_command,
    rasa_environment,
)
from tests.support import make_settings, wait_until

RASA_LOAD_SECONDS = 300  # as the suite allows for the first start (tests/conftest.py)


def test_back_off_doubles_from_one_second_up_to_thirty():
    back_off = BackOff()
    assert [back_off.next_delay(uptime=0.5) for _ in range(8)] == [1, 2, 4, 8, 16, 30, 30, 30]


def test_back_off_starts_again_after_a_minute_of_uptime():
    back_off = BackOff()
    for _ in range(4):
        back_off.next_delay(uptime=2)
    assert back_off.next_delay(uptime=59) == 16
    assert back_off.next_delay(uptime=60) == 1
    assert back_off.next_delay(uptime=3) == 2


def test_keep_alive_restarts_a_killed_process_after_the_delay(tmp_path: Path):
    child = ManagedProcess("sleeper", [sys.executable, "-c", "import time; time.sleep(60)"], dict(os.environ), None)
    child.start()
    keeper = KeepAlive(child, BackOff(initial=0.3, cap=1.0))
    thread, stop = keeper.run_in_thread(interval=0.05)
    try:
        first = child.process.pid
        os.kill(first, signal.SIGKILL)
        killed_at = time.monotonic()
        assert wait_until(lambda: child.running and child.process.pid != first, timeout=5)
        assert time.monotonic() - killed_at >= 0.3  # waited out the back-off
        assert keeper.restarts == 1
        second = child.process.pid
        os.kill(second, signal.SIGKILL)  # a second crash soon after waits twice as long
        killed_at = time.monotonic()
        assert wait_until(lambda: child.running and child.process.pid != second, timeout=5)
        assert time.monotonic() - killed_at >= 0.6
    finally:
        stop.set()
        thread.join(2)
        child.stop(2)


RASA_READS_ITS_ARGUMENTS = """
import json, sys
from rasa.__main__ import create_argument_parser
args = create_argument_parser().parse_args(sys.argv[1:])
print(json.dumps({"auth_token": args.auth_token, "port": args.port, "interface": args.interface}))
"""


def test_rasa_reads_a_token_that_starts_with_a_dash_as_the_token(tmp_path: Path):
    """One generated token in 64 starts with "-": Rasa took it for an option and refused to start."""
    import json
    import subprocess

    from pydantic import SecretStr

    settings = make_settings(tmp_path)
    settings.rasa.auth_token = SecretStr("-Xk3" + "a" * 40)
    command = rasa_command(settings)
    assert command[1:3] == ["-m", "nlu.rasa_server"]  # Rasa with the action-response fix
    run = subprocess.run(
        [command[0], "-W", "ignore", "-c", RASA_READS_ITS_ARGUMENTS, *command[3:]],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    parsed = json.loads(run.stdout.strip().splitlines()[-1])
    assert parsed["auth_token"] == "-Xk3" + "a" * 40 and parsed["interface"] == "127.0.0.1"


def test_rasa_gets_its_token_and_listens_on_loopback_only(tmp_path: Path):
    settings = make_settings(tmp_path)
    settings.rasa.url = "http://rasa.internal:5111"
    command = rasa_command(settings)
    assert f"--auth-token={settings.rasa.auth_token.get_secret_value()}" in command
    assert command[command.index("--interface") + 1] == "127.0.0.1"
    assert command[command.index("--port") + 1] == "5111"
    assert rasa_environment(settings)["CITIZENBOT_ACTION_TOKEN"] == settings.gateway.action_token.get_secret_value()
    env = gateway_environment(settings)
    assert env["CITIZENBOT_RASA__AUTH_TOKEN"] == settings.rasa.auth_token.get_secret_value()
    assert env["CITIZENBOT_GATEWAY__ACTION_TOKEN"] == settings.gateway.action_token.get_secret_value()


def test_without_settings_both_secrets_are_generated_and_shared_by_both_processes(tmp_path: Path):
    settings = make_settings(tmp_path)
    settings.rasa.auth_token = settings.gateway.action_token = None
    (token,) = [arg.removeprefix("--auth-token=") for arg in rasa_command(settings) if arg.startswith("--auth-token=")]
    assert token == (tmp_path / "secrets" / "rasa_auth_token").read_text().strip()
    assert gateway_environment(settings)["CITIZENBOT_RASA__AUTH_TOKEN"] == token
    action = (tmp_path / "secrets" / "action_token").read_text().strip()
    assert rasa_environment(settings)["CITIZENBOT_ACTION_TOKEN"] == action
    assert gateway_environment(settings)["CITIZENBOT_GATEWAY__ACTION_TOKEN"] == action


@pytest.mark.rasa
def test_rasa_api_refuses_calls_without_its_token(live_stack):
    status = f"{live_stack.settings.rasa.url}/status"
    assert httpx.get(status, timeout=10).status_code == 401
    token = live_stack.settings.rasa.auth_token.get_secret_value()
    assert httpx.get(status, params={"token": token}, timeout=10).status_code == 200


@pytest.mark.rasa
@pytest.mark.slow
def test_kill_9_of_rasa_does_not_stop_the_bot(live_stack):
    """Restarted after the first back-off step (1 s); serving again once its model is loaded (about
    20 s on an idle machine, 75 s measured on a loaded one: the bound is the suite's start-up budget)."""
    health = f"{live_stack.base_url}/health"
    assert httpx.get(health, timeout=10).json()["rasa"]["ready"] is True
    # A citizen is in the middle of a conversation when Rasa dies.
    assert live_stack.chat("kill-9-citizen", "ต่ออายุบัตรประชาชนต้องใช้อะไร")["status"] == "ok"
    first = live_stack.rasa.process.pid
    os.kill(first, signal.SIGKILL)
    killed_at = time.monotonic()
    # Every message while Rasa is gone still gets an answer from the catalogue (never an error) ...
    during = [live_stack.chat("kill-9-citizen", "ค่าธรรมเนียมเท่าไหร่")["status"] for _ in range(3)]
    assert set(during) <= {"ok", "degraded"} and "degraded" in during, during
    # ... the gateway keeps answering and says Rasa is down ...
    assert wait_until(lambda: httpx.get(health, timeout=5).json()["rasa"]["ready"] is False, timeout=10)
    # ... a new Rasa is started after the 1 s back-off ...
    assert wait_until(lambda: live_stack.rasa.running and live_stack.rasa.process.pid != first, timeout=5)
    restarted_after = time.monotonic() - killed_at
    assert restarted_after >= 1.0
    # ... and health reports it serving its model again.
    back = wait_until(lambda: httpx.get(health, timeout=5).status_code == 200, timeout=RASA_LOAD_SECONDS)
    assert back, "Rasa did not come back"
    # ... and the citizen's next message is Rasa's answer again.
    assert live_stack.chat("kill-9-citizen", "ทำบัตรประชาชนใหม่ที่ไหน")["status"] == "ok"
    print(f"Rasa restarted {restarted_after:.1f} s and serving {time.monotonic() - killed_at:.1f} s after kill -9")
