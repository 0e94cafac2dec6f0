"""Helpers shared by test modules (fixtures live in the conftest files)."""

from __future__ import annotations

import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
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


def make_settings(tmp: Path, rasa_port: int | None = None, gateway_port: int | None = None) -> Settings:
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
            },
            "search": {"index_dir": str(tmp / "index")},
        }
    )


@dataclass
class LiveStack:
    settings: Settings
    base_url: str
    app_state: object
    rasa: object = None  # the ManagedProcess running Rasa, kept alive by gateway.supervisor.KeepAlive

    def chat(self, sender: str, text: str, **extra: object) -> dict:
        response = httpx.post(f"{self.base_url}/api/chat", json={"sender": sender, "text": text, **extra}, timeout=90)
        assert response.status_code == 200, response.text
        return response.json()


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
