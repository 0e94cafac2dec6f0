"""A loopback stand-in for LINE's Messaging API, served over real HTTP on 127.0.0.1.

It answers the calls the channel and the rich-menu command make, the way LINE
does (``sentMessages`` for reply and push, 202 for the loading animation,
``richMenuId`` for a new menu), checks the bearer token and LINE's basic
limits, records every request, and can be told to fail a call, e.g. a reply
with 400 "Invalid reply token". Like LINE, it accepts a push with a given
``X-Line-Retry-Key`` once and answers 409 to a repeat, so tests can count
what a citizen would really have received.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    status: int | None = None  # what the stub answered

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class LineStub:
    """One LINE host (api.line.me or api-data.line.me); start() it, then use ``url``."""

    token: str
    requests: list[Recorded] = field(default_factory=list)
    failures: dict[tuple[str, str], tuple[int, dict[str, Any]]] = field(default_factory=dict)
    rich_menus: dict[str, dict[str, Any]] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    images: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    delays: dict[tuple[str, str], float] = field(default_factory=dict)
    # Handle the next matching call, then wait this long before answering (LINE slow to say "done").
    slow_once: dict[tuple[str, str], float] = field(default_factory=dict)
    accepted_retry_keys: set[str] = field(default_factory=set)
    used_reply_tokens: set[str] = field(default_factory=set)  # LINE's reply tokens work once
    default_rich_menu: str | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> LineStub:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                stub._handle(self, "GET")

            def do_POST(self) -> None:
                stub._handle(self, "POST")

            def do_DELETE(self) -> None:
                stub._handle(self, "DELETE")

            def log_message(self, format: str, *args: Any) -> None:  # quiet test output
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="line-stub", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the stub first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.failures.clear()
            self.delays.clear()
            self.slow_once.clear()
            self.accepted_retry_keys.clear()
            self.used_reply_tokens.clear()

    # --- assertions helpers ----------------------------------------------------------

    def received(self, path: str, method: str = "POST") -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.method == method and re.fullmatch(path, r.path)]

    def wait_for(self, path: str, count: int = 1, timeout: float = 15.0, method: str = "POST") -> list[Recorded]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.received(path, method)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"the stub got {len(self.received(path, method))} x {method} {path}, wanted {count}")

    def delivered(self) -> list[Recorded]:
        """Replies and pushes LINE accepted (so the citizen saw them), in order."""
        with self._lock:
            paths = ("/v2/bot/message/reply", "/v2/bot/message/push")
            return [r for r in self.requests if r.path in paths and r.status == 200]

    def delivered_pushes(self) -> int:
        """Pushes LINE would have delivered: accepted ones, not those refused as repeats (409)."""
        with self._lock:
            return sum(1 for r in self.requests if r.path == "/v2/bot/message/push" and r.status == 200)

    def fail(self, method: str, path: str, status: int, message: str) -> None:
        """Answer ``method path`` (a regex) with an error, as LINE does: ``{"message": ...}``."""
        self.failures[(method, path)] = (status, {"message": message})

    # --- serving ---------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        recorded = Recorded(method, handler.path, {k.lower(): v for k, v in handler.headers.items()}, body)
        with self._lock:
            self.requests.append(recorded)
        for (method_, path), seconds in list(self.delays.items()):
            if method_ == method and re.fullmatch(path, recorded.path):
                time.sleep(seconds)  # a slow LINE, to show the webhook does not wait for it
        with self._lock:
            status, payload = self._route(recorded)
            recorded.status = status
        for (method_, path), seconds in list(self.slow_once.items()):
            if method_ == method and re.fullmatch(path, recorded.path):
                del self.slow_once[(method_, path)]
                time.sleep(seconds)
        data = json.dumps(payload).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.send_header("x-line-request-id", f"stub-{next(self._ids)}")
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (a timeout test)
            pass

    def _route(self, request: Recorded) -> tuple[int, Any]:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"message": "Authentication failed. Confirm that the access token is valid."}
        for (method, path), failure in self.failures.items():
            if request.method == method and re.fullmatch(path, request.path):
                return failure
        route = (request.method, request.path)
        match route:
            case ("POST", "/v2/bot/message/reply" | "/v2/bot/message/push"):
                return self._send(request)
            case ("POST", "/v2/bot/chat/loading/start"):
                body = request.json or {}
                if not str(body.get("chatId", "")).startswith("U") or body.get("loadingSeconds", 20) % 5:
                    return 400, {"message": "The request body has 1 error(s)"}
                return 202, {}
            case ("POST", "/v2/bot/richmenu/validate"):
                return 200, {}
            case ("POST", "/v2/bot/richmenu"):
                menu_id = f"richmenu-{next(self._ids):032d}"
                self.rich_menus[menu_id] = request.json
                return 200, {"richMenuId": menu_id}
            case ("GET", "/v2/bot/richmenu/list"):
                return 200, {"richmenus": [{"richMenuId": k, **v} for k, v in self.rich_menus.items()]}
            case ("GET", "/v2/bot/richmenu/alias/list"):
                return 200, {"aliases": [{"richMenuAliasId": k, "richMenuId": v} for k, v in self.aliases.items()]}
            case ("POST", "/v2/bot/richmenu/alias"):
                body = request.json
                if body["richMenuAliasId"] in self.aliases:
                    return 400, {"message": "conflict richmenu alias id"}
                self.aliases[body["richMenuAliasId"]] = body["richMenuId"]
                return 200, {}
        alias = re.fullmatch(r"/v2/bot/richmenu/alias/([\w-]+)", request.path)
        if alias and request.method == "POST" and alias.group(1) in self.aliases:
            self.aliases[alias.group(1)] = request.json["richMenuId"]
            return 200, {}
        content = re.fullmatch(r"/v2/bot/richmenu/([\w-]+)/content", request.path)
        if content and request.method == "POST":
            self.images[content.group(1)] = (request.headers.get("content-type", ""), request.body)
            return 200, {}
        default = re.fullmatch(r"/v2/bot/user/all/richmenu/([\w-]+)", request.path)
        if default and request.method == "POST":
            self.default_rich_menu = default.group(1)
            return 200, {}
        menu = re.fullmatch(r"/v2/bot/richmenu/([\w-]+)", request.path)
        if menu and request.method == "DELETE" and self.rich_menus.pop(menu.group(1), None) is not None:
            return 200, {}
        return 404, {"message": "Not found"}

    def _send(self, request: Recorded) -> tuple[int, Any]:
        body = request.json or {}
        messages = body.get("messages") or []
        if not 1 <= len(messages) <= 5:
            return 400, {"message": "Size must be between 1 and 5", "details": [{"property": "messages"}]}
        if request.path.endswith("/reply") and not body.get("replyToken"):
            return 400, {"message": "The request body has 1 error(s)"}
        if request.path.endswith("/push") and not body.get("to"):
            return 400, {"message": "The request body has 1 error(s)"}
        if request.path.endswith("/reply"):
            if body["replyToken"] in self.used_reply_tokens:
                return 400, {"message": "Invalid reply token"}
            self.used_reply_tokens.add(body["replyToken"])
        retry_key = request.headers.get("x-line-retry-key")
        if request.path.endswith("/push") and retry_key:
            if retry_key in self.accepted_retry_keys:
                return 409, {"message": "The retry key is already accepted"}
            self.accepted_retry_keys.add(retry_key)
        sent = [{"id": f"{461230966842064897 + i}", "quoteToken": f"quote-{i}"} for i in range(len(messages))]
        return 200, {"sentMessages": sent}
