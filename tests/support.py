"""Helpers shared by test modules (fixtures live in the conftest files)."""

from __future__ import annotations

import atexit
import secrets
import shutil
import socket
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvicorn

from gateway.settings import Settings

# One set of secrets per test session: the suite's Rasa and gateway get the same values
# through the settings, and nothing is written under var/secrets/.
TEST_SECRETS = {name: secrets.token_urlsafe(32) for name in ("editor", "rasa", "action")}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_settings(
    tmp: Path, rasa_port: int | None = None, gateway_port: int | None = None, *, prebuilt_catalogue: bool = False
) -> Settings:
    """Settings for a test gateway whose files live under ``tmp``.

    ``prebuilt_catalogue``: start from a copy of the seed catalogue and its saved search index, built
    once per test process, as a gateway restarted on its own files does. Building the index costs
    10-60 s on these machines, and most gateways of the suite that serve the seed catalogue need one.
    """
    settings = _settings(tmp, rasa_port, gateway_port)
    if prebuilt_catalogue:
        copy_prebuilt_catalogue(settings)
    return settings


def _settings(tmp: Path, rasa_port: int | None, gateway_port: int | None) -> Settings:
    return Settings.model_validate(
        {
            "environment": "test",
            "rasa": {
                "url": f"http://127.0.0.1:{rasa_port or free_port()}",
                "timeout_seconds": 60,
                "auth_token": TEST_SECRETS["rasa"],
            },
            "gateway": {
                "host": "127.0.0.1",
                "port": gateway_port or free_port(),
                "action_token": TEST_SECRETS["action"],
            },
            "editor": {"token": TEST_SECRETS["editor"]},
            "secrets_dir": str(tmp / "secrets"),
            "store": {
                "url": f"sqlite:///{tmp / 'catalogue.db'}",
                "conversations_url": f"sqlite:///{tmp / 'conversations.db'}",
                "staff_url": f"sqlite:///{tmp / 'staff.db'}",
                "reports_url": f"sqlite:///{tmp / 'reports.db'}",
                "citizens_url": f"sqlite:///{tmp / 'citizens.db'}",
                "report_photos_dir": str(tmp / "report_photos"),
            },
            "search": {"index_dir": str(tmp / "index")},
            # Every conversation of the suite comes from one address: the attempt limit has its own tests
            # (tests/actions/test_status_attempts.py) and must not stop the others' status checks.
            "status_check": {"attempts": 10_000},
            # Likewise the chat's per-address limit: the suite talks faster than any office full of citizens.
            # The limits' own tests (tests/channels/web/test_chat_rate_limits.py) set them low.
            "rate_limits": {"chat_client_count": 1_000_000},
        }
    )


_prebuilt: Path | None = None


def copy_prebuilt_catalogue(settings: Settings) -> None:
    """Put the seed catalogue and its saved index where ``settings`` look, unless something is there."""
    copy_prebuilt_catalogue_to(Path(settings.store.url.removeprefix("sqlite:///")), Path(settings.search.index_dir))


def copy_prebuilt_catalogue_to(database: Path, index_dir: Path) -> str:
    """Copy the seed catalogue to ``database`` and its saved index to ``index_dir``; the store's URL.

    The saved index checks itself against the store's content, not its place, so the copy is used as is.
    """
    url = f"sqlite:///{database}"
    if database.exists() or index_dir.exists():
        return url
    source = _prebuilt_catalogue()
    database.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / "catalogue.db", database)
    shutil.copytree(source / "index", index_dir, symlinks=True)
    return url


def _prebuilt_catalogue() -> Path:
    """The seed catalogue and its index, built by the gateway's own code once per test process."""
    global _prebuilt
    if _prebuilt is None:
        from gateway.runtime import Runtime

        directory = Path(tempfile.mkdtemp(prefix="citizenbot-prebuilt-"))
        atexit.register(shutil.rmtree, directory, True)
        runtime = Runtime.create(_settings(directory, None, None))
        try:
            if not runtime.load_catalogue():
                raise RuntimeError(f"the seed catalogue did not load: {runtime.catalogue_error}")
        finally:
            runtime.store.close()
            runtime.conversations.close()
        _prebuilt = directory
    return _prebuilt


@dataclass
class LiveStack:
    settings: Settings
    base_url: str
    app_state: object
    rasa: object = None  # the ManagedProcess running Rasa, kept alive by gateway.supervisor.KeepAlive
    # The gateway issues conversation ids: a test names its conversations ("multi-1a2b") and the
    # stack sends, for each name, the id the gateway gave on that conversation's first message.
    issued: dict[str, str] = field(default_factory=dict)

    def chat(self, sender: str, text: str, **extra: object) -> dict:
        body: dict[str, object] = {"text": text, **extra}
        if sender in self.issued:
            body["sender"] = self.issued[sender]
        response = httpx.post(f"{self.base_url}/api/chat", json=body, timeout=90)
        assert response.status_code == 200, response.text
        reply = response.json()
        self.issued[sender] = reply["sender"]
        return reply

    def rasa_sender(self, sender: str) -> str:
        """Rasa's id of the conversation the test calls ``sender`` (what stored records name)."""
        return f"web:{self.issued[sender]}"


class ThreadedServer(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # the test process keeps its own handlers
        pass


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False
