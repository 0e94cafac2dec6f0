"""A citizen's data by conversation id: what is kept, exported, erased, and for how long (PDPA).

A conversation id is the Rasa sender id, namespaced per channel (``web:<issued id>``,
``line:<LINE userId>``). What the gateway keeps about one: its activity row (channel, first
and last turn), hand-off requests and feedback (all in the conversation store, masked as they
were written), the per-turn events of the analytics (conversation/turn_events.py, masked), and
Rasa's tracker (masked before it reached Rasa), and the problem reports it filed with their photos
(conversation/reports; kept ``reports_days``, longer than a conversation), and what the citizen of the
conversation consented to keep (conversation/citizens: profile, journeys, reminders, links; kept
``citizens.kept_days`` since last touched). Three operations:

- :meth:`ConversationPrivacy.export`: everything of the above, for an access request (s.30);
- :meth:`ConversationPrivacy.erase`: all of it (s.33); our rows first, then the tracker. If Rasa
  cannot be reached the activity row stays marked, the retention job tries the tracker again,
  and the caller is told the erasure is not complete;
- :meth:`ConversationPrivacy.purge`: retention per kind of record (s.37(3)), run by
  :class:`PurgeJob` in the gateway and once by ``citizenbot privacy purge``.

:class:`ActivityRecordingRasaClient` records the activity on every turn of every channel,
without the channels knowing: the runtime hands it to them as their Rasa client.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from actions.api.conversation_store import ActivityRecord, ConversationStore, FeedbackRecord, HandoffRecord
from actions.api.id_vault import IdVault
from conversation.citizens.records import CitizenRecords
from conversation.handoff.store import HandoffStore
from conversation.rasa_client import RasaClient, RasaUnavailableError
from conversation.reports.drafts import DraftStore
from conversation.reports.photos import PhotoStore
from conversation.reports.store import ReportsStore
from conversation.turn_events import TurnEventStore
from gateway.settings import PrivacySettings

__all__ = [
    "ActivityRecordingRasaClient",
    "ConversationPrivacy",
    "ErasureIncompleteError",
    "PurgeJob",
    "PurgeReport",
    "Retention",
]

logger = logging.getLogger(__name__)

# Events that carry what someone said or did; session starts and listens alone are not a conversation.
_SPOKEN_EVENTS = frozenset({"user", "bot"})


@dataclass(frozen=True)
class Retention:
    """Days each kind of record is kept (from ``PrivacySettings``)."""

    handoff_days: int
    feedback_days: int
    conversation_days: int
    analytics_days: int = 365  # turn events; a forgotten conversation's events lose their link first
    reports_days: int = 365  # problem reports (and their photos) last changed longer ago

    @classmethod
    def of(cls, kept: PrivacySettings) -> Retention:
        days = (kept.handoff_days, kept.feedback_days, kept.conversation_days, kept.analytics_days, kept.reports_days)
        return cls(*days)


class ErasureIncompleteError(RuntimeError):
    """Our rows are gone but Rasa's tracker could not be erased yet; the retention job retries it."""

    def __init__(self, conversation_id: str, erased: dict[str, int], cause: str) -> None:
        super().__init__(f"the Rasa tracker of {conversation_id} was not erased: {cause}")
        self.erased = erased


@dataclass
class PurgeReport:
    """What one retention run removed, per kind, and the trackers it could not reach (retried next run)."""

    handoff_requests: int = 0
    feedback: int = 0
    conversations: int = 0
    trackers_failed: list[str] = field(default_factory=list)
    turn_events: int | None = None  # None: no turn-event store attached
    turn_events_detached: int = 0  # events whose conversation was forgotten: kept, no longer linked
    handoff_messages: int | None = None  # None: no hand-off desk attached
    reports: int | None = None  # None: no reports store attached
    report_photos: int = 0
    citizens: int | None = None  # None: no citizens store attached

    def to_dict(self) -> dict[str, Any]:
        report: dict[str, Any] = {
            "handoff_requests": self.handoff_requests,
            "feedback": self.feedback,
            "conversations": self.conversations,
            "trackers_failed": len(self.trackers_failed),
        }
        if self.turn_events is not None:
            report["turn_events"] = self.turn_events
            report["turn_events_detached"] = self.turn_events_detached
        if self.handoff_messages is not None:
            report["handoff_messages"] = self.handoff_messages
        if self.reports is not None:
            report["reports"] = self.reports
            report["report_photos"] = self.report_photos
        if self.citizens is not None:
            report["citizens"] = self.citizens
        return report


def _utc(value: dt.datetime | None) -> str | None:
    """SQLite hands datetimes back without their zone; they were written in UTC."""
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()


def _activity(record: ActivityRecord) -> dict[str, Any]:
    return {
        "channel": record.channel,
        "first_seen": _utc(record.first_seen),
        "last_seen": _utc(record.last_seen),
        "erase_requested_at": _utc(record.erase_requested_at),
    }


def _handoff(record: HandoffRecord) -> dict[str, Any]:
    try:
        transcript: Any = json.loads(record.transcript)
    except ValueError:
        transcript = record.transcript
    return {
        "id": record.id,
        "channel": record.channel,
        "language": record.language,
        "reason": record.reason,
        "status": record.status,
        "created_at": _utc(record.created_at),
        "transcript": transcript,
        "assigned_to": record.assigned_to,
        "taken_at": _utc(record.taken_at),
        "closed_at": _utc(record.closed_at),
        "outcome": record.outcome,
        "contact": record.contact,  # the citizen's own, left with consent
    }


def _feedback(record: FeedbackRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "rating": record.rating,
        "question": record.question,
        "answer": record.answer,
        "service_id": record.service_id,
        "comment": record.comment,
        "created_at": _utc(record.created_at),
    }


def _spoken(events: list[Any]) -> int:
    return sum(1 for event in events if isinstance(event, dict) and event.get("event") in _SPOKEN_EVENTS)


class ConversationPrivacy:
    """Export, erasure and retention over the conversation store and Rasa's trackers.

    The Rasa client is passed per call: the routes use the gateway's, the retention thread and
    the CLI their own (an HTTP client belongs to one event loop)."""

    def __init__(
        self,
        store: ConversationStore,
        retention: Retention,
        vault: IdVault | None = None,
        events: TurnEventStore | None = None,
        handoffs: HandoffStore | None = None,
        reports: ReportsStore | None = None,
        report_photos: PhotoStore | None = None,
        citizens: CitizenRecords | None = None,
        citizens_kept_days: int = 365,
    ) -> None:
        self.store = store
        # What the conversation's citizen consented to keep (conversation/citizens): exported and erased
        # with the conversation (a linked conversation's citizen: all of it), purged after kept days.
        self.citizens = citizens
        self.citizens_kept_days = citizens_kept_days
        self.reports = reports  # problem reports (conversation/reports): exported, erased, kept by the rules
        self.report_photos = report_photos  # their photos: deleted with the report
        self.handoffs = handoffs  # the hand-off desk's messages (conversation/handoff): same rules
        self.retention = retention
        self.vault = vault  # national IDs held for a status check in progress: erased with the rest
        self.events = events  # the analytics' turn events: exported, erased and kept by the same rules

    async def export(self, conversation_id: str, rasa: RasaClient) -> dict[str, Any] | None:
        """Everything kept about the conversation, masked as stored; None when nothing is.

        Rasa down: our records still, and ``rasa_tracker.available`` false, so an officer never
        mistakes a partial export for a complete one."""
        activity, handoffs, feedback = await asyncio.to_thread(self._rows, conversation_id)
        turn_events = await asyncio.to_thread(self._events_of, conversation_id)
        reports = await asyncio.to_thread(self._reports_of, conversation_id)
        draft = await asyncio.to_thread(self._drafts().export_sender, conversation_id) if self.reports else None
        citizen = await asyncio.to_thread(self._citizen_export, conversation_id)
        tracker: dict[str, Any]
        try:
            events = (await rasa.tracker(conversation_id)).get("events") or []
            tracker = {"available": True, "events": events}
        except RasaUnavailableError as error:
            logger.warning("export without the Rasa tracker: %s", error)
            events, tracker = [], {"available": False, "events": []}
        if (
            activity is None
            and not handoffs
            and not feedback
            and not turn_events
            and not reports
            and draft is None
            and citizen is None
            and not _spoken(events)
        ):
            return None
        return {
            "conversation_id": conversation_id,
            "exported_at": _utc(dt.datetime.now(dt.UTC)),
            "activity": _activity(activity) if activity is not None else None,
            "handoff_requests": [_handoff(record) for record in handoffs],
            "feedback": [_feedback(record) for record in feedback],
            "turn_events": turn_events,
            "rasa_tracker": tracker,
            **(
                {"handoff_messages": await asyncio.to_thread(self._messages_of, conversation_id)}
                if self.handoffs
                else {}
            ),
            **({"reports": reports, "report_draft": draft} if self.reports is not None else {}),
            **({"citizen": citizen} if self.citizens is not None else {}),
        }

    async def erase(self, conversation_id: str, rasa: RasaClient) -> dict[str, int] | None:
        """Erase everything kept about the conversation; the counts per kind, or None when nothing was kept.

        ``ErasureIncompleteError`` when the tracker could not be erased (Rasa unreachable, or a
        tracker store that does not let events be replaced): our rows are gone by then, and the
        activity row stays marked so the retention job finishes the job."""
        activity = await asyncio.to_thread(self.store.activity, conversation_id)
        try:
            events = (await rasa.tracker(conversation_id)).get("events") or []
        except RasaUnavailableError as error:
            if activity is None and not await asyncio.to_thread(self._has_rows, conversation_id):
                return None  # nothing of ours: do not leave a mark for an id we never saw
            erased = await asyncio.to_thread(self._erase_rows, conversation_id)
            raise ErasureIncompleteError(conversation_id, erased, str(error)) from error
        if activity is None and not _spoken(events) and not await asyncio.to_thread(self._has_rows, conversation_id):
            return None
        erased = await asyncio.to_thread(self._erase_rows, conversation_id)
        if self.vault is not None:
            erased["held_national_ids"] = self.vault.forget(conversation_id)
        erased["rasa_tracker_events"] = _spoken(events)
        try:
            await self._erase_tracker(conversation_id, rasa)
        except RasaUnavailableError as error:
            raise ErasureIncompleteError(conversation_id, erased, str(error)) from error
        erased["activity"] = await asyncio.to_thread(self.store.forget_activity, conversation_id)
        logger.info("conversation erased on request", extra={"erased": erased})
        return erased

    async def erase_quietly(self, conversation_id: str, rasa: RasaClient) -> None:
        """Erase, logging instead of raising (LINE's unfollow: nobody waits for an answer)."""
        try:
            await self.erase(conversation_id, rasa)
        except ErasureIncompleteError as error:
            logger.warning("%s; the retention job will retry", error)
        except Exception:
            logger.exception("erasing a conversation failed")

    async def purge(self, rasa: RasaClient, now: dt.datetime | None = None) -> PurgeReport:
        """Apply the retention: old hand-off requests and feedback go, and idle conversations
        (tracker and activity row) too, with the erasures still pending. A tracker Rasa cannot
        erase keeps its activity row, so the next run tries again."""
        now = now or dt.datetime.now(dt.UTC)
        days = self.retention
        removed = await asyncio.to_thread(
            self.store.delete_older_than,
            now - dt.timedelta(days=days.handoff_days),
            now - dt.timedelta(days=days.feedback_days),
        )
        report = PurgeReport(removed["handoff_requests"], removed["feedback"])
        if self.handoffs is not None:
            cut = now - dt.timedelta(days=days.handoff_days)
            report.handoff_messages = await asyncio.to_thread(self.handoffs.delete_messages_older_than, cut)
        if self.events is not None:
            cut = now - dt.timedelta(days=days.analytics_days)
            report.turn_events = await asyncio.to_thread(self.events.delete_older_than, cut)
        if self.reports is not None:
            gone, refs = await asyncio.to_thread(self.reports.purge_older_than_with_photos, days.reports_days, now)
            # A draft left idle never becomes a report: it goes, with the photo it held.
            idle_drafts = await asyncio.to_thread(self._drafts().purge_idle, now)
            report.reports = gone
            report.report_photos = await asyncio.to_thread(self._delete_photos, [*refs, *_draft_photos(idle_drafts)])
        if self.citizens is not None:
            report.citizens = await asyncio.to_thread(self.citizens.purge, now, self.citizens_kept_days)
        idle = await asyncio.to_thread(
            self.store.conversations_to_forget, now - dt.timedelta(days=days.conversation_days)
        )
        for conversation_id in idle:
            try:
                await self._erase_tracker(conversation_id, rasa)
            except RasaUnavailableError as error:
                logger.warning("retention: tracker not erased, retried next run: %s", error)
                report.trackers_failed.append(conversation_id)
                continue
            report.conversations += await asyncio.to_thread(self.store.forget_activity, conversation_id)
            if self.events is not None:
                report.turn_events_detached += await asyncio.to_thread(self.events.detach, [conversation_id])
        logger.info("retention applied", extra={"removed": report.to_dict()})
        return report

    async def _erase_tracker(self, conversation_id: str, rasa: RasaClient) -> None:
        """Empty the tracker, then check: a tracker store that only appends keeps the events."""
        await rasa.erase_tracker(conversation_id)
        left = _spoken((await rasa.tracker(conversation_id)).get("events") or [])
        if left:
            raise RasaUnavailableError(f"Rasa's tracker store kept {left} events after the erasure")

    def _rows(self, conversation_id: str) -> tuple[ActivityRecord | None, list[HandoffRecord], list[FeedbackRecord]]:
        store = self.store
        return store.activity(conversation_id), store.handoffs_of(conversation_id), store.feedback_of(conversation_id)

    def _events_of(self, conversation_id: str) -> list[dict[str, Any]]:
        return self.events.of(conversation_id) if self.events is not None else []

    def _has_rows(self, conversation_id: str) -> bool:
        _activity, handoffs, feedback = self._rows(conversation_id)
        if handoffs or feedback or self._events_of(conversation_id) or self._reports_of(conversation_id):
            return True
        if self._citizen_export(conversation_id) is not None:
            return True
        return self.reports is not None and self._drafts().export_sender(conversation_id) is not None

    def _erase_rows(self, conversation_id: str) -> dict[str, int]:
        erased = self.store.erase_records(conversation_id)
        if self.events is not None:
            erased["turn_events"] = self.events.erase(conversation_id)
        if self.handoffs is not None:
            erased["handoff_messages"] = self.handoffs.erase_messages(conversation_id)
        if self.reports is not None:
            erased["reports"], refs = self.reports.erase_sender_with_photos(conversation_id)
            draft = self._drafts().take_sender(conversation_id)  # a report still being told goes too
            erased["report_drafts"] = 0 if draft is None else 1
            erased["report_photos"] = self._delete_photos([*refs, *_draft_photos([draft] if draft else [])])
        if self.citizens is not None:
            citizen_rows = self.citizens.erase(self.citizens.citizen_of(conversation_id))
            erased.update({f"citizen_{table}": count for table, count in citizen_rows.items()})
        return erased

    def _citizen_export(self, conversation_id: str) -> dict[str, Any] | None:
        """The citizen data of the conversation's citizen, or None when there is none."""
        if self.citizens is None:
            return None
        exported = self.citizens.export(self.citizens.citizen_of(conversation_id))
        return exported if any(rows for key, rows in exported.items() if key != "citizen_id") else None

    def _drafts(self) -> DraftStore:
        assert self.reports is not None
        return DraftStore(self.reports.engine, self.reports.settings.draft_minutes)

    def _reports_of(self, conversation_id: str) -> list[dict[str, Any]]:
        if self.reports is None:
            return []
        exported: list[dict[str, Any]] = self.reports.export_sender(conversation_id)["reports"]
        return exported

    def _delete_photos(self, refs: list[str]) -> int:
        """The files of reports that went; a photo already gone counts as nothing, never as a failure."""
        if self.report_photos is None:
            return 0
        return sum(1 for ref in refs if self.report_photos.delete(ref))

    def _messages_of(self, conversation_id: str) -> list[dict[str, Any]]:
        assert self.handoffs is not None
        return [
            {"author": m.author, "agent": m.agent, "text": m.text, "created_at": _utc(m.created_at)}
            for m in self.handoffs.messages_for_export(conversation_id)
        ]


class ActivityRecordingRasaClient(RasaClient):
    """The gateway's Rasa client: every turn sent also records the conversation's activity
    (channel from the turn's metadata), so retention and export know every conversation.
    A failing store never fails the turn."""

    def __init__(
        self,
        store: ConversationStore,
        base_url: str | Sequence[str],
        timeout_seconds: float,
        auth_token: str | None = None,
        *,
        down_seconds: float = 5.0,
    ) -> None:
        super().__init__(base_url, timeout_seconds, auth_token=auth_token, down_seconds=down_seconds)
        self._store = store

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        channel = str(metadata.get("channel") or sender.partition(":")[0] or "unknown")[:32]
        try:
            await asyncio.to_thread(self._store.touch, sender, channel)
        except Exception:
            logger.exception("could not record the conversation's activity")
        return await super().send(sender, text, metadata)


class PurgeJob:
    """Runs the retention in a thread of its own: once at start, then every ``interval_seconds``.

    Each run builds its own Rasa client inside its own event loop (``asyncio.run``)."""

    def __init__(
        self, privacy: ConversationPrivacy, rasa_factory: Callable[[], RasaClient], interval_seconds: float
    ) -> None:
        self.privacy = privacy
        self.rasa_factory = rasa_factory
        self.interval_seconds = interval_seconds
        self.last_report: PurgeReport | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> PurgeReport:
        async def purge() -> PurgeReport:
            rasa = self.rasa_factory()
            try:
                return await self.privacy.purge(rasa)
            finally:
                await rasa.aclose()

        self.last_report = asyncio.run(purge())
        return self.last_report

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:
                logger.exception("the retention job failed; it runs again in %.0f s", self.interval_seconds)
            if self._stop.wait(self.interval_seconds):
                return

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="privacy-purge", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)


def _draft_photos(drafts: list[dict[str, Any]]) -> list[str]:
    return [str(data["photo_ref"]) for data in drafts if data.get("photo_ref")]
