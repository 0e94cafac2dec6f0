"""Real loopback servers that stand in for a Rasa that is down, silent or broken.

Nothing of ours is replaced: ``RasaClient`` talks HTTP over real sockets to a port
where nothing listens, to a server that accepts and never answers, or to a tiny
HTTP server that answers what the test sets and records what it received.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["FakeRasa", "Received", "Reply", "fake_rasa_server", "silent_server"]


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"[]"
    content_type: str = "application/json"

    @classmethod
    def json(cls, value: Any, status: int = 200) -> Reply:
        return cls(status, json.dumps(value, ensure_ascii=False).encode())


@dataclass
class Received:
    method: str
    path: str
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class FakeRasa:
    """What the loopback HTTP server answers per path, and every request it received."""

    url: str
    replies: dict[str, Reply] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    server: _RecordingServer

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        fake = self.server.fake
        fake.received.append(Received(self.command, self.path, body))
        reply = fake.replies.get(self.path, Reply(404, b'{"detail": "not found"}'))
        self.send_response(reply.status)
        self.send_header("content-type", reply.content_type)
        self.send_header("content-length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def do_GET(self) -> None:  # the names http.server dispatches to
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass


class _RecordingServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = FakeRasa(f"http://127.0.0.1:{self.server_address[1]}")


@contextmanager
def fake_rasa_server() -> Iterator[FakeRasa]:
    server = _RecordingServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield server.fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextmanager
def silent_server() -> Iterator[str]:
    """A TCP server that accepts connections and never sends a byte (a hung Rasa)."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            accepted.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        for connection in accepted:
            connection.close()
        listener.close()
