"""``POST /line/webhook``: where LINE delivers events for the Official Account.

The signature is checked on the raw body before anything is parsed; a valid
request is acknowledged at once (LINE waits only a few seconds) and its events
are handled in a background task. The LINE SDK is imported when the gateway
starts with LINE configured, never at import time.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Protocol

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from channels.line.settings import LineSettings
from channels.line.signature import signature_is_valid
from conversation.rasa_client import RasaClient
from http_api.deps import app_runtime
from http_api.errors import ApiError
from knowledge.schema import Service

if TYPE_CHECKING:
    from channels.line.dedup import SeenEvents
    from channels.line.events import LineEventHandler

__all__ = ["MAX_BODY_BYTES", "LineBackend", "LineChannel", "missing_settings", "router"]

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_000_000  # a webhook carries a handful of small events
_SHUTDOWN_GRACE_SECONDS = 10.0


class LineBackend(Protocol):
    """What the LINE channel uses of the gateway's runtime."""

    @property
    def line_settings(self) -> LineSettings: ...

    @property
    def rasa(self) -> RasaClient: ...

    @property
    def list_services(self) -> Callable[[], list[Service]]: ...

    @property
    def events_store_url(self) -> str: ...

    @property
    def max_message_chars(self) -> int: ...


def missing_settings(line: LineSettings) -> list[str]:
    """The environment variables LINE still needs; empty when the channel can run."""
    wanted = {
        "CITIZENBOT_LINE__CHANNEL_SECRET": line.channel_secret,
        "CITIZENBOT_LINE__CHANNEL_ACCESS_TOKEN": line.channel_access_token,
    }
    return [name for name, value in wanted.items() if value is None or not value.get_secret_value()]


class LineChannel:
    """The LINE side of one gateway process: the API client, the event handler and the
    background tasks handling events (kept referenced so none is garbage-collected mid-way)."""

    def __init__(self, handler: LineEventHandler, seen: SeenEvents, client: Any) -> None:
        self.handler = handler
        self.seen = seen
        self._client = client
        self._tasks: set[asyncio.Task[None]] = set()

    @classmethod
    async def start(cls, backend: LineBackend) -> LineChannel:
        from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi, Configuration

        from channels.line.dedup import SeenEvents
        from channels.line.delivery import LineMessenger
        from channels.line.events import LineEventHandler

        line = backend.line_settings
        token = line.channel_access_token
        assert token is not None  # checked by the caller
        configuration = Configuration(host=line.api_base_url.rstrip("/"), access_token=token.get_secret_value())
        client = AsyncApiClient(configuration)  # opens an aiohttp session: must run inside the event loop
        seen = await asyncio.to_thread(SeenEvents, backend.events_store_url)
        handler = LineEventHandler(
            messenger=LineMessenger(AsyncMessagingApi(client)),
            rasa=backend.rasa,
            list_services=backend.list_services,
            claim=seen.claim,
            max_text_chars=backend.max_message_chars,
        )
        logger.info("LINE channel ready (API at %s)", line.api_base_url)
        return cls(handler, seen, client)

    def submit(self, events: list[Any]) -> None:
        task = asyncio.create_task(self.handler.handle_events(events), name="line-events")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @property
    def idle(self) -> bool:
        """No events in flight (tests and shutdown wait for this)."""
        return not self._tasks

    async def aclose(self) -> None:
        """Let in-flight answers finish for a moment, then stop; close the HTTP session."""
        if self._tasks:
            _done, pending = await asyncio.wait(set(self._tasks), timeout=_SHUTDOWN_GRACE_SECONDS)
            for task in pending:
                task.cancel()
            if pending:
                logger.warning("stopped %d LINE event tasks at shutdown", len(pending))
                await asyncio.gather(*pending, return_exceptions=True)
        await self._client.close()
        await asyncio.to_thread(self.seen.close)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the channel after the gateway's runtime exists, only when LINE is configured."""
    backend: LineBackend = app.state.runtime
    channel: LineChannel | None = None
    missing = missing_settings(backend.line_settings)
    if missing:
        logger.info("LINE is off: %s not set", ", ".join(missing))
    else:
        channel = await LineChannel.start(backend)
    app.state.line = channel
    try:
        yield
    finally:
        app.state.line = None
        if channel is not None:
            await channel.aclose()


router = APIRouter(tags=["line"], lifespan=_lifespan)


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise ApiError(413, "too_large", f"The request body is larger than {MAX_BODY_BYTES} bytes.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise ApiError(413, "too_large", f"The request body is larger than {MAX_BODY_BYTES} bytes.")
    return bytes(body)


@router.post(
    "/line/webhook",
    summary="Webhook for the LINE Messaging API",
    responses={
        200: {"description": "Signature valid; events accepted and handled in the background"},
        400: {"description": "Missing or invalid X-Line-Signature, or a body that is not a LINE webhook"},
        413: {"description": "Too large"},
        503: {"description": "LINE is not configured on this server"},
    },
)
async def line_webhook(request: Request) -> JSONResponse:
    backend: LineBackend = app_runtime(request)
    line = backend.line_settings
    missing = missing_settings(line)
    if missing:
        raise ApiError(
            503, "line_not_configured", f"LINE is not configured on this server: set {' and '.join(missing)}."
        )
    channel: LineChannel | None = getattr(request.app.state, "line", None)
    if channel is None:
        raise ApiError(503, "line_not_ready", "The LINE channel is still starting; LINE will retry.")
    assert line.channel_secret is not None  # missing_settings checked it

    body = await _read_body(request)
    signature = request.headers.get("x-line-signature")
    if not signature:
        raise ApiError(400, "missing_signature", "The X-Line-Signature header is missing.")
    if not signature_is_valid(line.channel_secret.get_secret_value(), body, signature):
        raise ApiError(400, "invalid_signature", "The X-Line-Signature header does not match the body.")

    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ApiError(400, "malformed_json", "The request body is not valid JSON.") from error
    events = payload.get("events") if isinstance(payload, dict) else None
    if not isinstance(events, list):
        raise ApiError(400, "invalid_request", "A LINE webhook body has an 'events' list.")
    if events:
        channel.submit(events)
    return JSONResponse({"status": "accepted", "events": len(events)})
