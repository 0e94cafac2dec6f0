"""The reports desk's background jobs in a gateway process: notice delivery and the optional forwarder.

Started by the app's lifespan next to the hand-off sweeper. The LINE channel starts in its own
lifespan, after this one, so the dispatcher looks for it on every round (``app.state.line``) instead
of being handed it once: notices wait in the database until LINE is there. The forwarder runs only
when ``reports.forwarder_enabled`` is on and ``reports.forwarder_url`` is set.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping

from fastapi import FastAPI

from channels.line.report_delivery import LineReportDelivery
from conversation.reports.forwarder import TraffyForwarder
from conversation.reports.notices import NoticeDelivery, NoticeDispatcher
from gateway.runtime import Runtime

__all__ = ["ReportJobs"]

logger = logging.getLogger(__name__)


class ReportJobs:
    """The tasks; :meth:`stop` cancels them and closes the forwarder's HTTP client."""

    def __init__(self, app: FastAPI, runtime: Runtime, notice_interval_seconds: float = 5.0) -> None:
        self._app = app
        self._tasks: list[asyncio.Task[None]] = []
        self._line: LineReportDelivery | None = None
        self.dispatcher: NoticeDispatcher | None = None
        self.forwarder: TraffyForwarder | None = None
        if runtime.reports is None:
            return
        self.dispatcher = NoticeDispatcher(runtime.reports, self._deliveries, notice_interval_seconds)
        wanted = runtime.settings.reports
        if wanted.forwarder_enabled and wanted.forwarder_url.strip():
            self.forwarder = TraffyForwarder(runtime.reports, runtime.report_photos, wanted)
        elif wanted.forwarder_enabled:
            logger.error("the Traffy Fondue forwarder is on but its URL is empty (CITIZENBOT_REPORTS__FORWARDER_URL)")

    def _deliveries(self) -> Mapping[str, NoticeDelivery]:
        channel = getattr(self._app.state, "line", None)
        if channel is None:
            self._line = None
            return {}
        messenger = channel.handler.messenger
        if self._line is None or self._line.messenger is not messenger:
            self._line = LineReportDelivery(messenger)
        return {"line": self._line}

    def start(self) -> None:
        if self.dispatcher is not None:
            self._tasks.append(asyncio.create_task(self.dispatcher.run_forever(), name="report-notices"))
        if self.forwarder is not None:
            self._tasks.append(asyncio.create_task(self.forwarder.run_forever(), name="traffy-forwarder"))
            logger.info("forwarding new reports to Traffy Fondue at %s", self.forwarder.settings.forwarder_url)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self.forwarder is not None:
            await self.forwarder.aclose()
