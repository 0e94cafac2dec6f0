"""Every kind of bad body gets its own error code, through a real FastAPI app."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from http_api.body import parse_json_body
from http_api.errors import ApiError, api_error_handler

MAX_BYTES = 64


class Greeting(BaseModel):
    name: str = Field(min_length=1)
    times: int = 1


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    app.add_exception_handler(ApiError, api_error_handler)  # type: ignore[arg-type]

    @app.post("/greet")
    async def greet(request: Request) -> dict[str, object]:
        parsed = await parse_json_body(request, Greeting, max_bytes=MAX_BYTES)
        return {"name": parsed.name, "times": parsed.times}

    return TestClient(app)


def test_a_valid_body_is_parsed(client: TestClient) -> None:
    response = client.post("/greet", content='{"name": "สมชาย", "times": 2}'.encode())
    assert response.status_code == 200
    assert response.json() == {"name": "สมชาย", "times": 2}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"", 400, "empty_body"),
        (b"\xff\xfe{}", 400, "invalid_encoding"),
        ("สวัสดี".encode("tis-620"), 400, "invalid_encoding"),
        (b'{"name": ', 400, "malformed_json"),
        (b"x" * (MAX_BYTES + 1), 413, "too_large"),
        (b'["not", "an", "object"]', 422, "invalid_request"),
    ],
    ids=["empty", "binary", "thai-not-utf8", "truncated-json", "too-large", "wrong-shape"],
)
def test_bad_bodies_get_their_own_error(client: TestClient, body: bytes, status: int, code: str) -> None:
    response = client.post("/greet", content=body)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]


def test_an_invalid_field_is_named(client: TestClient) -> None:
    response = client.post("/greet", content=b'{"name": "", "times": "many"}')
    assert response.status_code == 422
    fields = {item["field"] for item in response.json()["error"]["details"]}
    assert fields == {"name", "times"}


def test_malformed_json_says_where(client: TestClient) -> None:
    response = client.post("/greet", content=b'{"name": "a",}')
    assert "position" in response.json()["error"]["message"]
