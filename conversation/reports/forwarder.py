"""The optional forwarder: new reports to Traffy Fondue's exchange API, off by default.

``POST {forwarder_url}/new-issue/v1`` with ``Authorization: Bearer <forwarder_token>`` and a JSON body
of the fields Traffy Fondue's exchange API documents for ``new-issue`` (read in its public Action APIs
page; to verify against the contract an agency signs, see docs/reports.md): ``description`` (masked as
stored), ``latitude``, ``longitude``, ``category_name_th`` (the Thai type name, which is Traffy's own),
``address``, ``client_ticket_id`` (our ticket, so their status webhook can name it) and the photo as
``photo_base64`` (they also take URLs, but our photos are never public). Their answer's
``results.ticket_id`` is kept as the report's ``external_id``, and the report becomes ``forwarded``
with the actor ``external:traffy`` (the citizen gets the usual notice).

What is sent: reports still ``received``, the first of their case (a duplicate joined a case Traffy
already has), with a location (``new-issue`` requires one). Never lost: a report is claimed for one
try at a time with a conditional UPDATE (replicas safe), and a failed try (Traffy down, a refusal, an
answer without a ticket id) only sets when the next try may come, doubling the pause up to a cap.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import logging
from typing import Any

import httpx

from conversation.reports.photos import PhotoStore
from conversation.reports.settings import ReportsSettings
from conversation.reports.store import Report, ReportsStore, ReportStateError

__all__ = ["ACTOR", "ForwardError", "TraffyForwarder", "new_issue_payload"]

logger = logging.getLogger(__name__)

ACTOR = "external:traffy"
_FIRST_RETRY_SECONDS = 60.0
_MAX_RETRY_SECONDS = 6 * 3600.0


class ForwardError(RuntimeError):
    """Traffy Fondue did not take the report (unreachable, refused, or an answer we cannot read)."""


def new_issue_payload(report: Report, photo: bytes | None) -> dict[str, Any]:
    """The ``new-issue`` body for one report (field names: Traffy's exchange API, to verify)."""
    payload: dict[str, Any] = {
        "description": report.description,
        "latitude": report.latitude,
        "longitude": report.longitude,
        "category_name_th": report.type,
        "client_ticket_id": report.ticket,
    }
    if report.address:
        payload["address"] = report.address
    if photo:
        payload["photo_base64"] = [base64.b64encode(photo).decode("ascii")]
    return payload


def retry_delay(attempts: int) -> float:
    """Seconds before the next try after ``attempts`` failures: 1 min, 2, 4 ... up to 6 h."""
    return float(min(_MAX_RETRY_SECONDS, _FIRST_RETRY_SECONDS * 2 ** max(0, attempts - 1)))


class TraffyForwarder:
    """Sends due reports to Traffy Fondue every ``interval_seconds`` while ``forwarder_enabled``."""

    def __init__(
        self,
        store: ReportsStore,
        photos: PhotoStore | None,
        settings: ReportsSettings,
        client: httpx.AsyncClient | None = None,
        interval_seconds: float = 30.0,
    ) -> None:
        self.store = store
        self.photos = photos
        self.settings = settings
        self.interval_seconds = interval_seconds
        self._client = client or httpx.AsyncClient(timeout=settings.forwarder_timeout_seconds)

    @property
    def enabled(self) -> bool:
        return self.settings.forwarder_enabled and bool(self.settings.forwarder_url.strip())

    async def aclose(self) -> None:
        await self._client.aclose()

    async def run_once(self, now: dt.datetime | None = None) -> int:
        """Try every due report once; returns how many Traffy took. Nothing at all while off."""
        if not self.enabled:
            return 0
        lease = self.settings.forwarder_timeout_seconds * 2 + 30  # longer than one try can take
        due: list[Report] = await asyncio.to_thread(self.store.claim_for_forwarding, lease, 20, now)
        taken = 0
        for report in due:
            try:
                external_id = await self.send(report)
            except ForwardError as error:
                await self._failed(report, str(error), now)
                continue
            await asyncio.to_thread(self._forwarded, report, external_id)
            taken += 1
        return taken

    async def send(self, report: Report) -> str:
        """POST one report; Traffy's ticket id, or :class:`ForwardError`."""
        url = self.settings.forwarder_url.rstrip("/") + "/new-issue/v1"
        token = self.settings.forwarder_token.get_secret_value()
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body = new_issue_payload(report, await asyncio.to_thread(self._photo, report))
        try:
            answer = await self._client.post(url, json=body, headers=headers)
        except httpx.HTTPError as error:
            raise ForwardError(f"Traffy Fondue not reached: {type(error).__name__}") from error
        if answer.status_code >= 300:
            raise ForwardError(f"Traffy Fondue answered HTTP {answer.status_code}: {answer.text[:200]}")
        try:
            data = answer.json()
        except ValueError as error:
            raise ForwardError("Traffy Fondue's answer is not JSON") from error
        results = data.get("results") if isinstance(data, dict) else None
        ticket = results.get("ticket_id") if isinstance(results, dict) else None
        if not isinstance(ticket, str) or not ticket.strip() or data.get("status") not in (None, "success"):
            raise ForwardError(f"Traffy Fondue did not give a ticket id: {str(data)[:200]}")
        return ticket.strip()[:120]

    def _photo(self, report: Report) -> bytes | None:
        if not report.photo_ref or self.photos is None:
            return None
        try:
            return self.photos.read(report.photo_ref)[0]
        except FileNotFoundError:
            logger.warning("report %s: its photo is gone; forwarded without it", report.ticket)
            return None

    def _forwarded(self, report: Report, external_id: str) -> None:
        try:
            self.store.change_status(report.id, "forwarded", ACTOR, external_id=external_id)
        except ReportStateError:  # an officer moved it on meanwhile: keep their status, and Traffy's id
            self.store.set_external_id(report.id, external_id)
        logger.info("report %s forwarded to Traffy Fondue as %s", report.ticket, external_id)

    async def _failed(self, report: Report, why: str, now: dt.datetime | None) -> None:
        tries, retry_at = await asyncio.to_thread(self.store.forward_failed, report.id, retry_delay, now)
        logger.warning("report %s not forwarded (try %d): %s; next try at %s", report.ticket, tries, why, retry_at)

    async def run_forever(self) -> None:
        """Until cancelled; a failed round (database away) is logged and the next one comes anyway."""
        while True:
            try:
                await self.run_once()
            except Exception:
                logger.exception("the Traffy Fondue forwarding round failed")
            await asyncio.sleep(self.interval_seconds)
