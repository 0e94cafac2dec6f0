"""Report notices to a LINE citizen (conversation/reports/notices.py): pushed, one text each, five at most.

There is no reply token for a notice (it follows an officer's change, not the citizen's message), so
it is a push. Its ``X-Line-Retry-Key`` is made from the notices' ids: a replica that pushed, then died
before marking them delivered, makes the same key when another replica pushes them again, and LINE
drops the repeat (it answers 409, which the messenger counts as pushed).
"""

from __future__ import annotations

import uuid

from channels.line.delivery import LineMessenger
from channels.line.queue import Stage
from channels.line.render import text_message
from conversation.reports.notices import MAX_BATCH, DeliveryResult

__all__ = ["LineReportDelivery"]

_KEYS = uuid.UUID("4d0c6f5e-2b1a-4c59-9f0e-7a3b2c1d0e18")  # the namespace of report notices' retry keys


class _PushOnce:
    """The messenger's delivery guard for a push that has a stable retry key and no queue behind it."""

    def __init__(self, key: str) -> None:
        self._key = str(uuid.uuid5(_KEYS, key))

    @property
    def retry_key(self) -> str:
        return self._key

    @property
    def previous_stage(self) -> Stage | None:
        return None

    async def mark(self, stage: Stage) -> bool:
        return True

    def record(self, outcome: str) -> None:
        return None


class LineReportDelivery:
    def __init__(self, messenger: LineMessenger) -> None:
        self.messenger = messenger

    async def deliver(self, sender_id: str, texts: list[str], key: str) -> DeliveryResult:
        # The conversation id is "line:<user, group or room id>" (channels/line/events.py Chat).
        to = sender_id.removeprefix("line:") if sender_id.startswith("line:") else ""
        if not to:
            return "undeliverable"
        if not texts:
            return "delivered"
        messages = [text_message(said) for said in texts[:MAX_BATCH]]
        outcome = await self.messenger.send(to, None, list(messages), _PushOnce(key))
        return "delivered" if outcome == "pushed" else "retry"
