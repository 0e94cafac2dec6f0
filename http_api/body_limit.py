"""Refusing an oversized request body as it streams in, before a route reads it into memory.

A pure ASGI middleware, so it sees the body chunk by chunk: a ``Content-Length`` over the limit is
answered at once, before the route (or its authentication) runs; a chunked body is counted as it is
read and refused the moment it passes the limit, and the rest is never read. Either way the answer
is a 413 in the project's error envelope. Routes keep their own checks (``http_api.body``) for
their clear errors; this is the floor under every route, the ones that forget included.

Starlette 1.x has a ``max_body_size`` per route too; it answers in plain text, only once the route
starts reading, and would be set route by route in five routers. One table of limits by path,
from settings, is easier to audit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from http_api.errors import ApiError, api_error_handler

__all__ = ["BodyLimitMiddleware", "PageRefusal", "limit_for"]

# A page's own refusal (e.g. the back office's bilingual HTML page for a browser's form); None: the JSON envelope.
PageRefusal = Callable[[Request, int], Response | None]


class _BodyTooLargeError(Exception):
    """Raised from ``receive`` to stop the route reading; not an ``ApiError``, so no handler eats it."""


def limit_for(path: str, limits: Mapping[str, int], default: int) -> int:
    """The limit of the longest prefix in ``limits`` that ``path`` is under ("/api/admin" covers
    "/api/admin/services" but not "/api/administrators")."""
    best, best_length = default, -1
    for prefix, limit in limits.items():
        base = prefix.rstrip("/")
        if (path == base or path.startswith(base + "/")) and len(base) > best_length:
            best, best_length = limit, len(base)
    return best


def _declared_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length", "")
    return int(value) if value.isdigit() else None


class BodyLimitMiddleware:
    def __init__(
        self, app: ASGIApp, limits: Mapping[str, int], default_bytes: int, page_refusal: PageRefusal | None = None
    ) -> None:
        self.app = app
        self.limits = dict(limits)
        self.default_bytes = default_bytes
        self.page_refusal = page_refusal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope["path"], self.limits, self.default_bytes)
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await self._refuse(scope, send, limit, self.page_refusal)  # the route never runs, the body is never read
            return

        received = 0
        too_large = False
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received, too_large
            if too_large:
                raise _BodyTooLargeError
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise _BodyTooLargeError
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if too_large and not response_started:
                return  # the route answered after catching our signal (e.g. "cannot parse"): ours wins
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _BodyTooLargeError:
            if response_started:
                raise
        if too_large and not response_started:
            await self._refuse(scope, send, limit, self.page_refusal)

    @staticmethod
    async def _refuse(scope: Scope, send: Send, limit: int, page_refusal: PageRefusal | None) -> None:
        request = Request(scope)
        response = page_refusal(request, limit) if page_refusal is not None else None
        if response is None:
            error = ApiError(413, "too_large", f"The request body is larger than {limit} bytes.")
            response = await api_error_handler(request, error)
        response.headers["Connection"] = "close"  # the unread rest of the body is not worth waiting for
        await response(scope, _no_body, send)


async def _no_body() -> Message:
    return {"type": "http.disconnect"}
