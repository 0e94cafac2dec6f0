"""Sending the reminders citizens opted into, at their time, from any gateway replica.

Every ``scheduler_interval_seconds`` a round claims the due reminders (:meth:`ReminderBook.claim_due`,
a lease per row) and sends each through the citizen's channel: a citizen with a LINE conversation
(their own, or one linked to them, :meth:`CitizenIdentity.senders_of`) gets a LINE push; a web-only
citizen cannot be pushed to, so the reminder becomes ``ready`` and the widget shows it when it next
asks (channels/web/reminder_notices_api.py). Sent is marked only after LINE accepted the push.

Why it survives restarts: nothing is held in memory. A replica that claimed a reminder and died
before marking it leaves only a lease in the database; once it runs out, the next round of any
replica claims the reminder again and sends it, and LINE drops a repeated push by its retry key (the
same reminder gives the same key). A reminder no longer wanted when it comes due (the step ticked
done, the consent withdrawn) is skipped, not sent. A failed push waits a growing back-off and is
``failed`` after ``reminder_max_attempts`` (conversation/citizens/reminders.py).

The round is an asyncio task in the gateway's lifespan, beside the report notices' dispatcher: the
LINE client lives on the app's event loop (gateway/reminder_jobs.py wires it).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any, Literal, Protocol

from conversation.citizens.identity import CitizenIdentity
from conversation.citizens.reminders import BANGKOK, Reminder, ReminderBook
from conversation.citizens.settings import CitizensSettings
from nlu.language import Lang
from texts import format_date, text

__all__ = [
    "LINE_PREFIX",
    "ReminderScheduler",
    "ReminderSender",
    "SendResult",
    "deadline_last_day",
    "document_name",
    "open_command",
    "reminder_messages",
    "when_text",
]

logger = logging.getLogger(__name__)

# A LINE conversation id is "line:<user, group or room id>" (channels/line/events.py, Chat); the
# conversation core may not import the channel, so the prefix is repeated here.
LINE_PREFIX = "line:"
SendResult = Literal["sent", "retry"]


class ReminderSender(Protocol):
    """A channel that pushes: ``sent`` once it accepted the messages, ``retry`` when it did not."""

    async def send(self, sender_id: str, messages: list[dict[str, Any]], language: Lang, key: str) -> SendResult:
        """``key`` is the same for the same reminder, so the channel can drop a repeat (LINE's retry key)."""
        ...


def _lang(reminder: Reminder) -> Lang:
    return "en" if reminder.language == "en" else "th"


def deadline_last_day(deadline_at: dt.datetime) -> dt.date:
    """The last day a step is on time: a deadline at midnight ends the day before."""
    return (deadline_at - dt.timedelta(microseconds=1)).astimezone(BANGKOK).date()


def when_text(moment: dt.datetime, lang: Lang) -> str:
    """A reminder's time as the citizen reads it, in Bangkok time ("3 ธ.ค. 2569 เวลา 09:00 น.")."""
    local = moment.astimezone(BANGKOK)
    return text("citizens_reminders.at", lang, date=format_date(local.date(), lang), time=local.strftime("%H:%M"))


def document_name(document: str, lang: Lang) -> str:
    return text(f"citizens_reminders.document_{document}", lang)


def reminder_messages(reminder: Reminder) -> list[dict[str, Any]]:
    """What a reminder says (channel-neutral), with a quick reply that opens the service."""
    lang, detail = _lang(reminder), reminder.detail
    if reminder.kind == "journey_deadline":
        service = str(detail.get("service", ""))
        deadline = dt.datetime.fromisoformat(str(detail["deadline_at"]))
        said = text(
            "citizens_reminders.journey_due",
            lang,
            step=detail.get("step") or service,
            journey=detail.get("journey") or reminder.subject,
            deadline=format_date(deadline_last_day(deadline), lang),
        )
        label = str(detail.get("step") or service)
    else:
        service = reminder.subject
        expires = dt.date.fromisoformat(str(detail["expires_on"]))
        label = str(detail.get("service_title") or service)
        said = text(
            "citizens_reminders.expiry_due",
            lang,
            document=document_name(str(detail.get("document", "")), lang),
            date=format_date(expires, lang),
            service=label,
        )
    return [{"type": "quick_replies", "text": said, "options": [{"label": label, "payload": open_command(service)}]}]


def open_command(service_id: str) -> str:
    """What opens a service: the same payload as the catalogue's service quick replies."""
    return "/ask_service" + json.dumps({"service": service_id}, separators=(",", ":"))


class ReminderScheduler:
    """One per gateway process; several replicas on one database are safe (leases, conditional UPDATEs).

    ``senders_by_channel`` is read on every round (a mapping or a function returning one), so the LINE
    channel, which starts after the scheduler, is picked up once it is there; until then a LINE
    citizen's reminder keeps its lease, and is claimed again after it."""

    def __init__(
        self,
        book: ReminderBook,
        senders_by_channel: Mapping[str, ReminderSender] | Callable[[], Mapping[str, ReminderSender]],
        settings: CitizensSettings,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        batch_limit: int = 50,
    ) -> None:
        self.book = book
        self.identity = CitizenIdentity(book.engine)
        self._senders = senders_by_channel
        self.settings = settings
        self._now = now
        self.batch_limit = batch_limit
        self._task: asyncio.Task[None] | None = None

    def senders(self) -> Mapping[str, ReminderSender]:
        return self._senders() if callable(self._senders) else self._senders

    async def run_once(self) -> int:
        """One round: claim what is due and send it; returns how many were sent (or made ready for the web)."""
        now = self._now()
        lease = self.settings.reminder_lease_seconds
        claimed = await asyncio.to_thread(self.book.claim_due, now, lease, self.batch_limit)
        done = 0
        for reminder in claimed:
            try:
                done += await self._send(reminder, now)
            except Exception:
                logger.exception("reminder %d could not be sent; tried again after its lease", reminder.id)
        return done

    async def _send(self, reminder: Reminder, now: dt.datetime) -> int:
        unwanted = await asyncio.to_thread(self.book.still_wanted, reminder)
        if unwanted is not None:
            await asyncio.to_thread(self.book.mark_skipped, reminder.id, unwanted)
            logger.info("reminder %d not sent: %s", reminder.id, unwanted)
            return 0
        chats = await asyncio.to_thread(self.identity.senders_of, reminder.citizen_id)
        line_chat = next((chat for chat in chats if chat.startswith(LINE_PREFIX)), None)
        if line_chat is None:  # a web-only citizen: the widget fetches it when it next asks
            return int(await asyncio.to_thread(self.book.mark_ready, reminder.id))
        sender = self.senders().get("line")
        if sender is None:
            logger.info(
                "reminder %d waits for the LINE channel (not running); tried again after its lease", reminder.id
            )
            return 0
        result = await sender.send(
            line_chat, reminder_messages(reminder), _lang(reminder), f"citizen-reminder:{reminder.id}"
        )
        if result == "sent":
            return int(await asyncio.to_thread(self.book.mark_sent, reminder.id, now=now))
        failed = await asyncio.to_thread(self.book.mark_failed, reminder.id, "LINE did not accept the push", now=now)
        if failed is not None and failed.status == "failed":
            logger.error("reminder %d failed %d times; not tried again", reminder.id, failed.attempts)
        else:
            logger.info("reminder %d: LINE did not accept the push; tried again later", reminder.id)
        return 0

    async def run_forever(self) -> None:
        """Until cancelled; a failed round (database away) is logged and the next one comes anyway."""
        while True:
            try:
                await self.run_once()
            except Exception:
                logger.exception("the reminder round failed")
            await asyncio.sleep(self.settings.scheduler_interval_seconds)

    def start(self) -> None:
        """Run the rounds as a task of the running event loop (the gateway's lifespan)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self.run_forever(), name="citizen-reminders")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
