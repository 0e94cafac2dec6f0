"""A loopback stand-in for Traffy Fondue's exchange API (``new-issue``), over real HTTP on 127.0.0.1.

It records every request, answers ``{"status": "success", "results": {"ticket_id": ...}}`` like the
documented API, checks the bearer token, and can be told to be down (503) for a while."""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class TraffyStub:
    token: str
    requests: list[tuple[str, dict[str, str], Any]] = field(default_factory=list)
    down: bool = False

    def __post_init__(self) -> None:
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> TraffyStub:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                body = json.loads(raw) if raw else None
                stub.requests.append((self.path, dict(self.headers), body))
                if stub.down:
                    status, answer = 503, {"status": "fail", "message": "maintenance"}
                elif self.headers.get("Authorization") != f"Bearer {stub.token}":
                    status, answer = 401, {"status": "fail", "message": "invalid token"}
                elif self.path != "/exchange-api/new-issue/v1":
                    status, answer = 404, {"status": "fail"}
                else:
                    status = 200
                    answer = {"status": "success", "results": {"ticket_id": f"2026-TF{next(stub._ids):04d}"}}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="traffy-stub", daemon=True).start()
        return self

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/exchange-api"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
