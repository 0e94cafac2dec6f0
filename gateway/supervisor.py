"""Starting and stopping the two processes: the Rasa server and the gateway.

Used by ``make run`` (``citizenbot run``) and by the test suite, so both start
Rasa exactly the same way. Each child gets its own process group, and stopping
kills the whole group, so Ctrl-C leaves nothing behind. A Rasa that crashes
after start-up is restarted with exponential back-off (:class:`KeepAlive`) while
the gateway keeps serving, and so is a crashed gateway.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from urllib.parse import urlparse

import httpx

from gateway.rasa_endpoints import describe_stores, rasa_endpoints_file, store_environment
from gateway.secrets import action_token, rasa_auth_token, with_secrets
from gateway.settings import PROJECT_ROOT, Settings

__all__ = [
    "OFFLINE_ENVIRONMENT",
    "BackOff",
    "KeepAlive",
    "ManagedProcess",
    "rasa_command",
    "rasa_environment",
    "run_until_interrupted",
    "stay_offline",
    "wait_for_http",
]

logger = logging.getLogger(__name__)

# Never reach for the network: a missing model or corpus must fail loudly, not download.
OFFLINE_ENVIRONMENT = {"PYTHAINLP_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def stay_offline() -> None:
    """Set the offline switches for this process and its children, unless the caller chose otherwise.

    Called once at start-up, before a model library is imported; importing our modules changes nothing.
    """
    for name, value in OFFLINE_ENVIRONMENT.items():
        os.environ.setdefault(name, value)


class ManagedProcess:
    """A child process in its own process group, with its output in a log file or the terminal."""

    def __init__(self, name: str, command: Sequence[str], env: Mapping[str, str], log_path: Path | None) -> None:
        self.name, self.command, self.env, self.log_path = name, list(command), dict(env), log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> ManagedProcess:
        if self.log_path is None:
            self.process = subprocess.Popen(self.command, cwd=PROJECT_ROOT, env=self.env, start_new_session=True)
            return self
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                self.command,
                cwd=PROJECT_ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, grace_seconds: float = 15.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(grace_seconds)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)


def _host_port(url: str) -> tuple[str, int]:
    parsed = urlparse(url)
    return parsed.hostname or "127.0.0.1", parsed.port or 80


def rasa_environment(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(PROJECT_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["CITIZENBOT_ACTION_ENDPOINT_URL"] = settings.gateway.action_url()
    env["CITIZENBOT_ACTION_TOKEN"] = action_token(settings)  # sent as X-Action-Token (bot/endpoints.yml)
    env.update(store_environment(settings))  # store passwords, referenced as ${...} by the endpoints file
    for name, value in OFFLINE_ENVIRONMENT.items():
        env.setdefault(name, value)
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    # How long a conversation's lock outlives a Rasa killed holding it (settings.rasa.lock_lifetime_seconds).
    env.setdefault("TICKET_LOCK_LIFETIME", str(settings.rasa.lock_lifetime_seconds))
    return env


def rasa_command(settings: Settings, url: str | None = None) -> list[str]:
    """Rasa's HTTP API behind a token, on loopback only: only the gateway on this machine talks to it.

    ``url``: the replica's own URL (its port), when there are several (settings.rasa.urls); else ``rasa.url``.
    With a tracker or lock store configured this (re)writes the effective endpoints file into
    ``rasa.run_dir`` (gateway/rasa_endpoints.py)."""
    _host, port = _host_port(url or settings.rasa.url)
    return [
        # `rasa` with a validator of action responses built once (nlu/rasa_server.py: ~30 ms of CPU a turn).
        str(settings.rasa.venv / "bin" / "python"), "-m", "nlu.rasa_server",
        "run",
        "--enable-api",
        # One argument: a generated token may start with "-", which would be read as an option.
        f"--auth-token={rasa_auth_token(settings)}",
        "--model", str(settings.rasa.model_path),
        "--endpoints", str(rasa_endpoints_file(settings)),  # bot/endpoints.yml, plus the stores if set
        "--credentials", str(PROJECT_ROOT / "bot" / "credentials.yml"),
        "--interface", "127.0.0.1",
        "--port", str(port),
    ]  # fmt: skip


def gateway_environment(settings: Settings) -> dict[str, str]:
    """The gateway child reads its settings from the environment: hand it the secrets Rasa was given,
    and the replicas the supervisor started (``--rasa-replicas``)."""
    env = dict(os.environ)
    env["CITIZENBOT_RASA__AUTH_TOKEN"] = rasa_auth_token(settings)
    env["CITIZENBOT_GATEWAY__ACTION_TOKEN"] = action_token(settings)
    if settings.rasa.urls:
        env["CITIZENBOT_RASA__URLS"] = json.dumps(settings.rasa.urls)
    return env


def gateway_command(settings: Settings, workers: int = 1) -> list[str]:
    """uvicorn with the app factory; ``workers`` > 1 forks that many processes on one socket."""
    return [
        sys.executable, "-m", "uvicorn", "gateway.app:create_app", "--factory",
        "--host", settings.gateway.host, "--port", str(settings.gateway.port), "--no-access-log",
        *(["--workers", str(workers)] if workers > 1 else []),
    ]  # fmt: skip


def wait_for_http(
    url: str,
    timeout: float,
    accept: Callable[[httpx.Response], bool] = lambda r: r.status_code == 200,
    alive: Callable[[], bool] = lambda: True,
) -> bool:
    """Poll ``url`` until ``accept`` says yes; give up early if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive():
            return False
        try:
            if accept(httpx.get(url, timeout=3.0)):
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    return False


class BackOff:
    """Delays between restarts: initial, doubled each time up to cap; back to initial after a
    process stayed up reset_after seconds (a crash then is news, not the same fault again)."""

    def __init__(self, initial: float = 1.0, cap: float = 30.0, reset_after: float = 60.0) -> None:
        self.initial, self.cap, self.reset_after = initial, cap, reset_after
        self._next = initial

    def next_delay(self, uptime: float) -> float:
        if uptime >= self.reset_after:
            self._next = self.initial
        delay = self._next
        self._next = min(self._next * 2, self.cap)
        return delay


class KeepAlive:
    """Restarts a process that exited, after the back-off delay; call :meth:`poll` often."""

    def __init__(
        self, process: ManagedProcess, back_off: BackOff | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.process, self.back_off, self.clock = process, back_off or BackOff(), clock
        self.restarts = 0
        self._started_at = clock()
        self._restart_at: float | None = None

    def poll(self) -> None:
        if self.process.running:
            return
        now = self.clock()
        if self._restart_at is None:
            code = self.process.process.returncode if self.process.process is not None else None
            delay = self.back_off.next_delay(now - self._started_at)
            self._restart_at = now + delay
            message = f">> {self.process.name} exited (code {code}); restarting in {delay:g} s"
            print(message, file=sys.stderr, flush=True)
            logger.warning(message)
        elif now >= self._restart_at:
            self._restart_at = None
            self._started_at = now
            self.restarts += 1
            self.process.start()

    def run_in_thread(self, interval: float = 0.2) -> tuple[threading.Thread, threading.Event]:
        """Poll in a daemon thread until the returned event is set (the test stack uses this)."""
        stop = threading.Event()

        def loop() -> None:
            while not stop.wait(interval):
                self.poll()

        thread = threading.Thread(target=loop, name=f"keep-alive-{self.process.name}", daemon=True)
        thread.start()
        return thread, stop


def run_until_interrupted(settings: Settings, startup_timeout: float = 300.0, workers: int = 1) -> int:
    """Start Rasa (one process per replica in ``rasa.urls``) and the gateway (``workers`` uvicorn
    worker processes), wait until all answer, then keep them up until Ctrl-C.

    After start-up a crashed Rasa replica is restarted with back-off; the gateway answers meanwhile
    (from the other replicas, or from the catalogue alone). A crashed gateway is restarted the same
    way. Check the scale first (gateway/scaled_run.py).
    """
    if not settings.rasa.model_path.exists():
        print(f"error: no trained model at {settings.rasa.model_path}; run `make model`", file=sys.stderr)
        return 1
    settings = with_secrets(settings)  # generated once into var/secrets/ unless set
    log_dir = PROJECT_ROOT / "var" / "log"
    urls = settings.rasa.replica_urls()
    rasa_env = rasa_environment(settings)
    replicas = [
        ManagedProcess(
            "rasa" if len(urls) == 1 else f"rasa-{i + 1}",
            rasa_command(settings, url),
            rasa_env,
            log_dir / ("rasa.log" if len(urls) == 1 else f"rasa-{i + 1}.log"),
        )
        for i, url in enumerate(urls)
    ]
    gateway = ManagedProcess("gateway", gateway_command(settings, workers), gateway_environment(settings), None)
    stopping = False

    def _stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    started = time.monotonic()
    logs = ", ".join(str(r.log_path) for r in replicas)
    try:
        for replica, url in zip(replicas, urls, strict=True):
            print(f">> starting {replica.name} on {url} (log: {replica.log_path})", flush=True)
            replica.start()
        print(f">> Rasa's {describe_stores(settings)}", flush=True)  # passwords masked
        many = f" with {workers} workers" if workers > 1 else ""
        print(f">> starting the gateway on http://{settings.gateway.host}:{settings.gateway.port}{many}", flush=True)
        gateway.start()
        health = f"http://{settings.gateway.host}:{settings.gateway.port}/health"
        deadline = time.monotonic() + startup_timeout
        ready = False
        while not stopping and time.monotonic() < deadline:
            if not (all(r.running for r in replicas) and gateway.running):
                break
            if wait_for_http(health, 2.0, accept=_every_replica_up):
                ready = True
                break
        if not ready:
            if not stopping:
                dead = [p.name for p in (*replicas, gateway) if not p.running]
                why = f"{', '.join(dead)} exited" if dead else f"not ready after {startup_timeout:.0f} s"
                print(f"error: the bot did not start ({why}); see {logs}", file=sys.stderr)
            return 0 if stopping else 1
        url = f"http://localhost:{settings.gateway.port}"
        print(f"\n>> ready in {time.monotonic() - started:.0f} s: {url}  (chat API: {url}/api/chat)")
        print(">> press Ctrl-C to stop\n", flush=True)
        # A crashed gateway comes back as a crashed Rasa replica does: uvicorn restarts a dead worker
        # itself, but not its own master process, and one crash must not stop the whole bot.
        keep_alive = [KeepAlive(process) for process in (*replicas, gateway)]
        while not stopping:
            for keeper in keep_alive:
                keeper.poll()
            time.sleep(0.2)
        return 0
    finally:
        print("\n>> stopping", flush=True)
        gateway.stop()
        for replica in replicas:
            replica.stop()
        print(">> stopped", flush=True)


def _every_replica_up(response: httpx.Response) -> bool:
    """/health is 200 and, with several Rasa replicas, every one of them serves its model."""
    if response.status_code != 200:
        return False
    try:
        replicas = response.json()["rasa"].get("replicas")
    except (ValueError, KeyError, AttributeError):
        return False
    return replicas is None or replicas.get("up") == replicas.get("total")
