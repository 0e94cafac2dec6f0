"""The question the citizens desk waits an answer to, per conversation (table ``citizen_prompts``).

Why in the database: the answer may reach another gateway replica, or come after a restart. A prompt
names the handler that asked (``profile.birth_year``: the part before the dot is the handler's
name) and holds only what that handler needs to read the answer, never the answer.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, insert, select

from conversation.citizens.models import citizen_prompts
from knowledge.database import as_utc

__all__ = ["Prompt", "PromptBook"]

_DEFAULT_MINUTES = 15.0


@dataclass(frozen=True)
class Prompt:
    sender: str
    prompt: str  # "<handler>.<question>"
    data: dict[str, Any]
    expires_at: dt.datetime

    @property
    def handler(self) -> str:
        return self.prompt.split(".", 1)[0]


class PromptBook:
    """One open question per conversation; asking again replaces it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def ask(
        self,
        sender: str,
        prompt: str,
        data: dict[str, Any] | None = None,
        *,
        now: dt.datetime,
        minutes: float = _DEFAULT_MINUTES,
    ) -> Prompt:
        expires_at = now + dt.timedelta(minutes=minutes)
        row = {"sender_id": sender, "prompt": prompt, "data": json.dumps(data or {}), "expires_at": expires_at}
        with self.engine.begin() as connection:
            connection.execute(delete(citizen_prompts).where(citizen_prompts.c.sender_id == sender))
            connection.execute(insert(citizen_prompts).values(**row))
        return Prompt(sender, prompt, dict(data or {}), expires_at)

    def open(self, sender: str, *, now: dt.datetime) -> Prompt | None:
        """The conversation's open question, or None (none asked, or it expired: then it is dropped)."""
        with self.engine.connect() as connection:
            row = connection.execute(select(citizen_prompts).where(citizen_prompts.c.sender_id == sender)).first()
        if row is None:
            return None
        expires_at = as_utc(row.expires_at)
        if expires_at <= now:
            self.close(sender)
            return None
        return Prompt(sender, row.prompt, json.loads(row.data or "{}"), expires_at)

    def close(self, sender: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(citizen_prompts).where(citizen_prompts.c.sender_id == sender))

    def close_all(self, senders: list[str]) -> int:
        if not senders:
            return 0
        with self.engine.begin() as connection:
            result = connection.execute(delete(citizen_prompts).where(citizen_prompts.c.sender_id.in_(senders)))
        return int(result.rowcount or 0)
