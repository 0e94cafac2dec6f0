"""A journey with one citizen's progress, as the channel-neutral ``{"type": "journey"}`` message.

The actions send a journey's steps (``actions.journey_answer.journey_payload``) but cannot see the
citizens store, so this layer adds, for the turn's citizen: which steps are done, the first one not
done (``next``), each deadline's due date once the citizen said when the event happened, and the
commands and labels of every button, so LINE's carousel and the widget's stepper only draw. The same
view answers ``/journey <id>`` and a tick (conversation/citizens/journey_handler.py), so a citizen
sees one journey the same way whichever way they reached it.
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import logging
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from conversation.citizens.progress import JourneyProgress, JourneyProgressBook
from knowledge.journeys import Deadline
from texts import Lang, format_date, text

if TYPE_CHECKING:
    from conversation.citizens.desk import CitizenDesk

__all__ = [
    "LOCAL_TIMEZONE",
    "add_progress",
    "journey_message",
    "journey_view",
    "local_day",
    "open_command",
    "step_command",
]

logger = logging.getLogger(__name__)

LOCAL_TIMEZONE = ZoneInfo("Asia/Bangkok")  # deadlines are Thai law's days
_G = "citizens_journeys"


def local_day(now: dt.datetime) -> dt.date:
    return now.astimezone(LOCAL_TIMEZONE).date()


def open_command(service_id: str) -> str:
    """What opens a step's service: the same payload as the catalogue's service quick replies."""
    return f'/ask_service{{"service":"{service_id}"}}'


def step_command(journey_id: str, service_id: str, done: bool, lang: Lang) -> str:
    """The tick's command, with the language the button was offered in (a command names none)."""
    return f"/journey_step {journey_id} {service_id} {'done' if done else 'undo'} {lang}"


def _due(deadline: dict[str, Any], event_date: dt.date) -> dt.date | None:
    """The last day a step is on time, from the deadline's unit and amount (Deadline.due's rules)."""
    unit, amount = deadline.get("unit"), deadline.get("amount")
    if unit not in ("hours", "days", "months") or not isinstance(amount, int) or amount < 1:
        return None
    period = Deadline.model_construct(  # only the period: due() reads nothing else
        hours=amount if unit == "hours" else None,
        days=amount if unit == "days" else None,
        months=amount if unit == "months" else None,
    )
    return period.due(dt.datetime.combine(event_date, dt.time())).date()


def journey_view(base: dict[str, Any], progress: JourneyProgress | None, today: dt.date) -> dict[str, Any]:
    """``base`` (a journey payload) with the citizen's progress, due dates, the next step and the
    buttons' commands and labels; ``progress`` None: nothing done, no date, not followed."""
    view = copy.deepcopy(base)
    lang: Lang = "en" if view.get("lang") == "en" else "th"
    journey_id = str(view.get("id") or "")
    done = progress.done if progress is not None else frozenset()
    event_date = progress.event_date if progress is not None else None
    steps: list[dict[str, Any]] = [step for step in view.get("steps") or [] if isinstance(step, dict)]
    next_step: dict[str, Any] | None = None
    for number, step in enumerate(steps, start=1):
        service_id = str(step.get("service") or "")
        title = str(step.get("title") or service_id)
        step["number"] = number
        step["number_text"] = text(f"{_G}.step_number", lang, number=number)
        step["done"] = service_id in done
        step["state_text"] = text(f"{_G}.done_state" if step["done"] else f"{_G}.todo_state", lang)
        step["commands"] = {
            "open": open_command(service_id),
            "toggle": step_command(journey_id, service_id, not step["done"], lang),
        }
        step["labels"] = {
            "toggle": text(f"{_G}.undo_label" if step["done"] else f"{_G}.done_label", lang),
            "toggle_long": text(f"{_G}.mark_undo" if step["done"] else f"{_G}.mark_done", lang, title=title),
            "open": text(f"{_G}.open_label", lang),
        }
        deadline = step.get("deadline")
        step["due"] = step["due_text"] = None
        step["overdue"] = False
        if isinstance(deadline, dict) and event_date is not None:
            due = _due(deadline, event_date)
            if due is not None:
                step["due"] = due.isoformat()
                step["overdue"] = not step["done"] and due < today
                key = f"{_G}.overdue" if step["overdue"] else f"{_G}.due"
                step["due_text"] = text(key, lang, date=format_date(due, lang))
        step["next"] = False
        if next_step is None and not step["done"]:
            next_step = step
            step["next"] = True
    count = sum(1 for step in steps if step["done"])
    view["steps"] = steps
    view["done_count"], view["total"] = count, len(steps)
    view["progress_text"] = text(f"{_G}.progress", lang, done=count, total=len(steps))
    view["next"] = next_step["service"] if next_step is not None else None
    view["next_text"] = (
        text(f"{_G}.next", lang, title=next_step["title"]) if next_step is not None else text(f"{_G}.all_done", lang)
    )
    view["followed"] = progress is not None
    view["event_date"] = event_date.isoformat() if event_date is not None else None
    view["event_date_text"] = (
        text(f"{_G}.counted_from", lang, date=format_date(event_date, lang)) if event_date is not None else None
    )
    has_deadlines = any(isinstance(step.get("deadline"), dict) for step in steps)
    view["date_hint"] = text(f"{_G}.date_hint", lang) if event_date is None and has_deadlines else None
    view["commands"] = {"start": f"/journey_start {journey_id} {lang}", "my_journeys": f"/my_journeys {lang}"}
    view["labels"] = {
        "start": text(f"{_G}.start_label", lang),
        "my_journeys": text(f"{_G}.my_journeys_label", lang),
        "next_badge": text(f"{_G}.next_badge", lang),
    }
    view["alt_text"] = text(f"{_G}.alt", lang, title=str(view.get("title") or ""), done=count, total=len(steps))
    return view


def journey_message(base: dict[str, Any], progress: JourneyProgress | None, today: dt.date) -> dict[str, Any]:
    return {"type": "journey", "journey": journey_view(base, progress, today)}


def _progress_book(desk: CitizenDesk) -> JourneyProgressBook | None:
    for handler in desk.handlers:
        book = getattr(handler, "progress_book", None)
        if isinstance(book, JourneyProgressBook):
            return book
    return None


async def add_progress(
    messages: list[dict[str, Any]], desk: CitizenDesk | None, sender: str, now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Rasa's journey messages with the sender's citizen's progress (none known: nothing done).

    Reading progress is no write and needs no consent: a citizen without one simply has none. A
    failing store costs the view its progress, never the answer."""
    if not any(message.get("type") == "journey" for message in messages):
        return messages
    today = local_day(now or dt.datetime.now(dt.UTC))
    book = _progress_book(desk) if desk is not None else None
    citizen_id: str | None = None
    if desk is not None and book is not None:
        try:
            citizen_id = await asyncio.to_thread(desk.identity.citizen_of, sender)
        except Exception:
            logger.exception("the citizen of a conversation could not be read")
    shown: list[dict[str, Any]] = []
    for message in messages:
        base = message.get("journey") if message.get("type") == "journey" else None
        if not isinstance(base, dict):
            shown.append(message)
            continue
        progress: JourneyProgress | None = None
        if book is not None and citizen_id is not None:
            try:
                progress = await asyncio.to_thread(book.progress, citizen_id, str(base.get("id") or ""))
            except Exception:
                logger.exception("journey progress could not be read")
        shown.append(journey_message(base, progress, today))
    return shown
