"""RasaClient over several replicas (conversation/rasa_replicas.py), against loopback servers on real
sockets: a refused or dropped connection moves the turn to another replica, a slow replica's turn is
not repeated, a replica set aside is skipped and comes back once it serves a model. Real Rasa
replicas: tests/conversation/test_rasa_replicas.py."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

import httpx
import pytest

from conversation.rasa_client import RasaClient, RasaUnavailableError
from conversation.rasa_replicas import retry_is_safe
from gateway.settings import RasaSettings
from tests.conversation.loopback import FakeRasa, Reply

T = TypeVar("T")
WEBHOOK = "/webhooks/rest/webhook"
STATUS = {"model_file": "citizenbot.tar.gz"}


def run(urls: list[str], call: Callable[[RasaClient], Awaitable[T]], timeout: float = 5.0, down: float = 5.0) -> T:
    async def go() -> T:
        client = RasaClient(urls, timeout, down_seconds=down)
        try:
            return await call(client)
        finally:
            await client.aclose()

    return asyncio.run(go())


def answering(fake: FakeRasa, text: str) -> FakeRasa:
    fake.replies[WEBHOOK] = Reply.json([{"recipient_id": "c", "text": text}])
    fake.replies["/status"] = Reply.json(STATUS)
    return fake


class _Dropping(BaseHTTPRequestHandler):
    """Reads the request, then closes the connection without a byte of answer (a replica killed
    mid-turn) while ``server.dropping`` is set; answers like a healthy Rasa otherwise."""

    server: _Switchable

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        self.server.requests += 1
        if self.server.dropping:
            self.close_connection = True
            self.connection.close()
            return
        body = b'{"model_file": "m.tar.gz"}' if self.path.startswith("/status") else b'[{"text": "back"}]'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # the names http.server dispatches to
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Switchable(ThreadingHTTPServer):
    daemon_threads = True
    dropping = True
    requests = 0


@contextmanager
def switchable_server() -> Iterator[_Switchable]:
    server = _Switchable(("127.0.0.1", 0), _Dropping)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def url_of(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def second_rasa() -> Iterator[FakeRasa]:
    from tests.conversation.loopback import fake_rasa_server

    with fake_rasa_server() as fake:
        yield fake


def test_turns_are_spread_over_the_replicas(fake_rasa: FakeRasa, second_rasa: FakeRasa):
    answering(fake_rasa, "one"), answering(second_rasa, "two")

    async def four_turns(client: RasaClient) -> list[str]:
        return [(await client.send(f"c{i}", "hi", {}))[0]["text"] for i in range(4)]

    texts = run([fake_rasa.url, second_rasa.url], four_turns)
    assert sorted(texts) == ["one", "one", "two", "two"]


def test_a_refused_connection_moves_the_turn_and_sets_the_replica_aside(closed_port_url: str, fake_rasa: FakeRasa):
    answering(fake_rasa, "served")

    async def turns(client: RasaClient) -> tuple[list[str], list[str]]:
        texts = [(await client.send("c", "hi", {}))[0]["text"] for _ in range(4)]
        return texts, client.replica_states

    texts, states = run([closed_port_url, fake_rasa.url], turns)
    assert texts == ["served"] * 4  # not one turn failed
    assert states == ["down", "up"]
    assert len([r for r in fake_rasa.received if r.path == WEBHOOK]) == 4


def test_a_connection_dropped_mid_turn_is_retried_once_on_another_replica(fake_rasa: FakeRasa):
    answering(fake_rasa, "served")
    with switchable_server() as dying:
        texts = run([url_of(dying), fake_rasa.url], lambda c: _texts(c, 4))
        # Set aside after the first drop: the later turns went straight to the healthy replica.
        assert dying.requests == 1
    assert texts == ["served"] * 4


async def _texts(client: RasaClient, count: int) -> list[str]:
    return [(await client.send(f"c{i}", "hi", {}))[0]["text"] for i in range(count)]


def test_a_slow_replicas_turn_is_not_repeated_elsewhere(silent_rasa: str, fake_rasa: FakeRasa):
    """A timeout after the request was sent: the slow replica may still finish and save the turn,
    so repeating it would answer the message twice. It fails as a timeout; the replica is set aside."""
    answering(fake_rasa, "served")

    async def go(client: RasaClient) -> tuple[bool, list[str]]:
        with pytest.raises(RasaUnavailableError) as raised:
            for _ in range(2):  # the first goes to one replica, the second to the other; one is silent
                await client.send("c", "hi", {})
        return raised.value.timeout, client.replica_states

    timed_out, states = run([silent_rasa, fake_rasa.url], go, timeout=0.5)
    assert timed_out
    assert states[0] == "down"
    assert len([r for r in fake_rasa.received if r.path == WEBHOOK]) <= 1  # never the silent one's turn


def test_reading_a_tracker_is_retried_even_after_a_timeout(silent_rasa: str, fake_rasa: FakeRasa):
    fake_rasa.replies["/conversations/web:c1/tracker?include_events=ALL"] = Reply.json({"events": []})
    trackers = run(
        [silent_rasa, fake_rasa.url], lambda c: asyncio.gather(c.tracker("web:c1"), c.tracker("web:c1")), 0.5
    )
    assert trackers == [{"events": []}, {"events": []}]


def test_an_http_error_is_rasas_answer_and_is_not_retried(fake_rasa: FakeRasa, second_rasa: FakeRasa):
    fake_rasa.replies[WEBHOOK] = Reply(500, b"{}")
    second_rasa.replies[WEBHOOK] = Reply(500, b"{}")

    async def go(client: RasaClient) -> list[str]:
        with pytest.raises(RasaUnavailableError, match="HTTP 500"):
            await client.send("c", "hi", {})
        return client.replica_states

    assert run([fake_rasa.url, second_rasa.url], go) == ["up", "up"]
    assert len(fake_rasa.received) + len(second_rasa.received) == 1


def test_every_replica_down_fails_the_turn_clearly(closed_port_url: str):
    from tests.support import free_port

    other = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(RasaUnavailableError, match="Rasa request failed") as raised:
        run([closed_port_url, other], lambda c: c.send("c", "hi", {}))
    assert not raised.value.timeout


def test_a_replica_set_aside_is_probed_and_comes_back(fake_rasa: FakeRasa):
    answering(fake_rasa, "served")
    with switchable_server() as flaky:

        async def go(client: RasaClient) -> list[str]:
            await client.send("c", "hi", {})  # round-robin starts at the flaky one: dropped, retried
            assert client.replica_states == ["down", "up"]
            flaky.dropping = False  # it restarted and serves its model again
            for _ in range(100):
                if client.replica_states == ["up", "up"]:
                    break
                await asyncio.sleep(0.05)
            return client.replica_states

        assert run([url_of(flaky), fake_rasa.url], go, down=0.2) == ["up", "up"]


def test_status_reports_every_replica(closed_port_url: str, fake_rasa: FakeRasa):
    fake_rasa.replies["/status"] = Reply.json(STATUS)

    async def go(client: RasaClient) -> tuple[dict[str, Any] | None, list[str]]:
        return await client.status(), client.replica_states

    assert run([closed_port_url, fake_rasa.url], go) == (STATUS, ["down", "up"])


@pytest.mark.parametrize(
    ("error", "idempotent", "safe"),
    [
        (httpx.ConnectError("refused"), False, True),
        (httpx.ConnectTimeout("slow connect"), False, True),
        (httpx.RemoteProtocolError("disconnected without a response"), False, True),
        (httpx.ReadError("reset"), False, True),
        (httpx.ReadTimeout("slow"), False, False),
        (httpx.ReadTimeout("slow"), True, True),
    ],
)
def test_which_failures_may_be_retried(error: httpx.HTTPError, idempotent: bool, safe: bool):
    assert retry_is_safe(error, idempotent=idempotent) is safe


def test_settings_list_the_replicas_or_fall_back_to_the_one_url():
    assert RasaSettings().replica_urls() == ["http://127.0.0.1:5005"]
    several = RasaSettings(urls=["http://10.0.0.5:5005/", "http://10.0.0.6:5005"])
    assert several.replica_urls() == ["http://10.0.0.5:5005", "http://10.0.0.6:5005"]
    with pytest.raises(ValueError, match="listed twice"):
        RasaSettings(urls=["http://a:5005", "http://a:5005/"])
    with pytest.raises(ValueError, match="not an http"):
        RasaSettings(urls=["a:5005"])


def test_the_replicas_come_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    from gateway.settings import Settings

    monkeypatch.setenv("CITIZENBOT_RASA__URLS", '["http://127.0.0.1:5005","http://127.0.0.1:5006"]')
    assert Settings().rasa.replica_urls() == ["http://127.0.0.1:5005", "http://127.0.0.1:5006"]


def test_health_lists_each_replica(tmp_path, fake_rasa: FakeRasa, closed_port_url: str):
    from fastapi.testclient import TestClient

    from gateway.app import create_app
    from tests.support import make_settings, wait_until

    fake_rasa.replies["/status?token=" + make_settings(tmp_path).rasa.auth_token.get_secret_value()] = Reply.json(
        STATUS
    )
    settings = make_settings(tmp_path)
    settings.store.seed_on_empty = False
    settings.rasa.urls = [closed_port_url, fake_rasa.url]
    with TestClient(create_app(settings)) as client:
        # No services, but the topics outside the catalogue are indexed: 10-20 s on these 2 cores.
        assert wait_until(lambda: client.get("/health").json()["catalogue"]["ready"], timeout=120)
        body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["rasa"]["replicas"] == {"up": 1, "total": 2, "states": ["down", "up"]}
    assert "127.0.0.1" not in str(body)
