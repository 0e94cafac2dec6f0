"""Report notices to a LINE citizen (conversation/reports/notices.py): pushed, one text each, five at most.

There is no reply token for a notice (it follows an officer's change, not the citizen's message), so
it is a push. Its ``X-Line-Retry-Key`` is made from the notices' ids: a replica that pushed, then died
before marking them delivered, makes the same key when another replica pushes them again, and LINE
drops the repeat (it answers 409, which the messenger counts as pushed).
"""

from __future__ import annotations

import uuid

from channels.line.delivery import LineMessenger, PushOnce, line_target
from channels.line.render import text_message
from conversation.reports.notices import MAX_BATCH, DeliveryResult

__all__ = ["LineReportDelivery"]

_KEYS = uuid.UUID("4d0c6f5e-2b1a-4c59-9f0e-7a3b2c1d0e18")  # the namespace of report notices' retry keys


class LineReportDelivery:
    def __init__(self, messenger: LineMessenger) -> None:
        self.messenger = messenger

    async def deliver(self, sender_id: str, texts: list[str], key: str) -> DeliveryResult:
        to = line_target(sender_id)
        if not to:
            return "undeliverable"
        if not texts:
            return "delivered"
        messages = [text_message(said) for said in texts[:MAX_BATCH]]
        outcome = await self.messenger.send(to, None, list(messages), PushOnce(_KEYS, key))
        return "delivered" if outcome == "pushed" else "retry"
