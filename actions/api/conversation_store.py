"""What conversations leave behind: hand-off requests for human agents, and ratings.

SQL through SQLAlchemy (SQLite by default, any URL in settings). The agent inbox
that reads hand-off requests is a later piece; the requests are kept from now on.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Integer, String, Text, create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

__all__ = ["ConversationStore", "FeedbackRecord", "HandoffRecord"]


SQLITE_BUSY_TIMEOUT_MS = 5000


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
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


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


def _sqlite_pragmas(engine: Engine) -> None:
    """Every SQLite connection: WAL so readers never block the writer, ``synchronous=NORMAL``
    (durable in WAL mode, far fewer fsyncs than FULL), and a busy timeout so a write that meets
    another one waits instead of failing with "database is locked". Other databases are untouched."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()


class ConversationStore:
    def __init__(self, url: str) -> None:
        if url.startswith("sqlite:///") and ":memory:" not in url:
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine = create_engine(url)
        if self.engine.dialect.name == "sqlite":
            _sqlite_pragmas(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        _Base.metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def request_handoff(
        self, sender_id: str, channel: str, language: str, reason: str, transcript: list[dict[str, Any]]
    ) -> HandoffRecord:
        """Mark the conversation for a human; an open request is not duplicated."""
        with self._sessions.begin() as session:
            existing = session.scalar(
                select(HandoffRecord).where(HandoffRecord.sender_id == sender_id, HandoffRecord.status == "open")
            )
            if existing is not None:
                return existing
            record = HandoffRecord(
                sender_id=sender_id,
                channel=channel,
                language=language,
                reason=reason,
                transcript=json.dumps(transcript, ensure_ascii=False),
            )
            session.add(record)
            return record

    def open_handoffs(self) -> list[HandoffRecord]:
        with self._sessions() as session:
            return list(session.scalars(select(HandoffRecord).where(HandoffRecord.status == "open")))

    def record_feedback(
        self, sender_id: str, rating: str, question: str, answer: str, service_id: str | None
    ) -> FeedbackRecord:
        with self._sessions.begin() as session:
            record = FeedbackRecord(
                sender_id=sender_id, rating=rating, question=question, answer=answer, service_id=service_id
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
            record.comment = comment[:2000]
            return True

    def feedback(self) -> list[FeedbackRecord]:
        with self._sessions() as session:
            return list(session.scalars(select(FeedbackRecord).order_by(FeedbackRecord.id)))
