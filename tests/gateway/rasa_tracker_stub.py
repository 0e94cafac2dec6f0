"""A loopback HTTP server that keeps trackers the way Rasa 3.6's HTTP API shows them.

Real sockets, real HTTP: the gateway's ``RasaClient`` talks to it as to ``rasa run --enable-api
--auth-token``. It answers the REST channel (each message appends a ``user`` and a ``bot``
event), ``GET /conversations/{id}/tracker`` (an unknown id gets a fresh tracker, stored, as
Rasa's ``create_tracker`` does) and ``PUT /conversations/{id}/tracker/events`` (replaces the
events, as the in-memory tracker store does; ``append_only`` behaves like the SQL tracker store,
which keeps what it has). Calls without the token get 401, as Rasa's ``requires_auth`` answers.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["TrackerRasa", "tracker_rasa"]

_NEW_TRACKER = [
    {"event": "action", "name": "action_session_start"},
    {"event": "session_started"},
    {"event": "action", "name": "action_listen"},
]


@dataclass
class TrackerRasa:
    url: str
    token: str
    trackers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    append_only: bool = False  # like Rasa's SQL tracker store: PUT adds nothing and removes nothing
    down: bool = False  # every call answers 500
    calls: list[str] = field(default_factory=list)

    def said(self, conversation_id: str) -> list[str]:
        """The texts of the user and bot events Rasa holds for the conversation."""
        events = self.trackers.get(conversation_id, [])
        return [str(e.get("text")) for e in events if e.get("event") in ("user", "bot")]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _reply(self, status: int, body: Any) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        rasa = self.server.rasa
        length = int(self.headers.get("content-length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        url = urlsplit(self.path)
        rasa.calls.append(f"{self.command} {url.path}")
        if rasa.down:
            return self._reply(500, {"status": "failure"})
        if parse_qs(url.query).get("token") != [rasa.token]:
            return self._reply(401, {"status": "failure", "reason": "NotAuthenticated"})
        if self.command == "POST" and url.path == "/webhooks/rest/webhook":
            events = rasa.trackers.setdefault(body["sender"], list(_NEW_TRACKER))
            now = time.time()
            events.append({"event": "user", "text": body["message"], "timestamp": now, "metadata": body["metadata"]})
            answer = f"you said: {body['message']}"
            events.append({"event": "bot", "text": answer, "timestamp": now})
            return self._reply(200, [{"recipient_id": body["sender"], "text": answer}])
        path = url.path  # not unquoted: Rasa's router (sanic 21.12) does not unquote path parameters
        if path.startswith("/conversations/") and path.endswith("/tracker") and self.command == "GET":
            conversation_id = path.removeprefix("/conversations/").removesuffix("/tracker")
            events = rasa.trackers.setdefault(conversation_id, list(_NEW_TRACKER))
            return self._reply(200, {"sender_id": conversation_id, "events": events})
        if path.startswith("/conversations/") and path.endswith("/tracker/events") and self.command == "PUT":
            conversation_id = path.removeprefix("/conversations/").removesuffix("/tracker/events")
            if not rasa.append_only:
                rasa.trackers[conversation_id] = list(body)
            return self._reply(200, {"sender_id": conversation_id, "events": rasa.trackers.get(conversation_id, [])})
        return self._reply(404, {"status": "failure"})

    def do_GET(self) -> None:  # the names http.server dispatches to
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, token: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.rasa = TrackerRasa(f"http://127.0.0.1:{self.server_address[1]}", token)


@contextmanager
def tracker_rasa(token: str) -> Iterator[TrackerRasa]:
    server = _Server(token)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield server.rasa
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
