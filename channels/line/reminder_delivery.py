"""Reminders to a LINE citizen (conversation/citizens/scheduler.py): pushed, with a quick reply to the service.

A reminder follows the clock, not the citizen's message, so there is no reply token: it is a push.
Its ``X-Line-Retry-Key`` is made from the reminder's id: a replica that pushed, then died before
marking it sent, makes the same key when another replica pushes it again, and LINE drops the repeat
(it answers 409, which the messenger counts as pushed), as for report notices.
"""

from __future__ import annotations

import uuid
from typing import Any

from channels.line.delivery import LineMessenger
from channels.line.queue import Stage
from channels.line.render import render_messages
from conversation.citizens.scheduler import SendResult
from nlu.language import Lang

__all__ = ["LineReminderDelivery"]

_KEYS = uuid.UUID("9b1f0c3e-6a2d-4e8b-a1c7-3d5e2f4b6a80")  # the namespace of reminders' retry keys


class _PushOnce:
    """The messenger's delivery guard for a push with a stable retry key and no queue behind it."""

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


class LineReminderDelivery:
    def __init__(self, messenger: LineMessenger) -> None:
        self.messenger = messenger

    async def send(self, sender_id: str, messages: list[dict[str, Any]], language: Lang, key: str) -> SendResult:
        # The conversation id is "line:<user, group or room id>" (channels/line/events.py Chat).
        to = sender_id.removeprefix("line:") if sender_id.startswith("line:") else ""
        if not to:
            return "retry"
        rendered = render_messages(messages, language)
        outcome = await self.messenger.send(to, None, list(rendered), _PushOnce(key))
        return "sent" if outcome == "pushed" else "retry"
