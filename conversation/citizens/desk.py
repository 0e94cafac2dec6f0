"""The citizens desk: the commands and questions about what a citizen asked the bot to keep.

Asked by :func:`conversation.turn.run_turn` after the hand-off and report desks, before Rasa. It
answers a command of one of its handlers (``/my_profile``, ``/journey_step ...``, ``/link_account``
...), a phrase a handler recognises ("ลบข้อมูลของฉัน", "บริการของฉัน", "my services"), or the answer to
the question a handler asked last in this conversation (:mod:`conversation.citizens.prompts`).
Anything else goes to Rasa. Each handler is one module with one job (profile and consent, journey
progress, reminders, the dashboard and account linking); the desk only routes.

Why before Rasa and not as Rasa intents: these are commands with exact meaning (consent, erasure,
a code), where a classifier's guess would be wrong in the worst way; the free-text ways in are short
fixed phrases a handler matches exactly after folding (:func:`fold`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from conversation.citizens.identity import CitizenIdentity
from conversation.citizens.prompts import Prompt, PromptBook
from nlu.language import Lang

__all__ = ["CitizenAnswer", "CitizenDesk", "CitizenHandler", "CitizenTurn", "fold"]

logger = logging.getLogger(__name__)

_SPACES = re.compile(r"\s+")
_ENDINGS = re.compile(r"(ครับ|ค่ะ|คะ|คับ|จ้า|จ้ะ|นะ|หน่อย|ด้วย|[\s.!?,])+$")


def fold(said: str) -> str:
    """A phrase as handlers compare it: lower case, one space, no polite ending or final punctuation."""
    folded = _SPACES.sub(" ", said.strip().lower())
    return _ENDINGS.sub("", folded).strip()


@dataclass(frozen=True)
class CitizenTurn:
    """One message as a handler sees it."""

    sender: str  # the conversation id (line:U..., a web sender id)
    citizen_id: str  # the citizen it belongs to: the sender itself unless linked to another conversation
    channel: str  # line | web
    language: Lang  # the reply language (the citizen's explicit choice, else the message's own)
    text: str  # as typed, zero-width characters removed; never logged
    explicit_language: bool = False
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def command(self) -> str:
        """The first word when the message is a command ("/journey_step"), else ""."""
        head = self.text.split(maxsplit=1)[0] if self.text.strip() else ""
        return head if head.startswith("/") else ""

    @property
    def arguments(self) -> str:
        """What follows the command ("having-a-baby birth-registration done")."""
        parts = self.text.split(maxsplit=1)
        return parts[1].strip() if self.command and len(parts) > 1 else ""


@dataclass(frozen=True)
class CitizenAnswer:
    language: Lang
    messages: list[dict[str, Any]]


class CitizenHandler(Protocol):
    """One job of the desk. Every method returns None when the message is not for this handler."""

    name: str  # the prefix of its prompts ("profile" for "profile.birth_year")
    commands: Sequence[str]  # the commands it answers ("/my_profile", "/delete_my_data" ...)

    def phrase(self, folded: str) -> str | None:
        """The command a free-text phrase stands for ("ลบข้อมูลของฉัน" -> "/delete_my_data"), or None."""
        ...

    async def handle(self, turn: CitizenTurn) -> CitizenAnswer | None:
        """Answer ``turn`` whose ``command`` is one of ``commands``."""
        ...

    async def answer(self, turn: CitizenTurn, prompt: Prompt) -> CitizenAnswer | None:
        """Read ``turn`` as the answer to ``prompt`` (this handler asked it); None lets the bot answer
        instead (the citizen asked something else), and the prompt is then closed."""
        ...


class CitizenDesk:
    """Routes a turn to the handler whose command, phrase or open question it is."""

    def __init__(
        self,
        identity: CitizenIdentity,
        prompts: PromptBook,
        handlers: Sequence[CitizenHandler],
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.identity = identity
        self.prompts = prompts
        self.handlers = list(handlers)
        self._now = now
        self._by_command: dict[str, CitizenHandler] = {}
        for handler in self.handlers:
            for command in handler.commands:
                if command in self._by_command:
                    raise ValueError(f"two citizen handlers answer {command}")
                self._by_command[command] = handler
        self._by_name = {handler.name: handler for handler in self.handlers}

    async def intercept(
        self, sender: str, typed: str, language: Lang, channel: str = "web", explicit: bool = False
    ) -> CitizenAnswer | None:
        """The desk's answer, or None for the bot to answer."""
        said = typed.strip()
        if not said:
            return None
        now = self._now()
        citizen_id = await _db(self.identity.citizen_of, sender)
        turn = CitizenTurn(sender, citizen_id, channel, language, said, explicit, now)
        handler = self._by_command.get(turn.command)
        if handler is None and not turn.command:
            folded = fold(said)
            for candidate in self.handlers:
                command = candidate.phrase(folded)
                if command is not None:
                    handler = candidate
                    turn = CitizenTurn(sender, citizen_id, channel, language, command, explicit, now)
                    break
        if handler is not None:
            return await handler.handle(turn)
        if turn.command:
            return None  # another desk's or Rasa's command (/report_problem, a quick reply payload)
        prompt = await _db(self.prompts.open, sender, now=now)
        if prompt is None:
            return None
        owner = self._by_name.get(prompt.handler)
        answer = await owner.answer(turn, prompt) if owner is not None else None
        if answer is None:
            await _db(self.prompts.close, sender)
        return answer


async def _db(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """A store call off the event loop (SQLite and PostgreSQL calls block)."""
    return await asyncio.to_thread(function, *args, **kwargs)


Db = Callable[..., Awaitable[Any]]
