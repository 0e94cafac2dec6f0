"""Two real `rasa run` replicas behind one gateway, sharing a PostgreSQL tracker store and a Redis lock
store: a conversation whose turns alternate between them keeps its context, killing one with -9
during a burst of turns loses none (conversation/rasa_replicas.py retries the dropped ones), and the
context survives a restart of every replica.

One pair of replicas for the whole module: each takes about a minute to load its model."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from gateway.settings import RasaSettings, Settings
from tests.services import delete_redis_keys
from tests.support import free_port, make_settings, wait_until

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

RASA_STARTUP_SECONDS = 300  # as tests/conftest.py allows


@dataclass
class Replicas:
    settings: Settings
    stack: object  # tests.support.LiveStack
    processes: list  # gateway.supervisor.ManagedProcess, one per replica
    urls: list[str]
    log_dir: Path

    def log_tail(self) -> str:
        return "\n".join(
            f"--- replica {i}:\n" + (self.log_dir / f"rasa-{i}.log").read_text(errors="replace")[-2000:]
            for i in range(len(self.urls))
        )


def _text(reply: dict) -> str:
    return "\n".join(m.get("text") or "" for m in reply["messages"])


def _serves_model(url: str, token: str) -> bool:
    try:
        return bool(httpx.get(f"{url}/status", params={"token": token}, timeout=3).json().get("model_file"))
    except (httpx.HTTPError, ValueError):
        return False


@pytest.fixture(scope="module")
def served_model(request: pytest.FixtureRequest) -> Path:
    """The model on disk when there is one (never retrained from here), else the suite's trained model."""
    from gateway.settings import PROJECT_ROOT

    model = PROJECT_ROOT / "models" / "citizenbot.tar.gz"
    return model if model.exists() else Path(request.getfixturevalue("trained_model"))


@pytest.fixture(scope="module")
def replicas(
    served_model: Path, postgres_url: str, redis_url: str, redis_prefix: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Replicas]:
    import uvicorn

    from gateway.app import create_app
    from gateway.supervisor import ManagedProcess, rasa_command, rasa_environment
    from tests.support import LiveStack, ThreadedServer

    tmp = tmp_path_factory.mktemp("replicas")
    prefix = re.sub(r"[^A-Za-z0-9]", "", redis_prefix)
    settings = make_settings(tmp, prebuilt_catalogue=True)
    urls = [f"http://127.0.0.1:{free_port()}" for _ in range(2)]
    settings.rasa = RasaSettings.model_validate(
        {
            **settings.rasa.model_dump(),
            "url": urls[0],
            "model_path": served_model,
            "urls": urls,
            "tracker_store_url": postgres_url,
            "lock_store_url": f"{redis_url}/1",
            "redis_key_prefix": prefix,
            "run_dir": tmp / "rasa-run",
        }
    )
    env = rasa_environment(settings)
    processes = [
        ManagedProcess(f"rasa-{i}", rasa_command(settings, url), env, tmp / f"rasa-{i}.log").start()
        for i, url in enumerate(urls)
    ]
    app = create_app(settings)
    server = ThreadedServer(
        uvicorn.Config(app, host="127.0.0.1", port=settings.gateway.port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    stack = LiveStack(settings, f"http://127.0.0.1:{settings.gateway.port}", app.state, processes[0])
    found = Replicas(settings, stack, processes, urls, tmp)
    token = settings.rasa.auth_token.get_secret_value() if settings.rasa.auth_token else ""
    try:
        began = time.monotonic()
        ready = wait_until(
            lambda: (
                all(p.running for p in processes)
                and all(_serves_model(url, token) for url in urls)
                and httpx.get(f"{stack.base_url}/health", timeout=5).status_code == 200
            ),
            timeout=RASA_STARTUP_SECONDS,
        )
        if not ready:
            pytest.fail(f"two replicas not ready in {RASA_STARTUP_SECONDS} s:\n{found.log_tail()}")
        print(f"two Rasa replicas and the gateway ready in {time.monotonic() - began:.0f} s")
        yield found
    finally:
        for process in processes:
            process.stop()
        server.should_exit = True
        thread.join(15)
        delete_redis_keys(redis_url, prefix, databases=(0, 1))


def test_a_conversation_alternating_between_replicas_keeps_its_context(replicas: Replicas):
    """Each turn sent to the other replica on purpose: the slot set on one is read by the other."""
    from conversation.rasa_client import RasaClient

    token = replicas.settings.rasa.auth_token
    secret = token.get_secret_value() if token else None
    sender = f"web:alternate-{uuid.uuid4().hex[:8]}"
    turns = ["How do I renew my passport?", "how long does it take?", "and how much does it cost?"]

    async def alternate() -> list[str]:
        clients = [RasaClient(url, 60, auth_token=secret) for url in replicas.urls]
        try:
            texts = []
            for i, text in enumerate(turns):
                messages = await clients[i % 2].send(sender, text, {"channel": "web", "detected_language": "en"})
                texts.append("\n".join(str(m.get("text") or "") for m in messages))
            return texts
        finally:
            for client in clients:
                await client.aclose()

    first, second, third = asyncio.run(alternate())
    assert "passport" in (first + second).lower(), (first, second)
    # Answered on replica 0 for the passport asked about on replica 1's predecessor turn: the slot
    # came from the shared tracker store, not "which service?".
    assert "Fees:" in third and "passport" in third.lower(), third


def test_health_reports_both_replicas_up(replicas: Replicas):
    body = httpx.get(f"{replicas.stack.base_url}/health", timeout=10).json()
    assert body["rasa"]["replicas"] == {"up": 2, "total": 2, "states": ["up", "up"]}


def test_killing_one_replica_during_a_burst_of_turns_loses_no_turn(replicas: Replicas):
    """Eight conversations of three turns each through the gateway; replica 0 is killed with -9 once a
    few turns are done. Every turn is answered by Rasa (status ok, not the catalogue-only fallback),
    and each conversation's last turn still knows its service."""
    stack = replicas.stack
    done = threading.Event()
    finished: list[float] = []
    slowest: list[float] = []
    questions = ["How do I renew my passport?", "how long does it take?"]

    def conversation(n: int) -> list[dict]:
        name = f"burst-{n}-{uuid.uuid4().hex[:6]}"
        replies = []
        for text in [*questions, "and how much does it cost?"]:
            began = time.monotonic()
            replies.append(stack.chat(name, text))
            finished.append(time.monotonic())
            slowest.append(finished[-1] - began)
            if len(finished) >= 6:
                done.set()
        return replies

    victim = replicas.processes[0]
    assert victim.process is not None
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(conversation, n) for n in range(8)]
        assert done.wait(120), "the burst did not start"
        os.killpg(victim.process.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        results = [future.result(timeout=300) for future in futures]
    victim.process.wait(10)
    after_kill = sum(1 for at in finished if at > killed_at)
    statuses = [reply["status"] for replies in results for reply in replies]
    print(
        f"{len(statuses)} turns, {after_kill} answered after the kill, slowest {max(slowest):.1f} s; "
        f"statuses: {set(statuses)}"
    )
    assert statuses == ["ok"] * 24, f"{statuses}\n{replicas.log_tail()}"
    assert after_kill > 0
    for replies in results:
        last = _text(replies[-1])
        assert "Fees:" in last and "passport" in last.lower(), last
    health = httpx.get(f"{stack.base_url}/health", timeout=10).json()
    assert health["status"] == "ok"  # one replica still serves
    assert health["rasa"]["replicas"]["states"] == ["down", "up"]


def test_conversation_context_survives_a_restart_of_every_replica(
    replicas: Replicas, postgres_url: str, redis_url: str, redis_prefix: str
):
    """The PostgreSQL tracker store and the Redis lock store, through real `rasa run` processes: Rasa
    waits for a lock held in Redis, the conversation is in PostgreSQL, and after every replica is
    killed with -9 and one is started again, the follow-up is answered for the service asked about.
    Last in the module: it takes the replicas down (one comes back)."""
    import redis as redis_client
    import sqlalchemy

    from conversation.rasa_client import RasaClient

    stack = replicas.stack
    prefix = re.sub(r"[^A-Za-z0-9]", "", redis_prefix)
    token = replicas.settings.rasa.auth_token.get_secret_value() if replicas.settings.rasa.auth_token else ""
    locks = redis_client.Redis.from_url(f"{redis_url}/1")
    engine = sqlalchemy.create_engine(postgres_url)

    def stored_events(sender: str) -> int:
        with engine.connect() as connection:
            query = sqlalchemy.text("SELECT count(*) FROM events WHERE sender_id = :sender")
            return int(connection.execute(query, {"sender": sender}).scalar_one())

    def rasa_ready() -> bool:
        try:
            return bool(httpx.get(f"{stack.base_url}/health", timeout=5).json()["rasa"]["ready"])
        except (httpx.HTTPError, ValueError, KeyError):
            return False

    try:
        conversation = f"stores-{uuid.uuid4().hex[:8]}"
        first = stack.chat(conversation, "How do I renew my passport?")
        assert "passport-renewal" in [m["card"]["service_id"] for m in first["messages"] if m["type"] == "card"]
        sender = stack.rasa_sender(conversation)

        # Rasa takes turns through the Redis lock: while another holder's ticket is unexpired, it waits.
        lock_key = f"{prefix}:lock:{sender}"
        held = {"conversation_id": sender, "tickets": [json.dumps({"number": 5, "expires": time.time() + 1.5})]}
        locks.set(lock_key, json.dumps(held))
        started = time.monotonic()
        waited = _text(stack.chat(conversation, "how long does it take?"))
        assert time.monotonic() - started >= 1.0, "Rasa did not wait for the lock held in Redis"
        assert "passport" in waited.lower(), waited
        assert wait_until(lambda: not locks.exists(lock_key), timeout=5), "Rasa left its lock behind"

        stored = stored_events(sender)
        assert stored > 0, "the conversation is not in PostgreSQL"

        for process in replicas.processes:
            if process.running and process.process is not None:
                os.killpg(process.process.pid, signal.SIGKILL)
                process.process.wait(10)
        assert wait_until(lambda: not rasa_ready(), timeout=30)
        killed_at = time.monotonic()
        comeback = replicas.processes[0].start()
        back = wait_until(
            lambda: comeback.running and _serves_model(replicas.urls[0], token) and rasa_ready(),
            timeout=RASA_STARTUP_SECONDS,
        )
        assert back, f"Rasa did not come back after kill -9\n{replicas.log_tail()}"
        print(f"Rasa serving again {time.monotonic() - killed_at:.0f} s after every replica was killed")

        follow_up = stack.chat(conversation, "and how much does it cost?")
        assert follow_up["status"] == "ok", follow_up
        cost = _text(follow_up)
        # Answered for the passport, not "which service?": the slot came back from PostgreSQL.
        assert "Fees:" in cost and "passport" in cost.lower(), cost

        # Erasure (gateway/privacy.py) empties the tracker, and deletes the rows from PostgreSQL.
        async def erase() -> list:
            client = RasaClient(replicas.urls[0], 30, auth_token=token or None)
            try:
                await client.erase_tracker(sender)
                return (await client.tracker(sender)).get("events") or []
            finally:
                await client.aclose()

        left = asyncio.run(erase())
        assert not [e for e in left if e["event"] in ("user", "bot")], left
        # What is left is at most the fresh session Rasa started on reading the empty tracker.
        assert stored_events(sender) <= len(left) < stored
    finally:
        engine.dispose()
        locks.close()
