"""Reminders to a LINE citizen (conversation/citizens/scheduler.py): pushed, with a quick reply to the service.

A reminder follows the clock, not the citizen's message, so there is no reply token: it is a push.
Its ``X-Line-Retry-Key`` is made from the reminder's id: a replica that pushed, then died before
marking it sent, makes the same key when another replica pushes it again, and LINE drops the repeat
(it answers 409, which the messenger counts as pushed), as for report notices.
"""

from __future__ import annotations

import uuid
from typing import Any

from channels.line.delivery import LineMessenger, PushOnce, line_target
from channels.line.render import render_messages
from conversation.citizens.scheduler import SendResult
from nlu.language import Lang

__all__ = ["LineReminderDelivery"]

_KEYS = uuid.UUID("9b1f0c3e-6a2d-4e8b-a1c7-3d5e2f4b6a80")  # the namespace of reminders' retry keys


class LineReminderDelivery:
    def __init__(self, messenger: LineMessenger) -> None:
        self.messenger = messenger

    async def send(self, sender_id: str, messages: list[dict[str, Any]], language: Lang, key: str) -> SendResult:
        to = line_target(sender_id)
        if not to:
            return "retry"
        rendered = render_messages(messages, language)
        outcome = await self.messenger.send(to, None, list(rendered), PushOnce(_KEYS, key))
        return "sent" if outcome == "pushed" else "retry"
