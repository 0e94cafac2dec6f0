"""``POST /line/webhook``: where LINE delivers events for the Official Account.

The signature is checked on the raw body before anything is parsed; a valid
request's events are stored in the durable queue (:mod:`channels.line.queue`)
and only then acknowledged (LINE waits only a few seconds); the queue's worker
answers them (:mod:`channels.line.worker`). The LINE SDK is imported when the
gateway starts with LINE configured, never at import time.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Protocol

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from actions.api.id_vault import IdVault
from channels.line.settings import LineSettings
from channels.line.signature import signature_is_valid
from conversation.citizens.desk import CitizenDesk
from conversation.degraded import CatalogueFallback
from conversation.handoff.desk import HandoffDesk
from conversation.picks import TypedPicks
from conversation.rasa_client import RasaClient
from conversation.reports.desk import ReportDesk
from conversation.reports.photos import PhotoStore
from conversation.turn import TurnRecorder, run_turn
from http_api.deps import app_runtime
from http_api.errors import ApiError
from http_api.rate_limits import RateLimiter
from knowledge.schema import Service

if TYPE_CHECKING:
    from channels.line.events import LineEventHandler
    from channels.line.queue import EventQueue
    from channels.line.worker import QueueWorker

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
    def fallback(self) -> CatalogueFallback: ...

    @property
    def rate_limiter(self) -> RateLimiter: ...

    @property
    def max_message_chars(self) -> int: ...

    @property
    def id_vault(self) -> IdVault:
        """Where the turn keeps typed national IDs for the status form (conversation/turn.py)."""
        ...

    @property
    def typed_picks(self) -> TypedPicks | None:
        """What each conversation was just offered, so a typed pick goes to Rasa as its quick reply."""
        ...

    @property
    def unfollow_eraser(self) -> Callable[[str], Awaitable[None]] | None:
        """Erases a conversation when its citizen unfollows; None to keep it."""
        ...

    @property
    def turn_recorder(self) -> TurnRecorder | None:
        """Records each finished turn for the analytics (conversation/turn_recording.py); None: not."""
        ...

    @property
    def handoff_desk(self) -> HandoffDesk | None:
        """The hand-off desk: held conversations' turns stop there; officers' replies go out by LINE."""
        ...

    @property
    def report_desk(self) -> ReportDesk | None:
        """The problem-report conversation (conversation/reports/desk.py)."""
        ...

    @property
    def report_photos(self) -> PhotoStore | None: ...

    @property
    def citizen_desk(self) -> CitizenDesk | None:
        """Consent, profile, journey progress, reminders, My services, account linking (conversation/citizens)."""
        ...


def missing_settings(line: LineSettings) -> list[str]:
    """The environment variables LINE still needs; empty when the channel can run."""
    wanted = {
        "CITIZENBOT_LINE__CHANNEL_SECRET": line.channel_secret,
        "CITIZENBOT_LINE__CHANNEL_ACCESS_TOKEN": line.channel_access_token,
    }
    return [name for name, value in wanted.items() if value is None or not value.get_secret_value()]


class LineChannel:
    """The LINE side of one gateway process: the API client, the event handler, the durable
    queue and the worker that answers what the queue holds."""

    def __init__(
        self, handler: LineEventHandler, queue: EventQueue, worker: QueueWorker, client: Any, data_client: Any = None
    ) -> None:
        self.handler = handler
        self.queue = queue
        self.worker = worker
        self._client = client
        self._data_client = data_client

    @classmethod
    async def start(cls, backend: LineBackend) -> LineChannel:
        from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi, AsyncMessagingApiBlob, Configuration

        from channels.line.delivery import LineMessenger
        from channels.line.events import LineEventHandler
        from channels.line.handoff_delivery import LineHandoffDelivery
        from channels.line.queue import EventQueue
        from channels.line.user_limit import UserLimit
        from channels.line.worker import QueueWorker
        from http_api.rate_limits import Limit

        line = backend.line_settings
        token = line.channel_access_token
        assert token is not None  # checked by the caller
        configuration = Configuration(host=line.api_base_url.rstrip("/"), access_token=token.get_secret_value())
        client = AsyncApiClient(configuration)  # opens an aiohttp session: must run inside the event loop
        # Image content (a report's photo) comes from the data API host, which needs a client of its own.
        data_host = line.data_api_base_url.rstrip("/")
        data_client = AsyncApiClient(Configuration(host=data_host, access_token=token.get_secret_value()))
        retention = line.queue.retention_days * 86400
        queue = await asyncio.to_thread(EventQueue, backend.events_store_url, retention)
        limit = Limit(line.user_limit.count, line.user_limit.seconds)
        messenger = LineMessenger(AsyncMessagingApi(client), line.request_timeout_seconds)
        desk = backend.handoff_desk
        if desk is not None:
            desk.deliveries["line"] = LineHandoffDelivery(messenger)
        handler = LineEventHandler(
            messenger=messenger,
            rasa=backend.rasa,
            list_services=backend.list_services,
            max_text_chars=backend.max_message_chars,
            fallback=backend.fallback,
            user_limit=UserLimit(backend.rate_limiter, limit),
            on_unfollow=backend.unfollow_eraser,
            reports=backend.report_desk,
            photos=backend.report_photos,
            blob=AsyncMessagingApiBlob(data_client),
            turn=functools.partial(
                run_turn,
                vault=backend.id_vault,
                picks=backend.typed_picks,
                recorder=backend.turn_recorder,
                desk=desk,
                reports=backend.report_desk,
                citizens=backend.citizen_desk,
            ),
        )
        worker = QueueWorker(queue, handler.handle_raw, line.queue)
        worker.start()  # events a stopped process left behind are answered now
        logger.info("LINE channel ready (API at %s)", line.api_base_url)
        return cls(handler, queue, worker, client, data_client)

    async def submit(self, events: list[Any]) -> int:
        """Store the events durably (before LINE gets its 200) and wake the worker; returns how many were new."""
        readable = [event for event in events if isinstance(event, dict)]
        if len(readable) < len(events):
            logger.warning("LINE sent %d event(s) that are not objects; ignored", len(events) - len(readable))
        stored = await asyncio.to_thread(self.queue.enqueue, readable)
        self.worker.poke()
        repeats = stored.count(False)
        if repeats:
            logger.info("%d LINE event(s) were already received (redelivery); answered once", repeats)
        return stored.count(True)

    @property
    def idle(self) -> bool:
        """Nothing stored and unanswered, nothing in flight (tests wait for this; it reads the queue)."""
        return self.worker.busy == 0 and self.queue.unfinished() == 0

    async def aclose(self) -> None:
        """Let in-flight answers finish for a moment, hand the rest back to the queue; close the HTTP session."""
        await self.worker.aclose(_SHUTDOWN_GRACE_SECONDS)
        await self._client.close()
        if self._data_client is not None:
            await self._data_client.close()
        await asyncio.to_thread(self.queue.close)


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
        try:
            await channel.submit(events)
        except Exception as error:  # not stored: LINE must not think we have it (it redelivers a 5xx)
            logger.exception("LINE events could not be stored")
            raise ApiError(503, "line_queue_unavailable", "The events could not be stored; LINE will retry.") from error
    return JSONResponse({"status": "accepted", "events": len(events)})
