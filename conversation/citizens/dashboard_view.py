"""What a citizen's dashboard shows, channel-neutral: the web page (channels/web/dashboard.py) and
LINE's "บริการของฉัน / My services" bubble (channels/line/my_services.py) draw the same view.

Read from the books the other parts keep (saved services and journeys: JourneyProgressBook;
reminders: ReminderBook; profile: ProfileBook), from the catalogue (the services the profile may
entitle the citizen to, ranked as /my_entitlements ranks them: conversation/citizens/entitlements.py)
and from the problem reports of every conversation
of the citizen (conversation/reports/store.py). Reading is no write and needs no consent; a citizen
without the ``profile`` consent simply has nothing kept, and the view says so (``nothing_kept``)
while still showing the reports they filed: those exist without it. Every text is already in the
view's language, so the channels only draw.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from actions.journey_answer import journey_payload
from conversation.citizens.consents import ConsentBook
from conversation.citizens.entitlements import Entitlement, entitlements, shortlist, when_label
from conversation.citizens.identity import CitizenIdentity
from conversation.citizens.journey_view import journey_view, local_day, open_command
from conversation.citizens.profiles import ProfileBook, StoredProfile
from conversation.citizens.progress import JourneyProgressBook
from conversation.citizens.reminders import ReminderBook
from conversation.reports.store import ReportsStore
from knowledge.journeys import Journey
from knowledge.schema import Service
from texts import Lang, format_date, text

__all__ = ["DashboardSources", "dashboard_view"]

logger = logging.getLogger(__name__)

_G = "citizens_dashboard"
_REPORTS_SHOWN = 10
_SUGGESTED_SHOWN = 5


@dataclass
class DashboardSources:
    """The books a dashboard is read from; a part the gateway does not run is None (shown empty)."""

    identity: CitizenIdentity
    consents: ConsentBook
    journey: Callable[[str], Journey | None]  # a journey of the catalogue by id
    service: Callable[[str], Service | None]  # a live service of the catalogue by id
    profiles: ProfileBook | None = None
    progress: JourneyProgressBook | None = None
    reminders: ReminderBook | None = None
    reports: ReportsStore | None = None
    services: Callable[[], list[Service]] | None = None  # the live catalogue, for the suggested services


def _when(moment: dt.datetime, lang: Lang) -> str:
    return format_date(local_day(moment), lang)


def _saved(sources: DashboardSources, citizen_id: str, lang: Lang) -> list[dict[str, Any]]:
    if sources.progress is None:
        return []
    shown = []
    for saved in sources.progress.saved_services(citizen_id):
        service = sources.service(saved.service_id)
        if service is None:  # withdrawn from the catalogue since
            continue
        shown.append(
            {
                "service_id": saved.service_id,
                "title": getattr(service.title, lang),
                "saved_at": saved.saved_at.isoformat(),
                "open": open_command(saved.service_id),
                "unsave": f"/unsave_service {saved.service_id}",
            }
        )
    return shown


def _journeys(sources: DashboardSources, citizen_id: str, lang: Lang, today: dt.date) -> list[dict[str, Any]]:
    if sources.progress is None:
        return []
    shown = []
    for progress in sources.progress.journeys_of(citizen_id):
        journey = sources.journey(progress.journey_id)
        base = journey_payload(journey, sources.service, lang) if journey is not None else None
        if base is None:
            continue
        view = journey_view(base, progress, today)
        next_step = next((step for step in view["steps"] if step.get("next")), None)
        shown.append(
            {
                "id": view["id"],
                "title": view["title"],
                "done": view["done_count"],
                "total": view["total"],
                "progress_text": view["progress_text"],
                "next_text": view["next_text"],
                "next_due": next_step["due"] if next_step else None,
                "next_due_text": next_step["due_text"] if next_step else None,
                "overdue": bool(next_step and next_step["overdue"]),
                "open": f"/journey {view['id']}",
                "steps": [
                    {
                        "service_id": step["service"],
                        "title": step["title"],
                        "done": step["done"],
                        "due": step["due"],
                        "due_text": step["due_text"],
                        "overdue": step["overdue"],
                    }
                    for step in view["steps"]
                ],
            }
        )
    return shown


def _deadlines(journeys: list[dict[str, Any]], lang: Lang) -> list[dict[str, Any]]:
    """Every step not done that has a due date, soonest first, with its journey."""
    found = [
        {
            "journey_id": journey["id"],
            "journey": journey["title"],
            "title": step["title"],
            "due": step["due"],
            "due_text": step["due_text"],
            "overdue": step["overdue"],
            "text": text(f"{_G}.deadline_line", lang, step=step["title"], due=step["due_text"]),
        }
        for journey in journeys
        for step in journey["steps"]
        if step["due"] and not step["done"]
    ]
    return sorted(found, key=lambda item: str(item["due"]))


def _reports(sources: DashboardSources, citizen_id: str, lang: Lang) -> list[dict[str, Any]]:
    store = sources.reports
    if store is None:
        return []
    own = [report for sender in sources.identity.senders_of(citizen_id) for report in store.for_sender(sender)]
    own.sort(key=lambda report: report.updated_at, reverse=True)
    shown = []
    for report in own[:_REPORTS_SHOWN]:
        kind = store.taxonomy.get(report.type) or store.taxonomy.other
        shown.append(
            {
                "ticket": report.ticket,
                "type": kind.label(lang),
                "status": report.status,
                "status_text": text(f"reports.state_{report.status}", lang),
                "updated_at": report.updated_at.isoformat(),
                "updated_text": text(f"{_G}.updated", lang, date=_when(report.updated_at, lang)),
            }
        )
    return shown


def _reminders(sources: DashboardSources, citizen_id: str, lang: Lang) -> list[dict[str, Any]]:
    if sources.reminders is None:
        return []
    shown = []
    for number, reminder in enumerate(sources.reminders.of(citizen_id), start=1):  # as /my_reminders numbers them
        title = str(reminder.detail.get("title") or reminder.subject)
        shown.append(
            {
                "number": number,
                "kind": reminder.kind,
                "title": title,
                "due_at": reminder.due_at.isoformat(),
                "due_text": text(f"{_G}.reminder_line", lang, title=title, date=_when(reminder.due_at, lang)),
            }
        )
    return shown


def _missing_text(missing: tuple[str, ...], lang: Lang) -> str:
    """What would decide, in the words /my_entitlements uses ("date of birth and province")."""
    joiner = text("citizens_profile.missing_join", lang)
    joiner = f" {joiner} " if lang == "en" else joiner
    return joiner.join(text(f"citizens_profile.missing_{field}", lang) for field in missing)


def _suggestion(entry: Entitlement, lang: Lang) -> dict[str, Any]:
    service = entry.service
    if entry.standing == "soon":
        assert entry.eligible_from is not None and service.eligibility_rules is not None
        when = when_label(entry.eligible_from, lang, year_only=entry.from_year_only)
        standing = text(f"{_G}.suggested_soon", lang, age=service.eligibility_rules.min_age, when=when)
    elif entry.standing == "unknown":
        standing = text(f"{_G}.suggested_unknown", lang, missing=_missing_text(entry.missing, lang))
    else:
        standing = text(f"{_G}.suggested_eligible", lang)
    return {
        "service_id": service.id,
        "title": service.title.get(lang),
        "standing": entry.standing,
        "standing_text": standing,
        "eligible_from": entry.eligible_from.isoformat() if entry.eligible_from else None,
        "missing": list(entry.missing),
        "verified": entry.verified,
        "unverified_text": None if entry.verified else text("citizens_profile.unverified", lang),
        "office": entry.office.name.get(lang) if entry.office is not None else None,
        "open": open_command(service.id),
    }


def _suggested(
    sources: DashboardSources, stored: StoredProfile | None, lang: Lang, today: dt.date
) -> list[dict[str, Any]]:
    """The shortlist /my_entitlements gives, from the consented profile; none without one."""
    if sources.services is None or stored is None or stored.fields.is_empty():
        return []
    found = entitlements(sources.services(), stored.eligibility_profile(), today)
    return [_suggestion(entry, lang) for entry in shortlist(found, _SUGGESTED_SHOWN)]


def dashboard_view(sources: DashboardSources, citizen_id: str, lang: Lang, now: dt.datetime) -> dict[str, Any]:
    """The citizen's dashboard in ``lang`` (blocking: call it off the event loop)."""
    today = local_day(now)
    kept = sources.consents.active(citizen_id, "profile") is not None
    reminders_on = sources.consents.active(citizen_id, "reminders") is not None
    journeys = _journeys(sources, citizen_id, lang, today)
    stored = sources.profiles.get(citizen_id) if sources.profiles is not None else None
    view: dict[str, Any] = {
        "lang": lang,
        "title": text(f"{_G}.title", lang),
        "consents": {"profile": kept, "reminders": reminders_on},
        "nothing_kept": not kept,
        "saved": _saved(sources, citizen_id, lang),
        "journeys": journeys,
        "deadlines": _deadlines(journeys, lang),
        "reports": _reports(sources, citizen_id, lang),
        "reminders": _reminders(sources, citizen_id, lang),
        "profile": stored.to_dict() if stored is not None else None,
        "suggested": _suggested(sources, stored, lang, today),
        # Consent given but nothing told yet: the channels invite the citizen to fill the profile in.
        "suggested_invite": kept and (stored is None or stored.fields.is_empty()),
        "linked": [
            {"channel": linked.channel, "linked_at": linked.linked_at.isoformat()}
            for linked in sources.identity.linked_to(citizen_id)
        ],
    }
    return view
