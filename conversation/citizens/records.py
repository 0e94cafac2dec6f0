"""Everything the citizens store keeps about one citizen, exported, erased and dropped after retention.

Why one module over every table: an access request (PDPA s.30) and an erasure (s.33) must cover all
of it, including the tables other parts own (journeys, reminders, links); listing the tables here, in
one place, is what a test can hold against ``models.metadata`` so a new table is not forgotten.

"Touched" for retention (s.37(3)) is the newest timestamp the citizen's own rows carry: a consent given
or withdrawn, a profile saved, a journey started or a step ticked, a service saved, a reminder created,
due or sent, a conversation linked, a link code made. A citizen untouched ``kept_days`` is erased.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Column, Engine, Table, delete, func, or_, select

from conversation.citizens.models import (
    citizen_prompts,
    citizen_senders,
    consents,
    journey_progress,
    journey_starts,
    link_attempts,
    link_codes,
    profiles,
    reminders,
    saved_services,
)
from knowledge.database import as_utc

__all__ = ["CITIZEN_TABLES", "SENDER_TABLES", "CitizenRecords"]

# Every table keyed by the citizen id, and the columns that say when the citizen last touched it.
CITIZEN_TABLES: dict[Table, tuple[str, ...]] = {
    consents: ("granted_at", "withdrawn_at"),
    profiles: ("updated_at",),
    journey_starts: ("updated_at",),
    journey_progress: ("done_at",),
    saved_services: ("saved_at",),
    reminders: ("created_at", "due_at", "sent_at"),
    citizen_senders: ("linked_at",),
    link_codes: ("created_at", "used_at"),
}
# Tables keyed by a conversation (sender id): the open question, wrong link codes typed. Exported and
# erased for every conversation of the citizen; short-lived, so they do not count as touching the data.
SENDER_TABLES: tuple[Table, ...] = (citizen_prompts, link_attempts)
# Not exported: a code's hash says nothing about the citizen and only helps someone guess the code.
_NOT_EXPORTED = {link_codes.name: {"code_hash"}}
_JSON_COLUMNS = {profiles.name: {"situations"}, reminders.name: {"detail"}}


def _value(table: str, column: str, value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return as_utc(value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if column in _JSON_COLUMNS.get(table, set()) and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class CitizenRecords:
    """Export, erasure and retention over every table of the citizens store."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def citizen_of(self, sender: str) -> str:
        """The citizen a conversation belongs to (itself unless linked to another)."""
        with self.engine.connect() as connection:
            found = connection.execute(
                select(citizen_senders.c.citizen_id).where(citizen_senders.c.sender_id == sender)
            ).scalar()
        return str(found) if found else sender

    def senders_of(self, citizen_id: str) -> list[str]:
        """Every conversation of the citizen, their own first."""
        with self.engine.connect() as connection:
            linked = connection.execute(
                select(citizen_senders.c.sender_id).where(citizen_senders.c.citizen_id == citizen_id)
            ).scalars()
            return [citizen_id, *(str(sender) for sender in linked if sender != citizen_id)]

    def export(self, citizen_id: str) -> dict[str, Any]:
        """Every row of the citizen in every table (consent history, links and reminders included),
        plus the questions the bot is waiting an answer to in their conversations."""
        exported: dict[str, Any] = {"citizen_id": citizen_id}
        with self.engine.connect() as connection:
            for table in CITIZEN_TABLES:
                hidden = _NOT_EXPORTED.get(table.name, set())
                rows = connection.execute(select(table).where(table.c.citizen_id == citizen_id)).all()
                exported[table.name] = [
                    {
                        key: _value(table.name, key, value)
                        for key, value in row._mapping.items()
                        if key not in hidden and key != "citizen_id"
                    }
                    for row in rows
                ]
            senders = self.senders_of(citizen_id)
            for table in SENDER_TABLES:
                rows = connection.execute(select(table).where(table.c.sender_id.in_(senders))).all()
                exported[table.name] = [
                    {key: _value(table.name, key, value) for key, value in row._mapping.items()} for row in rows
                ]
        return exported

    def has_data(self, citizen_id: str) -> bool:
        exported = self.export(citizen_id)
        return any(rows for key, rows in exported.items() if key != "citizen_id")

    def erase(self, citizen_id: str) -> dict[str, int]:
        """Delete every row of the citizen in every table, and the rows of every conversation linked to
        them (open questions, wrong codes typed); the count per table. One transaction: all of it goes,
        or nothing does."""
        senders = self.senders_of(citizen_id)
        erased: dict[str, int] = {}
        with self.engine.begin() as connection:
            for sender_table in SENDER_TABLES:
                gone = connection.execute(delete(sender_table).where(sender_table.c.sender_id.in_(senders)))
                erased[sender_table.name] = int(gone.rowcount or 0)
            for table in CITIZEN_TABLES:
                condition = table.c.citizen_id == citizen_id
                if table is citizen_senders:  # and the citizen's own conversation where it was linked elsewhere
                    condition = or_(condition, citizen_senders.c.sender_id == citizen_id)
                if table is link_codes:  # codes the citizen's conversations redeemed
                    condition = or_(condition, link_codes.c.used_by.in_(senders))
                erased[table.name] = int(connection.execute(delete(table).where(condition)).rowcount or 0)
        return erased

    def last_touched(self) -> dict[str, dt.datetime]:
        """When each citizen last touched their data (the newest timestamp of their rows)."""
        newest: dict[str, dt.datetime] = {}
        with self.engine.connect() as connection:
            for table, columns in CITIZEN_TABLES.items():
                for name in columns:
                    column: Column[Any] = table.c[name]
                    query = select(table.c.citizen_id, func.max(column)).group_by(table.c.citizen_id)
                    for citizen_id, when in connection.execute(query):
                        if when is None:
                            continue
                        moment = as_utc(when)
                        key = str(citizen_id)
                        if key not in newest or moment > newest[key]:
                            newest[key] = moment
        return newest

    def purge(self, now: dt.datetime, kept_days: int) -> int:
        """Erase every citizen whose data nobody touched in ``kept_days``; how many citizens went."""
        cut = now - dt.timedelta(days=kept_days)
        idle = [citizen_id for citizen_id, when in self.last_touched().items() if when < cut]
        for citizen_id in idle:
            self.erase(citizen_id)
        return len(idle)
