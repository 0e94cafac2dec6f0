"""A real stack for conversation tests: a trained model served by a real `rasa run`
subprocess, and the gateway on a real port (Rasa calls its action endpoint)."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from bot.app import create_app
from bot.settings import PROJECT_ROOT
from bot.supervisor import ManagedProcess, rasa_command, rasa_environment, wait_for_http
from tests.support import LiveStack, ThreadedServer, make_settings

RASA_STARTUP_SECONDS = 300


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """Train once per session, and only when the training data changed (a no-op otherwise)."""
    rasa_python = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
    subprocess.run([str(rasa_python), str(PROJECT_ROOT / "scripts" / "train_model.py")], check=True)
    return PROJECT_ROOT / "models" / "citizenbot.tar.gz"


@pytest.fixture(scope="session")
def live_stack(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    tmp = tmp_path_factory.mktemp("stack")
    settings = make_settings(tmp)
    app = create_app(settings)
    server = ThreadedServer(
        uvicorn.Config(app, host="127.0.0.1", port=settings.gateway.port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    rasa = ManagedProcess(
        "rasa", rasa_command(settings), rasa_environment(settings), tmp / "rasa.log"
    ).start()
    base_url = f"http://127.0.0.1:{settings.gateway.port}"
    try:
        ready = wait_for_http(f"{base_url}/health", RASA_STARTUP_SECONDS, alive=lambda: rasa.running)
        if not ready:
            log = (tmp / "rasa.log").read_text(errors="replace")[-4000:]
            pytest.fail(f"stack not ready in {RASA_STARTUP_SECONDS} s; rasa log tail:\n{log}")
        yield LiveStack(settings, base_url, app.state)
    finally:
        rasa.stop()
        server.should_exit = True
        thread.join(15)
