"""The report a citizen is still telling the bot about, one per conversation, in ``report_drafts``.

Why in the database and not in memory: the next message of the conversation may reach another
gateway replica, or this one after a restart, and must find the draft there. Every change is a
conditional UPDATE on ``(sender_id, version)``, so two messages of one conversation handled at once
(a double tap) cannot both move the draft on: the second gets :class:`DraftConflictError`.
A draft idle longer than ``draft_minutes`` counts as gone (and is deleted when next seen).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from conversation.reports.models import report_drafts
from knowledge.database import as_utc
from nlu.language import Lang

__all__ = ["Draft", "DraftConflictError", "DraftStore", "Step"]

Step = Literal["description", "type", "location", "photo", "confirm"]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _data(raw: str) -> dict[str, Any]:
    """A draft's stored JSON; anything unreadable is an empty draft rather than an error."""
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


class DraftConflictError(Exception):
    """The draft changed (or went) since it was read: another message of the conversation won."""


@dataclass
class Draft:
    sender_id: str
    channel: str
    language: Lang
    step: Step
    data: dict[str, Any] = field(default_factory=dict)
    version: int = 0  # 0: not stored yet
    updated_at: dt.datetime | None = None


class DraftStore:
    """Drafts in the reports database (``engine`` of the :class:`ReportsStore`, migrated by it)."""

    def __init__(self, engine: Engine, idle_minutes: float = 30.0) -> None:
        self.engine = engine
        self.idle = dt.timedelta(minutes=idle_minutes)

    def get(self, sender_id: str, now: dt.datetime | None = None) -> Draft | None:
        """The conversation's live draft; an idle one is deleted and None returned."""
        now = now or _utcnow()
        with self.engine.connect() as connection:
            row = (
                connection.execute(select(report_drafts).where(report_drafts.c.sender_id == sender_id))
                .mappings()
                .first()
            )
        if row is None:
            return None
        updated = as_utc(row["updated_at"])
        if now - updated > self.idle:
            self._delete_version(sender_id, int(row["version"]))
            return None
        return Draft(
            sender_id=row["sender_id"],
            channel=row["channel"],
            language="en" if row["language"] == "en" else "th",
            step=row["step"],
            data=_data(row["data"]),
            version=int(row["version"]),
            updated_at=updated,
        )

    def save(self, draft: Draft, now: dt.datetime | None = None) -> Draft:
        """Insert a new draft (version 0) or update the one read at ``draft.version``; the saved draft."""
        now = now or _utcnow()
        values = {
            "channel": draft.channel,
            "language": draft.language,
            "step": draft.step,
            "data": json.dumps(draft.data, ensure_ascii=False),
            "updated_at": now,
        }
        with self.engine.begin() as connection:
            if draft.version == 0:
                # A new report replaces whatever the conversation had (an idle or abandoned draft).
                connection.execute(delete(report_drafts).where(report_drafts.c.sender_id == draft.sender_id))
                try:
                    connection.execute(
                        insert(report_drafts).values(sender_id=draft.sender_id, version=1, created_at=now, **values)
                    )
                except IntegrityError as error:
                    raise DraftConflictError(draft.sender_id) from error
            else:
                result = connection.execute(
                    update(report_drafts)
                    .where(report_drafts.c.sender_id == draft.sender_id, report_drafts.c.version == draft.version)
                    .values(version=draft.version + 1, **values)
                )
                if not getattr(result, "rowcount", 0):
                    raise DraftConflictError(draft.sender_id)
        return Draft(
            draft.sender_id, draft.channel, draft.language, draft.step, dict(draft.data), draft.version + 1, now
        )

    def delete(self, draft: Draft) -> bool:
        """Drop the draft as read; False when it had already changed or gone."""
        return self._delete_version(draft.sender_id, draft.version)

    def _delete_version(self, sender_id: str, version: int) -> bool:
        with self.engine.begin() as connection:
            result = connection.execute(
                delete(report_drafts).where(report_drafts.c.sender_id == sender_id, report_drafts.c.version == version)
            )
        return bool(getattr(result, "rowcount", 0))

    def erase_sender(self, sender_id: str) -> int:
        """Erasure of a conversation: its draft goes too."""
        return 1 if self.take_sender(sender_id) is not None else 0

    def take_sender(self, sender_id: str) -> dict[str, Any] | None:
        """Delete the conversation's draft, idle or not, and return its data (the photo it holds
        must go too); None when it had none."""
        with self.engine.begin() as connection:
            raw = connection.execute(
                select(report_drafts.c.data).where(report_drafts.c.sender_id == sender_id)
            ).scalar_one_or_none()
            connection.execute(delete(report_drafts).where(report_drafts.c.sender_id == sender_id))
        return None if raw is None else _data(raw)

    def export_sender(self, sender_id: str) -> dict[str, Any] | None:
        """The draft as the citizen's data export shows it (None: no draft)."""
        with self.engine.connect() as connection:
            row = (
                connection.execute(select(report_drafts).where(report_drafts.c.sender_id == sender_id))
                .mappings()
                .first()
            )
        if row is None:
            return None
        return {"step": row["step"], "data": _data(row["data"]), "updated_at": as_utc(row["updated_at"]).isoformat()}

    def purge_idle(self, now: dt.datetime | None = None) -> list[dict[str, Any]]:
        """Delete every idle draft; their data (for the photos they held), so nothing half-made stays."""
        cutoff = (now or _utcnow()) - self.idle
        with self.engine.begin() as connection:
            rows = (
                connection.execute(select(report_drafts.c.data).where(report_drafts.c.updated_at < cutoff))
                .scalars()
                .all()
            )
            connection.execute(delete(report_drafts).where(report_drafts.c.updated_at < cutoff))
        return [_data(raw) for raw in rows]
