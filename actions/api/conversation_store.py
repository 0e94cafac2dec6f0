"""What conversations leave behind: hand-off requests for human agents, and ratings.

SQL through SQLAlchemy (SQLite by default, PostgreSQL by URL; the tables come from migrations in
knowledge/migrations, ADR 0009, which must match the models below). The agent inbox
that reads hand-off requests is a later piece; the requests are kept from now on.
Texts are masked on write (national IDs, phones, e-mails: :mod:`nlu.pii`), whatever the caller
passed: defence in depth behind the masking of what reaches Rasa.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import DateTime, Index, Integer, String, Text, delete, select
from sqlalchemy import text as sql_text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from knowledge.database import create_store_engine
from knowledge.migrations.runner import upgrade
from nlu.pii import mask_deep, mask_pii

__all__ = ["OPEN_HANDOFF_STATES", "ActivityRecord", "ConversationStore", "FeedbackRecord", "HandoffRecord"]

# A request an officer still has to deal with: at most one per conversation (a partial unique index).
OPEN_HANDOFF_STATES = ("waiting", "taken")
_OPEN_WHERE = sql_text("status IN ('waiting', 'taken')")


class _Base(DeclarativeBase):
    pass


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class HandoffRecord(_Base):
    __tablename__ = "handoff_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sender_id: Mapped[str] = mapped_column(String(128), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(2))
    reason: Mapped[str] = mapped_column(String(32))  # asked | misses
    transcript: Mapped[str] = mapped_column(Text)  # JSON list of the last turns
    # waiting -> taken -> released | closed; waiting | taken -> cancelled (docs/handoff.md)
    status: Mapped[str] = mapped_column(String(16), default="waiting", index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    # The hand-off desk's columns (conversation/handoff, migration 0003).
    assigned_to: Mapped[str | None] = mapped_column(String(120), nullable=True, index=True)  # account name
    assigned_name: Mapped[str | None] = mapped_column(String(120), nullable=True)  # shown to the citizen
    taken_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # A phone or e-mail the citizen left with consent (/handoff_contact); clear for the officer only.
    contact: Mapped[str | None] = mapped_column(Text, nullable=True)
    contact_asked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # LINE: the reply token of the citizen's last message while held, for the officer's answer.
    reply_token: Mapped[str | None] = mapped_column(String(255), nullable=True)
    reply_token_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    timeout_notified_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    typing_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    agent_seen_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # last message the officer read

    __table_args__ = (
        Index(
            "ux_handoff_requests_open_sender",
            "sender_id",
            unique=True,
            sqlite_where=_OPEN_WHERE,
            postgresql_where=_OPEN_WHERE,
        ),
    )


class FeedbackRecord(_Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sender_id: Mapped[str] = mapped_column(String(128), index=True)
    rating: Mapped[str] = mapped_column(String(16))  # helpful | unhelpful
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    service_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ActivityRecord(_Base):
    """That a conversation exists and when it was last active (gateway.privacy: export, erase,
    retention). One row per Rasa sender id; ``erase_requested_at`` marks an erasure whose Rasa
    tracker part is still to be done (Rasa was unreachable), which the retention job retries."""

    __tablename__ = "conversation_activity"

    conversation_id: Mapped[str] = mapped_column(String(160), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    first_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    erase_requested_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ConversationStore:
    def __init__(self, url: str) -> None:
        self.engine = create_store_engine(url)  # WAL, synchronous and busy timeout on SQLite
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        upgrade(self.engine, "conversations")  # migrations, never create_all (ADR 0009)

    def close(self) -> None:
        self.engine.dispose()

    def request_handoff(
        self,
        sender_id: str,
        channel: str,
        language: str,
        reason: str,
        transcript: list[dict[str, Any]],
        now: dt.datetime | None = None,
    ) -> HandoffRecord:
        """Mark the conversation for a human; a waiting or taken request is returned, not duplicated.

        Two requests at once (two replicas, a double tap): the partial unique index lets one insert
        win, and the other returns the winner's row instead of an IntegrityError."""
        existing = self.open_handoff(sender_id)
        if existing is not None:
            return existing
        record = HandoffRecord(
            sender_id=sender_id,
            channel=channel,
            language=language,
            reason=reason,
            transcript=json.dumps(mask_deep(transcript), ensure_ascii=False),
            status="waiting",
            created_at=now or _now(),
        )
        try:
            with self._sessions.begin() as session:
                session.add(record)
            return record
        except IntegrityError:
            winner = self.open_handoff(sender_id)
            if winner is None:  # taken and closed in between: extremely unlikely, so say it loudly
                raise
            return winner

    def open_handoff(self, sender_id: str) -> HandoffRecord | None:
        """The conversation's waiting or taken request, if any."""
        with self._sessions() as session:
            return session.scalar(
                select(HandoffRecord).where(
                    HandoffRecord.sender_id == sender_id, HandoffRecord.status.in_(OPEN_HANDOFF_STATES)
                )
            )

    def open_handoffs(self) -> list[HandoffRecord]:
        with self._sessions() as session:
            query = select(HandoffRecord).where(HandoffRecord.status.in_(OPEN_HANDOFF_STATES))
            return list(session.scalars(query.order_by(HandoffRecord.id)))

    def record_feedback(
        self, sender_id: str, rating: str, question: str, answer: str, service_id: str | None
    ) -> FeedbackRecord:
        with self._sessions.begin() as session:
            record = FeedbackRecord(
                sender_id=sender_id,
                rating=rating,
                question=mask_pii(question),
                answer=mask_pii(answer),
                service_id=service_id,
            )
            session.add(record)
            return record

    def add_comment_to_latest(self, sender_id: str, comment: str) -> bool:
        with self._sessions.begin() as session:
            record = session.scalar(
                select(FeedbackRecord)
                .where(FeedbackRecord.sender_id == sender_id)
                .order_by(FeedbackRecord.id.desc())
                .limit(1)
            )
            if record is None:
                return False
            record.comment = mask_pii(comment)[:2000]
            return True

    def feedback(self) -> list[FeedbackRecord]:
        with self._sessions() as session:
            return list(session.scalars(select(FeedbackRecord).order_by(FeedbackRecord.id)))

    # --- privacy: activity, export, erasure and retention (gateway.privacy) ------------------

    def touch(self, conversation_id: str, channel: str, now: dt.datetime | None = None) -> None:
        """Record a turn of this conversation: created on the first, ``last_seen`` moved on every one.

        One upsert where the database has one, so two replicas answering a conversation's first
        turns at once cannot both insert it (the loser would fail on the primary key)."""
        when = now or _now()
        dialect = self.engine.dialect.name
        if dialect in ("postgresql", "sqlite"):
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            statement = insert(ActivityRecord).values(
                conversation_id=conversation_id, channel=channel, first_seen=when, last_seen=when
            )
            statement = statement.on_conflict_do_update(
                index_elements=[ActivityRecord.conversation_id], set_={"last_seen": statement.excluded.last_seen}
            )
            with self._sessions.begin() as session:
                session.execute(statement)
            return
        with self._sessions.begin() as session:
            record = session.get(ActivityRecord, conversation_id)
            if record is None:
                session.add(
                    ActivityRecord(conversation_id=conversation_id, channel=channel, first_seen=when, last_seen=when)
                )
            else:
                record.last_seen = when

    def activity(self, conversation_id: str) -> ActivityRecord | None:
        with self._sessions() as session:
            return session.get(ActivityRecord, conversation_id)

    def handoffs_of(self, conversation_id: str) -> list[HandoffRecord]:
        with self._sessions() as session:
            query = select(HandoffRecord).where(HandoffRecord.sender_id == conversation_id).order_by(HandoffRecord.id)
            return list(session.scalars(query))

    def feedback_of(self, conversation_id: str) -> list[FeedbackRecord]:
        with self._sessions() as session:
            query = (
                select(FeedbackRecord).where(FeedbackRecord.sender_id == conversation_id).order_by(FeedbackRecord.id)
            )
            return list(session.scalars(query))

    def erase_records(self, conversation_id: str, now: dt.datetime | None = None) -> dict[str, int]:
        """Delete the conversation's hand-off requests and feedback in one transaction, and mark its
        activity row (made if missing) for the Rasa part; :meth:`forget_activity` ends the erasure."""
        with self._sessions.begin() as session:
            handoffs = session.execute(delete(HandoffRecord).where(HandoffRecord.sender_id == conversation_id))
            feedback = session.execute(delete(FeedbackRecord).where(FeedbackRecord.sender_id == conversation_id))
            record = session.get(ActivityRecord, conversation_id)
            if record is None:  # a conversation from before activity was recorded: mark it all the same
                channel = conversation_id.partition(":")[0] if ":" in conversation_id else "unknown"
                record = ActivityRecord(conversation_id=conversation_id, channel=channel[:32])
                session.add(record)
            record.erase_requested_at = now or _now()
            return {"handoff_requests": _count(handoffs), "feedback": _count(feedback)}

    def forget_activity(self, conversation_id: str) -> int:
        """Delete the activity row (the last trace of the conversation here); 1 if there was one."""
        with self._sessions.begin() as session:
            return _count(
                session.execute(delete(ActivityRecord).where(ActivityRecord.conversation_id == conversation_id))
            )

    def delete_older_than(self, handoffs_before: dt.datetime, feedback_before: dt.datetime) -> dict[str, int]:
        """The retention of hand-off requests and feedback: rows created before the cut-offs go."""
        with self._sessions.begin() as session:
            handoffs = session.execute(delete(HandoffRecord).where(HandoffRecord.created_at < handoffs_before))
            feedback = session.execute(delete(FeedbackRecord).where(FeedbackRecord.created_at < feedback_before))
            return {"handoff_requests": _count(handoffs), "feedback": _count(feedback)}

    def conversations_to_forget(self, idle_before: dt.datetime) -> list[str]:
        """Conversations idle since before the cut-off, and those whose erasure is still pending."""
        with self._sessions() as session:
            query = select(ActivityRecord.conversation_id).where(
                (ActivityRecord.last_seen < idle_before) | ActivityRecord.erase_requested_at.is_not(None)
            )
            return list(session.scalars(query.order_by(ActivityRecord.last_seen)))


def _count(result: Any) -> int:
    """Rows a DELETE removed (SQLAlchemy's CursorResult.rowcount)."""
    return int(getattr(result, "rowcount", 0) or 0)
