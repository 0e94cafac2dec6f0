"""Body limits while the body streams in: a real uvicorn on loopback, spoken to over a raw socket
so the test controls exactly how much of the body is ever sent."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from gateway.app import create_app
from http_api.body_limit import BodyLimitMiddleware, limit_for
from tests.support import TEST_SECRETS, ThreadedServer, free_port, make_settings, wait_until

LIMIT = 10_000
_read: dict[str, int] = {}  # bytes each route saw, by path


def _app() -> FastAPI:
    app = FastAPI()

    @app.post("/echo")
    async def echo(request: Request) -> JSONResponse:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            _read["/echo"] = size
        return JSONResponse({"bytes": size})

    @app.post("/swallow")
    async def swallow(request: Request) -> JSONResponse:
        try:  # a route that turns any read failure into its own answer
            await request.body()
        except Exception:
            return JSONResponse({"error": "cannot read"}, status_code=400)
        return JSONResponse({"ok": True})

    app.add_middleware(BodyLimitMiddleware, limits={"/echo": LIMIT, "/swallow": LIMIT}, default_bytes=100)
    return app


@pytest.fixture(scope="module")
def server() -> Iterator[int]:
    port = free_port()
    uvicorn_server = ThreadedServer(
        __import__("uvicorn").Config(_app(), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=uvicorn_server.run, daemon=True)
    thread.start()
    assert wait_until(lambda: uvicorn_server.started, 10)
    yield port
    uvicorn_server.should_exit = True
    thread.join(10)


def _response(sock: socket.socket, timeout: float = 5.0) -> tuple[int, dict[str, str], bytes]:
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), headers, body


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def _start_chunked(port: int, path: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n".encode()
        + b"Transfer-Encoding: chunked\r\n\r\n"
    )
    return sock


def test_a_chunked_body_over_the_limit_is_refused_without_the_rest_being_read(server):
    _read.pop("/echo", None)
    sock = _start_chunked(server, "/echo")
    try:
        sent = 0
        while sent <= LIMIT:  # a little past the limit; the body announced no end and never gets one
            sock.sendall(_chunk(b"x" * 1000))
            sent += 1000
        started = time.monotonic()
        status, headers, body = _response(sock)  # a server waiting for the whole body would time out here
        elapsed = time.monotonic() - started
    finally:
        sock.close()
    assert status == 413
    assert json.loads(body) == {
        "error": {"code": "too_large", "message": f"The request body is larger than {LIMIT} bytes."}
    }
    assert headers.get("connection") == "close"
    assert elapsed < 2
    assert _read.get("/echo", 0) <= LIMIT  # the route saw at most the allowed part


def test_a_chunked_body_within_the_limit_reaches_the_route(server):
    sock = _start_chunked(server, "/echo")
    try:
        for _ in range(5):
            sock.sendall(_chunk(b"y" * 2000))
        sock.sendall(b"0\r\n\r\n")
        status, _, body = _response(sock)
    finally:
        sock.close()
    assert status == 200 and json.loads(body) == {"bytes": LIMIT}  # exactly the limit is allowed


def test_a_declared_length_over_the_limit_is_refused_before_any_body_is_sent(server):
    _read.pop("/echo", None)
    with socket.create_connection(("127.0.0.1", server)) as sock:
        sock.sendall(f"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: {50 * 1024 * 1024}\r\n\r\n".encode())
        status, _, body = _response(sock)
    assert status == 413 and json.loads(body)["error"]["code"] == "too_large"
    assert "/echo" not in _read  # the route never ran


def test_a_route_that_swallows_the_refusal_still_answers_413(server):
    sock = _start_chunked(server, "/swallow")
    try:
        sock.sendall(_chunk(b"z" * (LIMIT + 1)))
        status, _, body = _response(sock)
    finally:
        sock.close()
    assert status == 413 and json.loads(body)["error"]["code"] == "too_large"


def test_paths_without_their_own_limit_get_the_default(server):
    with socket.create_connection(("127.0.0.1", server)) as sock:
        sock.sendall(b"POST /elsewhere HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n" + b"a" * 101)
        status, _, _ = _response(sock)
    assert status == 413


def test_the_longest_prefix_wins_and_prefixes_match_whole_segments():
    limits = {"/api/admin": 10, "/api/admin/import": 1000, "/api/chat": 5}
    assert limit_for("/api/admin/services/x", limits, 1) == 10
    assert limit_for("/api/admin/import", limits, 1) == 1000
    assert limit_for("/api/administrators", limits, 1) == 1
    assert limit_for("/api/chat", limits, 1) == 5


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("limits"))
    settings.store.seed_on_empty = False
    with TestClient(create_app(settings)) as client:
        yield client, settings


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("POST", "/api/chat", {}),
        ("POST", "/webhook/actions", {"X-Action-Token": TEST_SECRETS["action"]}),
        ("POST", "/line/webhook", {}),
        ("POST", "/api/admin/services", {"Authorization": f"Bearer {TEST_SECRETS['editor']}"}),
        ("PUT", "/api/admin/services/x", {"Authorization": f"Bearer {TEST_SECRETS['editor']}"}),
        ("POST", "/api/admin/import", {"Authorization": f"Bearer {TEST_SECRETS['editor']}"}),
    ],
)
def test_every_route_with_a_body_refuses_one_over_its_limit(gateway, method, path, headers):
    client, settings = gateway
    limit = limit_for(path, settings.body_limits.paths, settings.body_limits.default_bytes)
    response = client.request(method, path, content=b"{" + b" " * limit + b"}", headers=headers)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
