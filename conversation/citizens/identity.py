"""Which citizen a conversation belongs to (table ``citizen_senders``).

A conversation that was never linked is its own citizen: its sender id is the citizen id. Linking a
second conversation (the web chat to a LINE account, conversation/citizens/linking.py) records it
here, so the profile, journeys and reminders the first one keeps follow the citizen to the second.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, delete, insert, select, update

from conversation.citizens.models import citizen_senders
from knowledge.database import as_utc

__all__ = ["CitizenIdentity", "LinkedSender"]


@dataclass(frozen=True)
class LinkedSender:
    sender: str
    citizen_id: str
    channel: str
    linked_at: dt.datetime


class CitizenIdentity:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def citizen_of(self, sender: str) -> str:
        with self.engine.connect() as connection:
            found = connection.execute(
                select(citizen_senders.c.citizen_id).where(citizen_senders.c.sender_id == sender)
            ).scalar()
        return str(found) if found else sender

    def link(self, sender: str, citizen_id: str, channel: str, *, now: dt.datetime) -> None:
        """Make ``sender`` a conversation of ``citizen_id`` (a sender linked elsewhere before moves)."""
        if sender == citizen_id:
            with self.engine.begin() as connection:
                connection.execute(delete(citizen_senders).where(citizen_senders.c.sender_id == sender))
            return
        with self.engine.begin() as connection:
            moved = connection.execute(
                update(citizen_senders)
                .where(citizen_senders.c.sender_id == sender)
                .values(citizen_id=citizen_id, channel=channel, linked_at=now)
            ).rowcount
            if not moved:
                row = {"sender_id": sender, "citizen_id": citizen_id, "channel": channel, "linked_at": now}
                connection.execute(insert(citizen_senders).values(**row))

    def unlink(self, sender: str) -> bool:
        with self.engine.begin() as connection:
            result = connection.execute(delete(citizen_senders).where(citizen_senders.c.sender_id == sender))
        return bool(result.rowcount)

    def linked_to(self, citizen_id: str) -> list[LinkedSender]:
        """The other conversations linked to ``citizen_id`` (not the citizen's own first one)."""
        with self.engine.connect() as connection:
            query = select(citizen_senders).where(citizen_senders.c.citizen_id == citizen_id)
            rows = connection.execute(query.order_by(citizen_senders.c.linked_at)).all()
        return [LinkedSender(row.sender_id, row.citizen_id, row.channel, as_utc(row.linked_at)) for row in rows]

    def senders_of(self, citizen_id: str) -> list[str]:
        """Every conversation of the citizen, their own first."""
        return [citizen_id, *(linked.sender for linked in self.linked_to(citizen_id))]

    def forget(self, citizen_id: str) -> int:
        """Erase every link of the citizen (erasure on request)."""
        with self.engine.begin() as connection:
            result = connection.execute(delete(citizen_senders).where(citizen_senders.c.citizen_id == citizen_id))
        return int(result.rowcount or 0)
