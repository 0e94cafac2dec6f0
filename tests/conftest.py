"""Shared fixtures. The gateway suite runs in .venv (Python 3.11); the files that
need Rasa itself run in .venv-rasa and are skipped from collection here."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

RASA_ENV = importlib.util.find_spec("rasa") is not None
# Tests of our Rasa components import Rasa: they run in .venv-rasa only (make test-rasa-env).
# Fuzz tests need hypothesis, which only the gateway environment has (Rasa pins its own dependencies).
collect_ignore_glob = ["nlu/test_*_fuzz.py"] if RASA_ENV else ["nlu/test_rasa_*.py"]


@pytest.fixture(scope="session")
def seed_services():
    from knowledge.catalogue_files import load_seed

    return load_seed()


@pytest.fixture(scope="session")
def embedder():
    """The embedded default encoder, loaded once per session (a few seconds)."""
    from nlu.embedders import create_embedder

    return create_embedder("use-multilingual")


@pytest.fixture(scope="session")
def catalogue(tmp_path_factory, seed_services, embedder):
    """The seed catalogue in a real SQLite file with a real FAISS index, and the seed topics outside it:
    one per session, shared by the actions' and the conversation core's tests."""
    from knowledge.referrals import load_referrals
    from knowledge.service_search import CatalogueSearch
    from knowledge.store import CatalogueStore
    from tests.support import copy_prebuilt_catalogue_to

    tmp = tmp_path_factory.mktemp("catalogue")
    store = CatalogueStore(copy_prebuilt_catalogue_to(tmp / "catalogue.db", tmp / "index"))
    assert store.count() == len(seed_services)
    search = CatalogueSearch(store, embedder, tmp / "index", referrals=load_referrals())
    search.load_or_build()
    search.wait_for_classifier()  # answer as the running bot does once its classifier is trained
    yield search
    store.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this session (skips, or fails in CI, when there is none)."""
    from tests.services import temporary_postgres_database

    with temporary_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def sql_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database for one test, once on a SQLite file and once in a PostgreSQL schema of its own:
    for the store-level tests that must hold on both (the PostgreSQL run skips, or fails in CI, without it)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    from tests.services import postgres_schema

    with postgres_schema(request.getfixturevalue("postgres_url")) as url:
        yield url


@pytest.fixture(scope="session")
def redis_url() -> str:
    """Redis on loopback (skips, or fails in CI, when there is none); pair it with ``redis_prefix``."""
    from tests.services import REDIS_URL, redis_key_prefix

    redis_key_prefix()
    return REDIS_URL


@pytest.fixture(scope="session")
def redis_prefix() -> str:
    from tests.services import redis_key_prefix

    return redis_key_prefix()


# --- a real stack for conversation, channel and browser tests ------------------------
# A trained model served by a real `rasa run` subprocess, and the gateway on a real
# port (Rasa calls its action endpoint). Started once per session, on first use.

RASA_STARTUP_SECONDS = 300


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """Train once per session, and only when the training data changed (a no-op otherwise)."""
    from gateway.settings import PROJECT_ROOT

    rasa_python = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
    subprocess.run([str(rasa_python), str(PROJECT_ROOT / "scripts" / "train_model.py")], check=True)
    return PROJECT_ROOT / "models" / "citizenbot.tar.gz"


@pytest.fixture(scope="session")
def live_stack(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    # Imported here: the Rasa environment also reads this conftest and has none of these.
    import uvicorn

    from gateway.app import create_app
    from gateway.supervisor import KeepAlive, ManagedProcess, rasa_command, rasa_environment, wait_for_http
    from tests.support import LiveStack, ThreadedServer, make_settings

    tmp = tmp_path_factory.mktemp("stack")
    settings = make_settings(tmp, prebuilt_catalogue=True)
    app = create_app(settings)
    server = ThreadedServer(
        uvicorn.Config(app, host="127.0.0.1", port=settings.gateway.port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    rasa = ManagedProcess("rasa", rasa_command(settings), rasa_environment(settings), tmp / "rasa.log").start()
    base_url = f"http://127.0.0.1:{settings.gateway.port}"
    keep_alive_stop = None
    try:
        ready = wait_for_http(f"{base_url}/health", RASA_STARTUP_SECONDS, alive=lambda: rasa.running)
        if not ready:
            log = (tmp / "rasa.log").read_text(errors="replace")[-4000:]
            pytest.fail(f"stack not ready in {RASA_STARTUP_SECONDS} s; rasa log tail:\n{log}")
        # As under `citizenbot run`: a crashed Rasa comes back while the gateway serves.
        keep_alive_thread, keep_alive_stop = KeepAlive(rasa).run_in_thread()
        yield LiveStack(settings, base_url, app.state, rasa)
    finally:
        if keep_alive_stop is not None:
            keep_alive_stop.set()
            keep_alive_thread.join(5)
        rasa.stop()
        server.should_exit = True
        thread.join(15)


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One Debian Chromium for the whole suite (widget and back-office tests); each test opens its own
    context, so no state is shared. Playwright is imported here: the Rasa environment has none."""
    if not CHROMIUM.exists():
        pytest.skip("needs /usr/bin/chromium: run scripts/ensure_system_packages.sh (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(autouse=True)
def _no_browser_loop_outside_browser_tests(request: pytest.FixtureRequest) -> Iterator[None]:
    """Hide the shared browser's event loop from the tests that do not drive it.

    Playwright's sync API keeps its asyncio loop marked as running on the main thread between its
    calls, for as long as the browser lives; with one browser for the session, every later test that
    calls ``asyncio.run`` (the Rasa client's, the privacy routes') would be refused. The loop only runs
    inside Playwright's calls, so a test that makes none can have the mark cleared, and gets it back.
    """
    if "browser" in request.fixturenames:
        yield
        return
    loop = asyncio._get_running_loop()
    if loop is not None:
        asyncio._set_running_loop(None)
    try:
        yield
    finally:
        if loop is not None:
            asyncio._set_running_loop(loop)
