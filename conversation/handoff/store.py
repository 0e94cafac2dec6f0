"""The hand-off desk's rows: requests (``handoff_requests``), their messages, officers' presence.

Every change of state is one conditional UPDATE (``... WHERE id = ? AND status = 'waiting'``), so two
officers taking the same request at once, on one replica or several, cannot both win: the loser's
update touches no row and gets a :class:`HandoffStateError` that says who holds it. Texts are masked
(:func:`nlu.pii.mask_pii`) before they are stored, whoever wrote them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.orm import sessionmaker

from actions.api.conversation_store import OPEN_HANDOFF_STATES, HandoffRecord
from conversation.handoff.models import agent_presence, handoff_messages
from knowledge.database import as_utc
from nlu.pii import mask_pii

__all__ = [
    "FINISHED_STATES",
    "OUTCOMES",
    "Author",
    "HandoffMessage",
    "HandoffNotFoundError",
    "HandoffStateError",
    "HandoffStore",
    "ListState",
]

Author = Literal["citizen", "agent", "system"]
ListState = Literal["open", "waiting", "taken", "closed", "all"]
OUTCOMES = ("answered", "referred", "no_reply", "abusive")
FINISHED_STATES = ("released", "closed", "cancelled")
MAX_TEXT_CHARS = 4000


def _rowcount(result: Any) -> int:
    """Rows an UPDATE or DELETE touched (SQLAlchemy's CursorResult.rowcount)."""
    return int(getattr(result, "rowcount", 0) or 0)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class HandoffNotFoundError(LookupError):
    def __init__(self, handoff_id: int) -> None:
        super().__init__(f"no hand-off request {handoff_id}")
        self.handoff_id = handoff_id


class HandoffStateError(Exception):
    """The request is not in a state that allows this (taken by someone else, already closed ...)."""

    def __init__(self, record: HandoffRecord, problem: str) -> None:
        super().__init__(f"request {record.id} is {record.status}: {problem}")
        self.state = record.status
        self.assigned_to = record.assigned_to
        self.problem = problem


@dataclass(frozen=True)
class HandoffMessage:
    id: int
    handoff_id: int
    sender_id: str
    author: Author
    agent: str | None
    text: str
    created_at: dt.datetime

    @classmethod
    def from_row(cls, row: Any) -> HandoffMessage:
        return cls(row.id, row.handoff_id, row.sender_id, row.author, row.agent, row.text, as_utc(row.created_at))


class HandoffStore:
    """Built on the conversation store's engine (one pool per process; its migrations made the tables)."""

    def __init__(self, engine: Engine, clock: Callable[[], dt.datetime] = _utcnow) -> None:
        self.engine = engine
        self.now = clock
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    # --- requests ---------------------------------------------------------------------------

    def get(self, handoff_id: int) -> HandoffRecord:
        with self._sessions() as session:
            record = session.get(HandoffRecord, handoff_id)
        if record is None:
            raise HandoffNotFoundError(handoff_id)
        return record

    def open_for(self, sender_id: str) -> HandoffRecord | None:
        """The conversation's waiting or taken request."""
        with self._sessions() as session:
            return session.scalar(
                select(HandoffRecord).where(
                    HandoffRecord.sender_id == sender_id, HandoffRecord.status.in_(OPEN_HANDOFF_STATES)
                )
            )

    def latest_for(self, sender_id: str) -> HandoffRecord | None:
        with self._sessions() as session:
            return session.scalar(
                select(HandoffRecord)
                .where(HandoffRecord.sender_id == sender_id)
                .order_by(HandoffRecord.id.desc())
                .limit(1)
            )

    def requests(self, state: ListState = "open", mine: str | None = None, limit: int = 500) -> list[HandoffRecord]:
        """Oldest first for the open lists (who waited longest comes first), newest first for the rest."""
        query = select(HandoffRecord)
        states: Sequence[str] | None = {
            "open": OPEN_HANDOFF_STATES,
            "waiting": ("waiting",),
            "taken": ("taken",),
            "closed": FINISHED_STATES,
            "all": None,
        }[state]
        if states is not None:
            query = query.where(HandoffRecord.status.in_(states))
        if mine is not None:
            query = query.where(HandoffRecord.assigned_to == mine)
        order = HandoffRecord.id.asc() if state in ("open", "waiting", "taken") else HandoffRecord.id.desc()
        with self._sessions() as session:
            return list(session.scalars(query.order_by(order).limit(limit)))

    def _change(self, handoff_id: int, allowed: Iterable[str], agent: str | None, **values: Any) -> HandoffRecord:
        """Move the request on if it is in one of ``allowed`` (and, when taken, held by ``agent``)."""
        allowed = tuple(allowed)
        condition = (HandoffRecord.id == handoff_id) & HandoffRecord.status.in_(allowed)
        if agent is not None:
            condition &= (HandoffRecord.status != "taken") | (HandoffRecord.assigned_to == agent)
        with self._sessions.begin() as session:
            changed = session.execute(update(HandoffRecord).where(condition).values(**values))
        record = self.get(handoff_id)
        if not _rowcount(changed):
            if record.status == "taken" and agent is not None and record.assigned_to != agent:
                raise HandoffStateError(record, f"taken by {record.assigned_to}")
            raise HandoffStateError(record, f"must be {' or '.join(allowed)}")
        return record

    def take(self, handoff_id: int, agent: str, display_name: str) -> HandoffRecord:
        record = self.get(handoff_id)
        if record.status == "taken" and record.assigned_to == agent:
            return record  # a second click: already mine
        return self._change(
            handoff_id,
            ("waiting",),
            None,
            status="taken",
            assigned_to=agent,
            assigned_name=display_name,
            taken_at=self.now(),
        )

    def forward(self, handoff_id: int, agent: str, to: str, display_name: str) -> HandoffRecord:
        return self._change(
            handoff_id, ("taken",), agent, assigned_to=to, assigned_name=display_name, agent_seen_id=None
        )

    def finish(
        self, handoff_id: int, agent: str | None, state: str, allowed: Iterable[str], outcome: str | None = None
    ) -> HandoffRecord:
        """released | closed | cancelled; ``agent`` None: the citizen (no holder to check). A citizen who
        cancels withdraws the consent a contact was left with, so the contact goes too."""
        withdrawn = {"contact": None} if state == "cancelled" else {}
        return self._change(
            handoff_id,
            allowed,
            agent,
            status=state,
            outcome=outcome,
            closed_at=self.now(),
            typing_until=None,
            **withdrawn,
        )

    def set_typing(self, handoff_id: int, agent: str, seconds: float) -> HandoffRecord:
        until = self.now() + dt.timedelta(seconds=seconds)
        return self._change(handoff_id, ("taken",), agent, typing_until=until)

    def mark_seen(self, handoff_id: int, message_id: int) -> None:
        with self._sessions.begin() as session:
            session.execute(
                update(HandoffRecord).where(HandoffRecord.id == handoff_id).values(agent_seen_id=message_id)
            )

    def keep_reply_token(self, handoff_id: int, token: str | None) -> None:
        with self._sessions.begin() as session:
            session.execute(
                update(HandoffRecord)
                .where(HandoffRecord.id == handoff_id)
                .values(reply_token=token, reply_token_at=self.now() if token else None)
            )

    def take_reply_token(self, handoff_id: int, max_age_seconds: float) -> str | None:
        """The kept reply token if young enough, used once (a LINE token answers one reply)."""
        record = self.get(handoff_id)
        token, at = record.reply_token, record.reply_token_at
        if not token or at is None:
            return None
        with self._sessions.begin() as session:
            cleared = session.execute(
                update(HandoffRecord)
                .where(HandoffRecord.id == handoff_id, HandoffRecord.reply_token == token)
                .values(reply_token=None, reply_token_at=None)
            )
        fresh = (self.now() - as_utc(at)).total_seconds() < max_age_seconds
        return token if fresh and _rowcount(cleared) else None

    def ask_contact(self, handoff_id: int) -> None:
        with self._sessions.begin() as session:
            session.execute(
                update(HandoffRecord).where(HandoffRecord.id == handoff_id).values(contact_asked_at=self.now())
            )

    def save_contact(self, handoff_id: int, contact: str) -> None:
        with self._sessions.begin() as session:
            session.execute(
                update(HandoffRecord)
                .where(HandoffRecord.id == handoff_id)
                .values(contact=contact[:200], contact_asked_at=None)
            )

    def due_for_timeout(self, waited_since: dt.datetime) -> list[HandoffRecord]:
        """Waiting requests created before ``waited_since`` whose citizen was not told yet."""
        query = select(HandoffRecord).where(
            HandoffRecord.status == "waiting",
            HandoffRecord.created_at < waited_since,
            HandoffRecord.timeout_notified_at.is_(None),
        )
        with self._sessions() as session:
            return list(session.scalars(query.order_by(HandoffRecord.id)))

    def mark_timeout_notified(self, handoff_id: int) -> bool:
        """True for the one sweeper (of several replicas) that gets to tell the citizen."""
        with self._sessions.begin() as session:
            changed = session.execute(
                update(HandoffRecord)
                .where(HandoffRecord.id == handoff_id, HandoffRecord.timeout_notified_at.is_(None))
                .values(timeout_notified_at=self.now(), contact_asked_at=self.now())
            )
        return bool(_rowcount(changed))

    # --- messages ---------------------------------------------------------------------------

    def add_message(self, record: HandoffRecord, author: Author, text: str, agent: str | None = None) -> HandoffMessage:
        said = mask_pii(text.replace("\x00", ""))[:MAX_TEXT_CHARS]  # PostgreSQL refuses NUL
        created = self.now()
        row: dict[str, Any] = {
            "handoff_id": record.id,
            "sender_id": record.sender_id,
            "author": author,
            "agent": agent,
            "text": said,
            "created_at": created,
        }
        with self.engine.begin() as connection:
            key = connection.execute(insert(handoff_messages).values(row)).inserted_primary_key
        assert key is not None
        return HandoffMessage(int(key[0]), record.id, record.sender_id, author, agent, said, created)

    def messages(self, handoff_id: int, after: int = 0) -> list[HandoffMessage]:
        query = select(handoff_messages).where(
            handoff_messages.c.handoff_id == handoff_id, handoff_messages.c.id > after
        )
        with self.engine.connect() as connection:
            return [HandoffMessage.from_row(row) for row in connection.execute(query.order_by(handoff_messages.c.id))]

    def messages_of_sender(
        self, sender_id: str, after: int = 0, authors: Sequence[Author] = ("agent", "system"), limit: int = 200
    ) -> list[HandoffMessage]:
        query = select(handoff_messages).where(
            handoff_messages.c.sender_id == sender_id,
            handoff_messages.c.id > after,
            handoff_messages.c.author.in_(authors),
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query.order_by(handoff_messages.c.id).limit(limit))
            return [HandoffMessage.from_row(row) for row in rows]

    def last_citizen_message(self, handoff_id: int) -> HandoffMessage | None:
        query = (
            select(handoff_messages)
            .where(handoff_messages.c.handoff_id == handoff_id, handoff_messages.c.author == "citizen")
            .order_by(handoff_messages.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return None if row is None else HandoffMessage.from_row(row)

    def unread(self, handoff_id: int, seen: int | None) -> int:
        query = select(func.count()).where(
            handoff_messages.c.handoff_id == handoff_id,
            handoff_messages.c.author == "citizen",
            handoff_messages.c.id > (seen or 0),
        )
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    # --- presence ---------------------------------------------------------------------------

    def set_presence(self, account: str, status: str) -> None:
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(agent_presence)
                .where(agent_presence.c.account == account)
                .values(status=status, updated_at=self.now())
            )
            if not changed.rowcount:
                connection.execute(insert(agent_presence).values(account=account, status=status, updated_at=self.now()))

    def presence(self) -> dict[str, str]:
        with self.engine.connect() as connection:
            return {row.account: row.status for row in connection.execute(select(agent_presence))}

    # --- figures and privacy ------------------------------------------------------------------

    def between(
        self,
        start: dt.datetime,
        end: dt.datetime | None = None,
        channel: str | None = None,
        language: str | None = None,
    ) -> list[HandoffRecord]:
        """Requests made from ``start`` to before ``end``, of one channel or language if given."""
        query = select(HandoffRecord).where(HandoffRecord.created_at >= start)
        if end is not None:
            query = query.where(HandoffRecord.created_at < end)
        if channel is not None:
            query = query.where(HandoffRecord.channel == channel)
        if language is not None:
            query = query.where(HandoffRecord.language == language)
        with self._sessions() as session:
            return list(session.scalars(query.order_by(HandoffRecord.id)))

    def messages_for_export(self, sender_id: str) -> list[HandoffMessage]:
        return self.messages_of_sender(sender_id, 0, ("citizen", "agent", "system"), limit=100_000)

    def erase_messages(self, sender_id: str) -> int:
        with self.engine.begin() as connection:
            result = connection.execute(delete(handoff_messages).where(handoff_messages.c.sender_id == sender_id))
        return int(result.rowcount or 0)

    def delete_messages_older_than(self, before: dt.datetime) -> int:
        with self.engine.begin() as connection:
            result = connection.execute(delete(handoff_messages).where(handoff_messages.c.created_at < before))
        return int(result.rowcount or 0)
