"""The citizens desk's ``journeys`` handler: a journey with the citizen's progress, ticking its steps,
the day the life event happened, "my journeys" and saved services.

Commands (the stepper's and the carousel's buttons send them; see journey_view.py):
``/journey <id>``, ``/journey_start <id> [date]`` (without a date: asks for it, and the next message
is read as the day: "เกิดวันที่ 1 ธ.ค.", "เมื่อวาน", "1/12/2569", "2026-12-01"; ``-`` follows the
journey without one), ``/journey_step <id> <service> done|undo``, ``/my_journeys``,
``/save_service <id>``, ``/unsave_service <id>``. A command may end with the language its button
was offered in (``/journey having-a-baby th``): a command's own words say nothing of the citizen's
language.

Every write needs the ``profile`` consent; without it the answer is the consent question's quick
reply (``/citizen_consent profile``, the profile handler's) and nothing is stored. An id that names
no journey, no step of it, or no service gets a clear answer and stores nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

from actions.journey_answer import journey_payload
from conversation.citizens.consents import ConsentRequiredError
from conversation.citizens.desk import CitizenAnswer, CitizenTurn
from conversation.citizens.journey_view import journey_message, journey_view, local_day, open_command
from conversation.citizens.progress import JourneyProgress, JourneyProgressBook
from conversation.citizens.prompts import Prompt, PromptBook
from knowledge.journey_store import JourneyNotFoundError, JourneyStore
from knowledge.journeys import Journey
from knowledge.schema import Service
from nlu.normalize import thai_digits_to_arabic
from nlu.thai_dates import BE_OFFSET, parse_date
from texts import Lang, format_date, text

__all__ = ["EVENT_DATE_PROMPT", "MAX_YEARS_BACK", "JourneyHandler", "journey_in", "read_event_date"]

logger = logging.getLogger(__name__)

_G = "citizens_journeys"
EVENT_DATE_PROMPT = "journeys.event_date"
# A life event further back than this is surely a typo: every deadline of the seed journeys is over.
MAX_YEARS_BACK = 5
_LANGS = ("th", "en")
_NO_DATE = "-"
_PHRASES = {
    "my journeys": "/my_journeys",
    "เรื่องที่ติดตามอยู่": "/my_journeys",
    "เรื่องที่ติดตาม": "/my_journeys",
    "ความคืบหน้าของฉัน": "/my_journeys",
}
_RELATIVE = [
    (re.compile(r"เมื่อวานซืน|day before yesterday", re.I), 2),
    (re.compile(r"เมื่อวาน|yesterday", re.I), 1),
    (re.compile(r"วันนี้|today", re.I), 0),
]
_DAY_MONTH = re.compile(r"\d{1,2}\s*[^\s\d]+|[A-Za-z]+\.?\s+\d{1,2}")  # "1 ธ.ค.", "1 Dec", "Dec 1"
_DAYS_AGO = re.compile(r"(\d{1,3})\s*(?:วัน(?:ที่แล้ว|ก่อน)|days?\s+ago)", re.I)

JourneyLookup = Callable[[str], Journey | None]
ServiceLookup = Callable[[str], Service | None]


def read_event_date(said: str, today: dt.date) -> dt.date | None:
    """The day a citizen names: a full date (Buddhist or Christian era), a day and month without a
    year (the last such day up to today), or today / yesterday / N days ago; None when none is named.

    :Example:

        >>> read_event_date("เกิดวันที่ 1 ธ.ค. 2569", dt.date(2026, 12, 3))
        datetime.date(2026, 12, 1)
        >>> read_event_date("yesterday", dt.date(2026, 12, 3))
        datetime.date(2026, 12, 2)
    """
    plain = thai_digits_to_arabic(said)
    found = parse_date(plain)
    if found is not None:
        return found
    ago = _DAYS_AGO.search(plain)
    if ago:
        return today - dt.timedelta(days=int(ago.group(1)))
    for pattern, days in _RELATIVE:
        if pattern.search(plain):
            return today - dt.timedelta(days=days)
    this_year = _without_year(plain, today.year + BE_OFFSET)
    if this_year is None:
        return None
    if this_year <= today:
        return this_year
    try:
        return this_year.replace(year=this_year.year - 1)
    except ValueError:  # 29 Feb
        return this_year.replace(year=this_year.year - 1, day=28)


def _without_year(said: str, buddhist_year: int) -> dt.date | None:
    """A day and month named without a year ("วันที่ 1 ธ.ค.", "Dec 1"), in ``buddhist_year``."""
    for found in _DAY_MONTH.finditer(said):
        date = parse_date(f"{found.group(0)} {buddhist_year}")
        if date is not None:
            return date
    return None


def _consent_answer(lang: Lang) -> CitizenAnswer:
    option = {"label": text(f"{_G}.consent_label", lang), "payload": "/citizen_consent profile"}
    return CitizenAnswer(
        lang, [{"type": "quick_replies", "text": text(f"{_G}.consent_needed", lang), "options": [option]}]
    )


def _say(lang: Lang, key: str, **values: object) -> CitizenAnswer:
    return CitizenAnswer(lang, [{"type": "text", "text": text(f"{_G}.{key}", lang, **values)}])


class JourneyHandler:
    """Journeys and saved services for the citizens desk (``progress_book`` is read by journey_view)."""

    name: str = "journeys"
    commands: Sequence[str] = (
        "/journey",
        "/journey_start",
        "/journey_step",
        "/my_journeys",
        "/save_service",
        "/unsave_service",
    )

    def __init__(
        self, progress_book: JourneyProgressBook, prompts: PromptBook, journeys: JourneyLookup, services: ServiceLookup
    ) -> None:
        self.progress_book = progress_book
        self.prompts = prompts
        self.journeys = journeys
        self.services = services

    def phrase(self, folded: str) -> str | None:
        return _PHRASES.get(folded)

    async def handle(self, turn: CitizenTurn) -> CitizenAnswer | None:
        words = turn.arguments.split()
        lang = turn.language
        if words and words[-1] in _LANGS and (len(words) > 1 or turn.command == "/my_journeys"):
            if not turn.explicit_language:
                lang = "en" if words[-1] == "en" else "th"
            del words[-1]
        if turn.command == "/my_journeys":
            return await self._my_journeys(turn, lang)
        if not words:
            return _say(lang, "usage_id", command=turn.command)
        if turn.command in ("/save_service", "/unsave_service"):
            return await self._save(turn, lang, words[0], turn.command == "/save_service")
        journey = self.journeys(words[0])
        if journey is None:
            return _say(lang, "unknown_journey", id=words[0][:80])
        if turn.command == "/journey":
            return await self._show(turn, lang, journey)
        if turn.command == "/journey_start":
            return await self._start(turn, lang, journey, " ".join(words[1:]))
        return await self._step(turn, lang, journey, words[1:])

    async def answer(self, turn: CitizenTurn, prompt: Prompt) -> CitizenAnswer | None:
        """The day the life event happened, asked by ``/journey_start``; a message with no date in
        it (another question) goes to the bot."""
        if prompt.prompt != EVENT_DATE_PROMPT:
            return None
        journey = self.journeys(str(prompt.data.get("journey") or ""))
        if journey is None:
            return None
        lang: Lang = turn.language if turn.explicit_language else ("en" if prompt.data.get("lang") == "en" else "th")
        said = turn.text.strip()
        if said != _NO_DATE and read_event_date(said, local_day(turn.now)) is None:
            if not re.search(r"\d", thai_digits_to_arabic(said)):
                return None  # not an answer to "when": let the bot answer it
            return _say(lang, "bad_date")
        return await self._start(turn, lang, journey, said)

    # --- the journey ---------------------------------------------------------------

    async def _progress(self, citizen_id: str, journey_id: str) -> JourneyProgress | None:
        return await asyncio.to_thread(self.progress_book.progress, citizen_id, journey_id)

    async def _view(self, turn: CitizenTurn, lang: Lang, journey: Journey) -> dict[str, Any] | None:
        base = journey_payload(journey, self.services, lang)
        if base is None:
            return None
        progress = await self._progress(turn.citizen_id, journey.id)
        return journey_message(base, progress, local_day(turn.now))

    async def _show(self, turn: CitizenTurn, lang: Lang, journey: Journey, *said: str) -> CitizenAnswer:
        message = await self._view(turn, lang, journey)
        if message is None:
            return _say(lang, "unknown_journey", id=journey.id)
        notes = [{"type": "text", "text": line} for line in said]
        return CitizenAnswer(lang, [*notes, message])

    async def _start(self, turn: CitizenTurn, lang: Lang, journey: Journey, said: str) -> CitizenAnswer:
        if self.progress_book.consents.active(turn.citizen_id, "profile") is None:
            return _consent_answer(lang)
        today = local_day(turn.now)
        if not said:
            data = {"journey": journey.id, "lang": lang}
            await asyncio.to_thread(self.prompts.ask, turn.sender, EVENT_DATE_PROMPT, data, now=turn.now)
            skip = {"label": text(f"{_G}.skip_date_label", lang), "payload": f"/journey_start {journey.id} - {lang}"}
            asked = text(f"{_G}.ask_date", lang, title=getattr(journey.title, lang))
            return CitizenAnswer(lang, [{"type": "quick_replies", "text": asked, "options": [skip]}])
        event_date = None if said == _NO_DATE else read_event_date(said, today)
        if said != _NO_DATE:
            if event_date is None:
                return _say(lang, "bad_date")
            if event_date > today:
                return _say(lang, "future_date", date=format_date(event_date, lang))
            if event_date < today.replace(year=today.year - MAX_YEARS_BACK):
                return _say(lang, "too_old", date=format_date(event_date, lang), years=MAX_YEARS_BACK)
        try:
            await asyncio.to_thread(self.progress_book.start, turn.citizen_id, journey.id, event_date, now=turn.now)
        except ConsentRequiredError:
            return _consent_answer(lang)
        await asyncio.to_thread(self.prompts.close, turn.sender)
        if event_date is None:
            return await self._show(turn, lang, journey, text(f"{_G}.started_no_date", lang))
        return await self._show(turn, lang, journey, text(f"{_G}.started", lang, date=format_date(event_date, lang)))

    async def _step(self, turn: CitizenTurn, lang: Lang, journey: Journey, words: list[str]) -> CitizenAnswer:
        if len(words) != 2 or words[1] not in ("done", "undo"):
            return _say(lang, "usage_step")
        service_id, done = words[0], words[1] == "done"
        if service_id not in journey.service_ids():
            return _say(lang, "unknown_step", title=getattr(journey.title, lang), service=service_id[:80])
        try:
            await asyncio.to_thread(
                self.progress_book.tick, turn.citizen_id, journey.id, service_id, done, now=turn.now
            )
        except ConsentRequiredError:
            return _consent_answer(lang)
        service = self.services(service_id)
        title = getattr(service.title, lang) if service is not None else service_id
        return await self._show(
            turn, lang, journey, text(f"{_G}.ticked_{'done' if done else 'undo'}", lang, title=title)
        )

    # --- my journeys -----------------------------------------------------------------

    async def _my_journeys(self, turn: CitizenTurn, lang: Lang) -> CitizenAnswer:
        followed = await asyncio.to_thread(self.progress_book.journeys_of, turn.citizen_id)
        today = local_day(turn.now)
        lines: list[str] = []
        options: list[dict[str, str]] = []
        for progress in followed:
            journey = self.journeys(progress.journey_id)
            base = journey_payload(journey, self.services, lang) if journey is not None else None
            if journey is None or base is None:
                continue  # an editor removed it: nothing to come back to
            view = journey_view(base, progress, today)
            lines.append(
                text(
                    f"{_G}.my_journeys_line",
                    lang,
                    title=view["title"],
                    done=view["done_count"],
                    total=view["total"],
                    next=view["next_text"],
                )
            )
            options.append({"label": str(view["title"]), "payload": f"/journey {journey.id} {lang}"})
        if not lines:
            return _say(lang, "my_journeys_none")
        said = "\n".join([text(f"{_G}.my_journeys_intro", lang), *lines])
        return CitizenAnswer(lang, [{"type": "quick_replies", "text": said, "options": options}])

    # --- saved services --------------------------------------------------------------

    async def _save(self, turn: CitizenTurn, lang: Lang, service_id: str, save: bool) -> CitizenAnswer:
        service = self.services(service_id)
        if service is None:
            return _say(lang, "unknown_service", id=service_id[:80])
        title = getattr(service.title, lang)
        if not save:
            removed = await asyncio.to_thread(self.progress_book.unsave_service, turn.citizen_id, service_id)
            return _say(lang, "unsaved" if removed else "not_saved", title=title)
        try:
            added = await asyncio.to_thread(self.progress_book.save_service, turn.citizen_id, service_id, now=turn.now)
        except ConsentRequiredError:
            return _consent_answer(lang)
        said = text(f"{_G}.saved" if added else f"{_G}.already_saved", lang, title=title)
        option = {"label": title, "payload": open_command(service_id)}
        return CitizenAnswer(lang, [{"type": "quick_replies", "text": said, "options": [option]}])


def journey_in(store: JourneyStore | None, journey_id: str) -> Journey | None:
    """A live journey of the catalogue by id, or None (none such, no store, or the store failing:
    the citizen is told the journey is unknown rather than the bot failing)."""
    if store is None:
        return None
    try:
        return store.get(journey_id).journey
    except JourneyNotFoundError:
        return None
    except Exception:
        logger.exception("the journeys could not be read")
        return None
