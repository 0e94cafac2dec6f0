"""The hand-off desk: officers take a citizen's request, answer, forward, hand back or close it.

While a request is ``taken`` the gateway holds the conversation: :meth:`HandoffDesk.intercept`
(called by :func:`conversation.turn.run_turn` before Rasa) stores the citizen's message for the
officer and the turn ends with status ``with_officer`` and no reply. Rasa is paused too (its tracker
events API), so its slots, the service being talked about among them, are still there when the
officer hands back and Rasa resumes. While ``waiting`` the bot keeps answering and the citizen's
messages are copied to the request so the officer reads them.

What the citizen is told when something happens on the officer's side (joined, forwarded, bot is
back, closed, nobody free yet) is a ``system`` message in the citizen's language: the web widget polls
for it (channels/web/handoff_api.py), and a channel with a :class:`CitizenDelivery` (LINE) gets it
pushed. Replies to the citizen's own commands (``/handoff_cancel``, ``/handoff_contact``) are the
turn's reply instead, so the widget does not show them twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from actions.api.conversation_store import HandoffRecord
from conversation.handoff.settings import HandoffSettings
from conversation.handoff.store import (
    OUTCOMES,
    HandoffMessage,
    HandoffStateError,
    HandoffStore,
)
from conversation.handoff.working_hours import WorkingHours
from knowledge.database import as_utc
from nlu.pii import find_pii
from texts import Lang, text

__all__ = [
    "CANCEL_COMMAND",
    "CONTACT_COMMAND",
    "CitizenDelivery",
    "HandoffDesk",
    "Intercepted",
    "TrackerEvents",
    "WidgetState",
]

logger = logging.getLogger(__name__)

CANCEL_COMMAND = "/handoff_cancel"
CONTACT_COMMAND = "/handoff_contact"


class TrackerEvents(Protocol):
    """Rasa's tracker events API (:meth:`conversation.rasa_client.RasaClient.append_event`)."""

    async def append_event(self, sender: str, event: dict[str, Any]) -> None: ...


class CitizenDelivery(Protocol):
    """Sends the officer's words and the desk's notices to a channel that cannot poll (LINE)."""

    async def deliver(self, record: HandoffRecord, texts: list[str], reply_token: str | None) -> None: ...


@dataclass(frozen=True)
class Intercepted:
    """The desk answered the turn itself: ``messages`` (rendered like the bot's) in ``language``;
    ``with_officer`` when the message went to the officer and the bot stays silent."""

    language: Lang
    messages: list[dict[str, Any]]
    with_officer: bool = False


@dataclass(frozen=True)
class WidgetState:
    state: Literal["none", "waiting", "with_officer", "released", "closed", "cancelled"]
    officer: str | None
    typing: bool
    messages: list[HandoffMessage] = field(default_factory=list)


def _lang(record: HandoffRecord) -> Lang:
    return "en" if record.language == "en" else "th"


def _say(lang: Lang, key: str, **values: object) -> dict[str, Any]:
    return {"type": "text", "text": text(f"handoff.{key}", lang, **values)}


def _contact_in(typed: str) -> str | None:
    """The first phone number or e-mail address in what the citizen typed."""
    found = [match for match in find_pii(typed) if match.kind in ("phone", "email")]
    return found[0].text if found else None


class HandoffDesk:
    def __init__(
        self,
        store: HandoffStore,
        settings: HandoffSettings | None = None,
        rasa: TrackerEvents | None = None,
        deliveries: Mapping[str, CitizenDelivery] | None = None,
    ) -> None:
        self.store = store
        self.settings = settings or HandoffSettings()
        self.hours = WorkingHours(self.settings)
        self.rasa = rasa
        self.deliveries: dict[str, CitizenDelivery] = dict(deliveries or {})

    async def _db(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        return await asyncio.to_thread(function, *args, **kwargs)

    # --- the officer's side -----------------------------------------------------------------

    async def take(self, handoff_id: int, agent: str, display_name: str) -> HandoffRecord:
        before = await self._db(self.store.get, handoff_id)
        record: HandoffRecord = await self._db(self.store.take, handoff_id, agent, display_name)
        if before.status == "waiting":
            await self._rasa_event(record, "pause")
            await self._notify(record, "officer_joined", name=display_name)
        return record

    async def reply(self, handoff_id: int, agent: str, said: str) -> HandoffMessage:
        record: HandoffRecord = await self._db(self.store.get, handoff_id)
        if record.status != "taken" or record.assigned_to != agent:
            raise HandoffStateError(record, "only the officer holding it can reply")
        message: HandoffMessage = await self._db(self.store.add_message, record, "agent", said, agent)
        await self._db(self.store.mark_seen, handoff_id, message.id)  # the officer has read what came before
        await self._deliver(record, [message.text], use_reply_token=True)
        return message

    async def typing(self, handoff_id: int, agent: str) -> None:
        await self._db(self.store.set_typing, handoff_id, agent, self.settings.typing_seconds)

    async def forward(self, handoff_id: int, agent: str, to: str, display_name: str) -> HandoffRecord:
        record: HandoffRecord = await self._db(self.store.forward, handoff_id, agent, to, display_name)
        await self._notify(record, "forwarded", name=display_name)
        return record

    async def release(self, handoff_id: int, agent: str) -> HandoffRecord:
        record: HandoffRecord = await self._db(self.store.finish, handoff_id, agent, "released", ("taken",))
        await self._rasa_event(record, "resume")
        await self._notify(record, "bot_back")
        return record

    async def close(self, handoff_id: int, agent: str, outcome: str) -> HandoffRecord:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}; known: {', '.join(OUTCOMES)}")
        before: HandoffRecord = await self._db(self.store.get, handoff_id)
        record: HandoffRecord = await self._db(
            self.store.finish, handoff_id, agent, "closed", ("waiting", "taken"), outcome
        )
        if before.status == "taken":
            await self._rasa_event(record, "resume")
        await self._notify(record, "closed")
        return record

    def read(self, record: HandoffRecord, agent: str) -> list[HandoffMessage]:
        """The request's messages; the holder's reading marks them read (the list's unread count)."""
        messages = self.store.messages(record.id)
        if messages and record.status == "taken" and record.assigned_to == agent:
            self.store.mark_seen(record.id, messages[-1].id)
        return messages

    # --- the citizen's side -----------------------------------------------------------------

    async def cancel(self, sender: str) -> HandoffRecord | None:
        """The citizen's cancel (widget button, ``/handoff_cancel``); None when nothing was open."""
        record: HandoffRecord | None = await self._db(self.store.open_for, sender)
        if record is None:
            return None
        try:
            cancelled: HandoffRecord = await self._db(
                self.store.finish, record.id, None, "cancelled", ("waiting", "taken")
            )
        except HandoffStateError:  # closed by the officer a moment before
            return None
        if record.status == "taken":
            await self._rasa_event(cancelled, "resume")
        return cancelled

    async def intercept(
        self, sender: str, typed: str, language: Lang, reply_token: str | None = None
    ) -> Intercepted | None:
        """Before a turn goes to Rasa: the desk's commands, a contact being left, a held conversation.

        None: the bot answers (no request, or one still waiting, whose copy of the message is kept)."""
        said = typed.strip()
        record: HandoffRecord | None = await self._db(self.store.open_for, sender)
        lang = _lang(record) if record is not None else language
        if said == CANCEL_COMMAND:
            cancelled = await self.cancel(sender)
            return Intercepted(lang, [_say(lang, "cancelled" if cancelled else "nothing_to_cancel")])
        if said == CONTACT_COMMAND:
            if record is None:
                return Intercepted(lang, [_say(lang, "no_request")])
            await self._db(self.store.ask_contact, record.id)
            return Intercepted(lang, [_say(lang, "contact_ask")])
        if record is None:
            return None
        if record.contact_asked_at is not None:
            contact = _contact_in(said)
            if contact is not None:
                await self._db(self.store.save_contact, record.id, contact)
                return Intercepted(lang, [_say(lang, "contact_saved")], with_officer=record.status == "taken")
            if any(ch.isdigit() for ch in said) or "@" in said:  # a contact typed wrong
                return Intercepted(lang, [_say(lang, "contact_not_found")])
        await self._db(self.store.add_message, record, "citizen", said)
        if record.status != "taken":
            return None
        if reply_token:
            await self._db(self.store.keep_reply_token, record.id, reply_token)
        return Intercepted(lang, [], with_officer=True)

    def widget_state(self, sender: str, after: int = 0) -> WidgetState:
        record = self.store.latest_for(sender)
        if record is None:
            return WidgetState("none", None, False)
        taken = record.status == "taken"
        typing = bool(taken and record.typing_until and as_utc(record.typing_until) > self.store.now())
        state = "with_officer" if taken else record.status
        messages = self.store.messages_of_sender(sender, after)
        return WidgetState(state, record.assigned_name if taken else None, typing, messages)  # type: ignore[arg-type]

    # --- nobody free ------------------------------------------------------------------------

    async def sweep(self) -> int:
        """Tell citizens whose request waited past the pick-up time-out (in working hours) that
        nobody is free yet, once each; how many were told."""
        now = self.store.now()
        if not self.hours.is_open(now):
            return 0  # out of hours the citizen was told when the desk opens
        cutoff = now - dt.timedelta(minutes=self.settings.pickup_timeout_minutes)
        told = 0
        for record in await self._db(self.store.due_for_timeout, cutoff):
            if await self._db(self.store.mark_timeout_notified, record.id):
                minutes = round(self.settings.pickup_timeout_minutes)
                await self._notify(record, "timeout", minutes=minutes)
                told += 1
        return told

    # --- figures ----------------------------------------------------------------------------

    def figures(self, days: int) -> dict[str, Any]:
        """Over the last ``days``: time to pick-up, requests per officer, outcomes, counts."""
        return self.figures_of(self.store.between(self.store.now() - dt.timedelta(days=days)))

    @staticmethod
    def figures_of(records: list[HandoffRecord]) -> dict[str, Any]:
        waits = sorted(
            (as_utc(r.taken_at) - as_utc(r.created_at)).total_seconds() for r in records if r.taken_at is not None
        )
        per_agent: dict[str, int] = {}
        outcomes: dict[str, int] = {}
        for record in records:
            if record.assigned_to and record.taken_at is not None:
                per_agent[record.assigned_to] = per_agent.get(record.assigned_to, 0) + 1
            if record.outcome:
                outcomes[record.outcome] = outcomes.get(record.outcome, 0) + 1
        return {
            "waiting_seconds": {"median": _percentile(waits, 0.5), "p90": _percentile(waits, 0.9)},
            "per_agent": per_agent,
            "outcomes": outcomes,
            "requests": len(records),
            "taken": len(waits),
        }

    # --- helpers ----------------------------------------------------------------------------

    async def _rasa_event(self, record: HandoffRecord, event: str) -> None:
        """Pause or resume Rasa; a Rasa that is down costs nothing here (the desk holds the turns)."""
        if self.rasa is None:
            return
        try:
            await self.rasa.append_event(record.sender_id, {"event": event})
        except Exception:
            logger.warning("could not %s Rasa for hand-off request %s", event, record.id, exc_info=True)

    async def _notify(self, record: HandoffRecord, key: str, **values: object) -> HandoffMessage:
        said = text(f"handoff.{key}", _lang(record), **values)
        message: HandoffMessage = await self._db(self.store.add_message, record, "system", said)
        await self._deliver(record, [message.text], use_reply_token=False)
        return message

    async def _deliver(self, record: HandoffRecord, texts: list[str], *, use_reply_token: bool) -> None:
        delivery = self.deliveries.get(record.channel)
        if delivery is None:
            return  # the web widget polls for them
        token = None
        if use_reply_token:
            token = await self._db(self.store.take_reply_token, record.id, self.settings.reply_token_seconds)
        try:
            await delivery.deliver(record, texts, token)
        except Exception:
            logger.exception("could not deliver to the citizen of hand-off request %s", record.id)


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 1)
    return round(statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1], 1)
