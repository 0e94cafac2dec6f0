"""Fuzzing the request-body parser: whatever bytes arrive, the answer is the parsed model or one
of the parser's own clear errors (400, 413, 422), never an unexpected exception (a 500)."""

from __future__ import annotations

import asyncio
import json

from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.requests import Request

from http_api.body import parse_json_body
from http_api.errors import ApiError
from knowledge.schema import Service

MAX_BYTES = 4096
CLEAR_ERRORS = {
    400: {"empty_body", "invalid_encoding", "malformed_json"},
    413: {"too_large"},
    422: {"invalid_request"},
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=25,
)
# Bodies shaped like a service (the editor's largest model) with wrong or odd values in its fields.
service_like = st.fixed_dictionaries(
    {"id": st.text(max_size=40), "title": json_values, "agency": json_values},
    optional={"life_events": json_values, "facts": json_values, "steps": json_values, "fees": json_values},
)
bodies = (
    st.binary(max_size=MAX_BYTES * 2)
    | st.text(max_size=MAX_BYTES).map(lambda text: text.encode("utf-8", "surrogatepass"))
    | json_values.map(lambda value: json.dumps(value).encode())
    | service_like.map(lambda value: json.dumps(value, ensure_ascii=False).encode())
)


def request_with(body: bytes) -> Request:
    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": body, "more_body": False}

    scope = {"type": "http", "method": "POST", "path": "/", "headers": [], "query_string": b""}
    return Request(scope, receive)


@settings(max_examples=400, deadline=None, database=None)
@given(bodies)
def test_any_body_is_parsed_or_refused_with_a_clear_error(body: bytes) -> None:
    try:
        service = asyncio.run(parse_json_body(request_with(body), Service, max_bytes=MAX_BYTES))
    except ApiError as error:
        assert error.code in CLEAR_ERRORS.get(error.status_code, set()), (error.status_code, error.code)
        assert error.message
    else:
        assert isinstance(service, Service)
        assert len(body) <= MAX_BYTES
