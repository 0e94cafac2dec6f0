"""The loop that takes LINE events from the durable queue, has them answered and acknowledges them.

One worker per gateway process, a few chats at a time (``queue.concurrency``); the queue hands
out only the oldest unfinished event of each chat, so a chat's events are answered in order. The
worker renews its leases while turns run; if the process dies, they run out and whoever looks
next (this gateway after its restart, or another replica) takes the events over. The webhook
pokes the worker when it stores events; otherwise it looks every ``poll_seconds`` (for expired
leases and events another replica stored). Acknowledged events are pruned now and then.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from channels.line.delivery import DeliveryGuard
from channels.line.queue import EventQueue, Job, Stage
from channels.line.settings import LineQueueSettings

__all__ = ["QueueWorker", "QueuedDelivery"]

logger = logging.getLogger(__name__)

_PRUNE_EVERY_SECONDS = 600.0
Handle = Callable[[dict[str, Any], DeliveryGuard], Awaitable[None]]


class QueuedDelivery:
    """The delivery marks of one claimed event, written to the queue before each send."""

    def __init__(self, queue: EventQueue, job: Job, owner: str) -> None:
        self._queue, self._job, self._owner = queue, job, owner
        self.outcome: str | None = None  # what the messenger reported, recorded on acknowledgement

    @property
    def retry_key(self) -> str:
        return self._job.retry_key

    @property
    def previous_stage(self) -> Stage | None:
        return self._job.previous_stage

    async def mark(self, stage: Stage) -> bool:
        return await asyncio.to_thread(self._queue.mark, self._job, self._owner, stage)

    def record(self, outcome: str) -> None:
        self.outcome = outcome


class QueueWorker:
    """Claims, handles (through ``handle``) and acknowledges queued events until closed."""

    def __init__(
        self, queue: EventQueue, handle: Handle, settings: LineQueueSettings, clock: Callable[[], float] = time.time
    ) -> None:
        self.queue = queue
        self._handle = handle
        self.settings = settings
        self._clock = clock
        self.owner = f"{socket.gethostname()[:30]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._wake = asyncio.Event()
        self._inflight: set[asyncio.Task[None]] = set()
        self._loop_task: asyncio.Task[None] | None = None
        self._stopping = False
        self._last_renew = 0.0
        self._last_prune = 0.0

    def start(self) -> None:
        self._loop_task = asyncio.create_task(self._run(), name="line-queue-worker")

    def poke(self) -> None:
        """New events were stored: look now instead of at the next poll."""
        self._wake.set()

    @property
    def busy(self) -> int:
        """Events this process is handling right now."""
        return len(self._inflight)

    async def aclose(self, grace_seconds: float) -> None:
        """Stop claiming; let in-flight events finish for a moment, then cancel them and hand their
        leases back (their delivery marks stay, so whoever takes them over sends at most once)."""
        self._stopping = True
        self._wake.set()
        if self._loop_task is not None:
            await self._loop_task
        if self._inflight:
            _done, pending = await asyncio.wait(set(self._inflight), timeout=grace_seconds)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)
                logger.warning("stopped %d LINE events at shutdown; they are answered after the restart", len(pending))
        try:
            await asyncio.to_thread(self.queue.release, self.owner)
        except Exception:
            logger.warning("could not hand back the LINE event leases; they run out on their own", exc_info=True)

    # --- the loop ----------------------------------------------------------------------

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await self._housekeeping()
                free = self.settings.concurrency - len(self._inflight)
                jobs = (
                    await asyncio.to_thread(self.queue.claim, self.owner, free, self.settings.lease_seconds)
                    if free > 0
                    else []
                )
            except Exception:
                logger.exception("the LINE event queue could not be read; trying again")
                jobs = []
            for job in jobs:
                task = asyncio.create_task(self._process(job), name=f"line-event-{job.seq}")
                self._inflight.add(task)
                task.add_done_callback(self._finished)
            if jobs and len(self._inflight) < self.settings.concurrency:
                continue  # more may be waiting (other chats, or the next event of a chat just done)
            with contextlib.suppress(TimeoutError):  # a poll: nothing woke us
                await asyncio.wait_for(self._wake.wait(), timeout=self.settings.poll_seconds)
            self._wake.clear()

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._inflight.discard(task)
        self._wake.set()  # the chat's next event can go now

    async def _housekeeping(self) -> None:
        now = self._clock()
        if self._inflight and now - self._last_renew >= self.settings.lease_seconds / 3:
            self._last_renew = now
            await asyncio.to_thread(self.queue.renew, self.owner, self.settings.lease_seconds)
        if now - self._last_prune >= _PRUNE_EVERY_SECONDS:
            self._last_prune = now
            try:
                await asyncio.to_thread(self.queue.prune)
            except Exception:  # housekeeping; a failure must not stop the answers
                logger.warning("could not prune answered LINE events", exc_info=True)

    async def _process(self, job: Job) -> None:
        delivery = QueuedDelivery(self.queue, job, self.owner)
        age = self._clock() - job.received_at
        if age > self.settings.max_age_seconds:
            logger.warning("LINE event %s is %.0f s old; dropped unanswered", job.event_id, age)
            outcome = "expired"
        elif job.attempts > self.settings.max_attempts:
            logger.error("LINE event %s was tried %d times; given up", job.event_id, job.attempts - 1)
            outcome = "gave_up"
        else:
            if job.attempts > 1:
                logger.info("LINE event %s: attempt %d (an earlier worker stopped)", job.event_id, job.attempts)
            try:
                await self._handle(job.raw, delivery)
                outcome = delivery.outcome or "no_answer"
            except asyncio.CancelledError:
                raise  # shutdown: the lease is handed back, the event is handled after the restart
            except Exception:
                logger.exception("LINE event %s failed", job.event_id)
                outcome = "error"
        try:
            if not await asyncio.to_thread(self.queue.finish, job, self.owner, outcome):
                logger.warning(
                    "LINE event %s was taken over by another worker before it was acknowledged", job.event_id
                )
        except Exception:
            logger.exception("LINE event %s could not be acknowledged; it may be handled again", job.event_id)
