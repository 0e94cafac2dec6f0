"""The citizens desk's ``reminders`` handler: opting into reminders, listing and cancelling them.

Commands (quick replies send them, each may end with the language it was offered in, since a
command's own words say nothing of the citizen's language):

- ``/remind_journey <journey_id>``: a reminder for every step of the journey that has a deadline, is
  not ticked done and is not past, counted from the event date the citizen gave when they started the
  journey (table ``journey_starts``). Without a date, the answer says so and offers ``/journey_start``.
- ``/remind_expiry [service_id]``: which document (driving licence, ID card, passport: the renewal
  services' ids), then the question "when does it expire?"; the next message is read as the date
  (Buddhist or Christian era, Thai month names, d/m/yyyy, ISO: nlu/thai_dates.py).
- ``/my_reminders``: the reminders waiting, with a cancel quick reply each.
- ``/remind_cancel <n>``: cancel reminder ``n`` (the number its quick reply carries).

Without the ``reminders`` consent the answer is the consent question's quick reply (the profile
handler's ``/citizen_consent reminders``) and nothing is stored, not even the question.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Any

from conversation.citizens.desk import CitizenAnswer, CitizenTurn
from conversation.citizens.prompts import Prompt, PromptBook
from conversation.citizens.reminders import (
    ReminderBook,
    ReminderInPastError,
    deadline_reminder_due,
    event_start,
    expiry_reminder_due,
)
from conversation.citizens.scheduler import deadline_last_day, document_name, open_command, when_text
from conversation.citizens.settings import CitizensSettings
from knowledge.journeys import Journey
from knowledge.schema import Service
from nlu.normalize import thai_digits_to_arabic
from nlu.thai_dates import parse_date
from texts import Lang, format_date, text

__all__ = ["EXPIRING_DOCUMENTS", "EXPIRY_PROMPT", "ReminderHandler", "read_expiry_date"]

_G = "citizens_reminders"
EXPIRY_PROMPT = "reminders.expiry_date"
# The documents whose expiry can be reminded of, by the renewal service a reminder names.
EXPIRING_DOCUMENTS = {
    "driving-licence-renewal": "driving_licence",
    "id-card-renewal": "id_card",
    "passport-renewal": "passport",
}
_LANGS = ("th", "en")
_MAX_LISTED = 10  # cancel buttons: LINE shows 13 quick replies; one is left for "my reminders"

_DOCUMENT_WORDS = {
    "driving-licence-renewal": ("ใบขับขี่", "driving licence", "driving license", "driver's license"),
    "id-card-renewal": ("บัตรประชาชน", "บัตรประจำตัวประชาชน", "id card"),
    "passport-renewal": ("พาสปอร์ต", "หนังสือเดินทาง", "passport"),
}


def _phrases() -> dict[str, str]:
    phrases = {
        "การเตือนของฉัน": "/my_reminders",
        "รายการเตือน": "/my_reminders",
        "my reminders": "/my_reminders",
        "เตือนฉัน": "/remind_expiry",
        "ตั้งเตือน": "/remind_expiry",
        "remind me": "/remind_expiry",
        "set a reminder": "/remind_expiry",
    }
    for service, words in _DOCUMENT_WORDS.items():
        for word in words:
            command = f"/remind_expiry {service}"
            if word.isascii():
                phrases[f"remind me when my {word} expires"] = command
                phrases[f"remind me before my {word} expires"] = command
            else:
                for said in (f"เตือน{word}หมดอายุ", f"เตือนฉันเมื่อ{word}หมดอายุ", f"เตือนก่อน{word}หมดอายุ"):
                    phrases[said] = command
    return phrases


_PHRASES = _phrases()
_DIGIT = re.compile(r"\d")

JourneyLookup = Callable[[str], Journey | None]
ServiceLookup = Callable[[str], Service | None]


def read_expiry_date(said: str) -> dt.date | None:
    """The expiry date a citizen typed: "15 มี.ค. 2570", "๑๕/๓/๒๕๗๐", "15/3/2027", "2027-03-15",
    "March 15, 2027"; None when no date is in it.

    :Example:

        >>> read_expiry_date("หมดอายุ 15 มีนาคม 2570")
        datetime.date(2027, 3, 15)
        >>> read_expiry_date("2027-03-15")
        datetime.date(2027, 3, 15)
    """
    return parse_date(thai_digits_to_arabic(said))


def _say(lang: Lang, key: str, **values: object) -> dict[str, Any]:
    return {"type": "text", "text": text(f"{_G}.{key}", lang, **values)}


def _ask(lang: Lang, said: str, options: list[dict[str, str]]) -> dict[str, Any]:
    return {"type": "quick_replies", "text": said, "options": options}


def _consent_answer(lang: Lang) -> CitizenAnswer:
    option = {"label": text(f"{_G}.button_consent", lang), "payload": "/citizen_consent reminders"}
    return CitizenAnswer(lang, [_ask(lang, text(f"{_G}.consent_needed", lang), [option])])


def _my_reminders_option(lang: Lang) -> dict[str, str]:
    return {"label": text(f"{_G}.button_my_reminders", lang), "payload": f"/my_reminders {lang}"}


class ReminderHandler:
    """Reminders for the citizens desk; the scheduler sends them (conversation/citizens/scheduler.py)."""

    name: str = "reminders"
    commands: Sequence[str] = ("/remind_journey", "/remind_expiry", "/my_reminders", "/remind_cancel")

    def __init__(
        self,
        book: ReminderBook,
        prompts: PromptBook,
        journeys: JourneyLookup,
        services: ServiceLookup,
        settings: CitizensSettings,
    ) -> None:
        self.book = book
        self.prompts = prompts
        self.journeys = journeys
        self.services = services
        self.settings = settings

    def phrase(self, folded: str) -> str | None:
        return _PHRASES.get(folded)

    async def handle(self, turn: CitizenTurn) -> CitizenAnswer | None:
        words = turn.arguments.split()
        lang = turn.language
        if words and words[-1] in _LANGS:
            if not turn.explicit_language:
                lang = "en" if words[-1] == "en" else "th"
            del words[-1]
        if turn.command == "/my_reminders":
            return await self._list(turn, lang)
        if turn.command == "/remind_cancel":
            return await self._cancel(turn, lang, words[0] if words else "")
        if not await asyncio.to_thread(self.book.consents.active, turn.citizen_id, "reminders"):
            return _consent_answer(lang)
        if turn.command == "/remind_journey":
            return await self._journey(turn, lang, words[0] if words else "")
        return await self._expiry(turn, lang, words[0] if words else "")

    async def answer(self, turn: CitizenTurn, prompt: Prompt) -> CitizenAnswer | None:
        if prompt.prompt != EXPIRY_PROMPT:
            return None
        lang = turn.language
        service_id = str(prompt.data.get("service", ""))
        expires = read_expiry_date(turn.text)
        if expires is None:
            if _DIGIT.search(thai_digits_to_arabic(turn.text)):  # meant as a date, not read: ask again
                await asyncio.to_thread(self.prompts.ask, turn.sender, EXPIRY_PROMPT, prompt.data, now=turn.now)
                return CitizenAnswer(lang, [_say(lang, "expiry_bad_date")])
            return None  # something else: the bot answers it
        await asyncio.to_thread(self.prompts.close, turn.sender)
        if not await asyncio.to_thread(self.book.consents.active, turn.citizen_id, "reminders"):
            return _consent_answer(lang)  # withdrawn while the question was open
        document = document_name(EXPIRING_DOCUMENTS.get(service_id, "id_card"), lang)
        service = self.services(service_id)
        title = service.title.get(lang) if service is not None else service_id
        open_service = {"label": title, "payload": open_command(service_id)}
        due = expiry_reminder_due(expires, self.settings.expiry_reminder_days, turn.now)
        date = format_date(expires, lang)
        if due is None:
            said = text(f"{_G}.expiry_expired", lang, document=document, date=date, service=title)
            return CitizenAnswer(lang, [_ask(lang, said, [open_service])])
        detail = {
            "document": EXPIRING_DOCUMENTS.get(service_id, ""),
            "expires_on": expires.isoformat(),
            "service_title": title,
            "title": title,  # what lists show (the dashboard)
        }
        reminder, _ = await asyncio.to_thread(
            self.book.add, turn.citizen_id, "document_expiry", service_id, detail, lang, due, now=turn.now
        )
        said = text(f"{_G}.expiry_added", lang, when=when_text(reminder.due_at, lang), document=document, date=date)
        return CitizenAnswer(lang, [_ask(lang, said, [_my_reminders_option(lang), open_service])])

    # --- commands ----------------------------------------------------------------------------

    async def _journey(self, turn: CitizenTurn, lang: Lang, journey_id: str) -> CitizenAnswer:
        journey = self.journeys(journey_id) if journey_id else None
        if journey is None:
            return CitizenAnswer(lang, [_say(lang, "journey_unknown", journey=journey_id[:80])])
        title = journey.title.get(lang)
        event_date = await asyncio.to_thread(self.book.event_date, turn.citizen_id, journey.id)
        if event_date is None:
            start = {
                "label": text(f"{_G}.button_journey_start", lang),
                "payload": f"/journey_start {journey.id} {lang}",
            }
            return CitizenAnswer(lang, [_ask(lang, text(f"{_G}.journey_no_date", lang, journey=title), [start])])
        done = await asyncio.to_thread(self.book.steps_done, turn.citizen_id, journey.id)
        lines: list[str] = []
        added = 0
        for step in journey.steps:
            if step.deadline is None or step.service in done:
                continue
            service = self.services(step.service)
            step_title = service.title.get(lang) if service is not None else step.service
            deadline_at = step.deadline.due(event_start(event_date))
            last_day = format_date(deadline_last_day(deadline_at), lang)
            due = deadline_reminder_due(deadline_at, turn.now)
            if due is None:
                lines.append(text(f"{_G}.journey_passed", lang, step=step_title, deadline=last_day))
                continue
            detail = {
                "service": step.service,
                "deadline_at": deadline_at.isoformat(),
                "step": step_title,
                "journey": title,
                "title": step_title,  # what lists show (the dashboard)
            }
            try:
                reminder, _ = await asyncio.to_thread(
                    self.book.add, turn.citizen_id, "journey_deadline", journey.id, detail, lang, due, now=turn.now
                )
            except ReminderInPastError:
                continue
            added += 1
            when = when_text(reminder.due_at, lang)
            lines.append(text(f"{_G}.journey_item", lang, step=step_title, when=when, deadline=last_day))
        if not added and not lines:
            return CitizenAnswer(lang, [_say(lang, "journey_nothing", journey=title)])
        head = text(f"{_G}.journey_added", lang, journey=title) if added else title
        said = "\n".join([head, *lines])
        return CitizenAnswer(lang, [_ask(lang, said, [_my_reminders_option(lang)])])

    async def _expiry(self, turn: CitizenTurn, lang: Lang, service_id: str) -> CitizenAnswer:
        if service_id not in EXPIRING_DOCUMENTS:
            options = [
                {"label": document_name(document, lang), "payload": f"/remind_expiry {service} {lang}"}
                for service, document in EXPIRING_DOCUMENTS.items()
            ]
            key = "expiry_unknown" if service_id else "expiry_choose"
            return CitizenAnswer(lang, [_ask(lang, text(f"{_G}.{key}", lang), options)])
        await asyncio.to_thread(self.prompts.ask, turn.sender, EXPIRY_PROMPT, {"service": service_id}, now=turn.now)
        document = document_name(EXPIRING_DOCUMENTS[service_id], lang)
        return CitizenAnswer(lang, [_say(lang, "expiry_ask_date", document=document)])

    async def _list(self, turn: CitizenTurn, lang: Lang) -> CitizenAnswer:
        waiting = await asyncio.to_thread(self.book.of, turn.citizen_id)
        if not waiting:
            return CitizenAnswer(lang, [_say(lang, "list_empty")])
        lines = [text(f"{_G}.list_title", lang)]
        options: list[dict[str, str]] = []
        for n, reminder in enumerate(waiting[:_MAX_LISTED], start=1):
            detail = reminder.detail
            if reminder.kind == "journey_deadline":
                what = text(f"{_G}.what_journey", lang, step=detail.get("step", ""), journey=detail.get("journey", ""))
            else:
                expires = dt.date.fromisoformat(str(detail.get("expires_on")))
                document = document_name(str(detail.get("document") or "id_card"), lang)
                what = text(f"{_G}.what_expiry", lang, document=document, date=format_date(expires, lang))
            lines.append(text(f"{_G}.list_item", lang, n=n, when=when_text(reminder.due_at, lang), what=what))
            label = text(f"{_G}.button_cancel", lang, n=n)
            options.append({"label": label, "payload": f"/remind_cancel {reminder.id} {lang}"})
        return CitizenAnswer(lang, [_ask(lang, "\n".join(lines), options)])

    async def _cancel(self, turn: CitizenTurn, lang: Lang, number: str) -> CitizenAnswer:
        cancelled = number.isdigit() and await asyncio.to_thread(self.book.cancel, turn.citizen_id, int(number))
        key = "cancelled" if cancelled else "cancel_unknown"
        return CitizenAnswer(lang, [_ask(lang, text(f"{_G}.{key}", lang), [_my_reminders_option(lang)])])
