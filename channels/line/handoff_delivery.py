"""An officer's words and the desk's notices to a LINE citizen (conversation/handoff/desk.py).

By the reply token of the citizen's last message while the officer held the conversation when the
desk still finds it fresh (``handoff.reply_token_seconds``; free, no push quota), else by push.
"""

from __future__ import annotations

from actions.api.conversation_store import HandoffRecord
from channels.line.delivery import LineMessenger, line_target
from channels.line.render import text_message

__all__ = ["LineHandoffDelivery"]


class LineHandoffDelivery:
    def __init__(self, messenger: LineMessenger) -> None:
        self.messenger = messenger

    async def deliver(self, record: HandoffRecord, texts: list[str], reply_token: str | None) -> None:
        # The conversation id is "line:<user, group or room id>" (channels/line/events.py Chat).
        to = line_target(record.sender_id)
        if not to or not texts:
            return
        await self.messenger.send(to, reply_token, [text_message(said) for said in texts[:5]])
