"""Report notices out to the citizens: every few seconds, pending notices go to their channel.

A status change queues a notice row (conversation/reports/store.py); a channel that can push (LINE)
gets them from :class:`NoticeDispatcher`, grouped per citizen, at most five to a message batch. The
web widget cannot be pushed to: it polls for its own (channels/web/report_notices_api.py).

Delivery is at least once, and never twice when the channel accepts: a replica first claims each
notice with a conditional UPDATE (``ReportsStore.claim_notices``: two replicas never hold one), hands
it to the channel, and marks it delivered only after the channel accepted it. A refused or failed
send keeps the notice; its claim runs out after ``lease_seconds`` and the next round tries again.
Only a replica that dies between the channel's acceptance and the mark can send one twice, and LINE
drops that repeat by the push's retry key (the same notices give the same key).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Literal, Protocol

from conversation.reports.store import Notice, ReportsStore

__all__ = ["MAX_BATCH", "DeliveryResult", "NoticeDelivery", "NoticeDispatcher"]

logger = logging.getLogger(__name__)

MAX_BATCH = 5  # LINE takes at most five messages in one push
DeliveryResult = Literal["delivered", "retry", "undeliverable"]


class NoticeDelivery(Protocol):
    """A channel that pushes: ``delivered`` once it accepted the texts, ``retry`` when it did not
    (down, refused for now), ``undeliverable`` when it never will (no such chat on this channel)."""

    async def deliver(self, sender_id: str, texts: list[str], key: str) -> DeliveryResult:
        """``key`` is the same for the same notices, so a channel can drop a repeat (LINE's retry key)."""
        ...


def _batches(notices: list[Notice]) -> list[list[Notice]]:
    """Per citizen in the order the notices were made, at most :data:`MAX_BATCH` each."""
    per_sender: dict[str, list[Notice]] = {}
    for notice in notices:
        per_sender.setdefault(notice.sender_id, []).append(notice)
    return [group[i : i + MAX_BATCH] for group in per_sender.values() for i in range(0, len(group), MAX_BATCH)]


class NoticeDispatcher:
    """Hands pending notices to the channels' deliveries; one per gateway process, several replicas safe.

    ``deliveries`` is read on every round, so a channel that starts later (LINE in its own lifespan)
    is picked up once it is there."""

    def __init__(
        self,
        store: ReportsStore,
        deliveries: Callable[[], Mapping[str, NoticeDelivery]],
        interval_seconds: float = 5.0,
        lease_seconds: float = 120.0,
        batch_limit: int = 100,
    ) -> None:
        self.store = store
        self.deliveries = deliveries
        self.interval_seconds = interval_seconds
        self.lease_seconds = lease_seconds  # also the pause before a failed notice is tried again
        self.batch_limit = batch_limit

    async def run_once(self) -> int:
        """One round over every channel with a delivery; returns how many notices were delivered."""
        delivered = 0
        for channel, delivery in dict(self.deliveries()).items():
            claimed = await asyncio.to_thread(self.store.claim_notices, channel, self.lease_seconds, self.batch_limit)
            for batch in _batches(claimed):
                delivered += await self._deliver(channel, delivery, batch)
        return delivered

    async def _deliver(self, channel: str, delivery: NoticeDelivery, batch: list[Notice]) -> int:
        key = f"report-notices:{channel}:" + ",".join(str(notice.id) for notice in batch)
        try:
            result = await delivery.deliver(batch[0].sender_id, [notice.text for notice in batch], key)
        except Exception:
            logger.exception("report notices to a %s citizen failed; tried again later", channel)
            return 0
        if result == "retry":
            logger.info("%d report notice(s) to a %s citizen not accepted; tried again later", len(batch), channel)
            return 0
        if result == "undeliverable":
            logger.warning("%d report notice(s) cannot reach their %s chat; dropped", len(batch), channel)
        marked: int = await asyncio.to_thread(self.store.mark_delivered, [notice.id for notice in batch])
        return marked if result == "delivered" else 0

    async def run_forever(self) -> None:
        """Until cancelled; a failed round (database away) is logged and the next one comes anyway."""
        while True:
            try:
                await self.run_once()
            except Exception:
                logger.exception("the report notice round failed")
            await asyncio.sleep(self.interval_seconds)
