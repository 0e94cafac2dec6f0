"""Drafts of catalogue services: written and reviewed apart from the live catalogue, published by a reviewer.

A draft lives in its own table (``service_drafts``), so saving one never changes what the bot and the
search read (``services``, ``service_versions``, the store's revision). It records who started it,
everyone who saved it (none of them may review it), the live version it was started from (publishing
refuses if the live service moved on since) and its own version counter, so two editors saving one
draft get a clear conflict instead of one overwriting the other. States::

    draft -> submitted -> published        (a reviewer who did not write it publishes)
      ^         |
      +---------+  returned with a reviewer's comment, or saved again by an editor
    draft | submitted -> discarded

The rules live here as functions over a row in an open transaction; :class:`knowledge.store.CatalogueStore`
opens the transactions (and writes the live version on publishing) so every change is one commit.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, get_args

from sqlalchemy import DateTime, Integer, String, Text, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from knowledge.database import as_utc
from knowledge.draft_messages import draft_messages
from knowledge.schema import Service

__all__ = [
    "DRAFT_STATES",
    "OPEN_STATES",
    "Draft",
    "DraftBase",
    "DraftConflictError",
    "DraftError",
    "DraftExistsError",
    "DraftIdTakenError",
    "DraftMismatchError",
    "DraftNotFoundError",
    "DraftStaleError",
    "DraftState",
    "DraftStateError",
    "LiveDeletedError",
    "OwnDraftError",
]

DraftState = Literal["draft", "submitted", "published", "discarded"]
DRAFT_STATES: tuple[DraftState, ...] = get_args(DraftState)
OPEN_STATES: tuple[DraftState, ...] = ("draft", "submitted")
_MAX_COMMENT_CHARS = 4000


class DraftError(ValueError):
    """A refused draft action: ``code`` is stable, ``str()`` English, :meth:`messages` both languages."""

    code = "draft_error"

    def __init__(self, **values: Any) -> None:
        self.values = values
        super().__init__(self.messages()["en"])

    def messages(self) -> dict[str, str]:
        return draft_messages(self.code, **self.values)


class DraftNotFoundError(DraftError, LookupError):
    code = "draft_not_found"


class DraftExistsError(DraftError):
    """The service already has an open draft; ``draft_id`` names it."""

    code = "draft_exists"

    @property
    def draft_id(self) -> int:
        return int(self.values["draft_id"])


class DraftStaleError(DraftError):
    """Someone saved the draft after the version the caller opened; nothing was written."""

    code = "draft_stale"


class DraftStateError(DraftError):
    code = "draft_state"


class DraftMismatchError(DraftError):
    code = "draft_mismatch"


class OwnDraftError(DraftError):
    """A reviewer may not return or publish a draft they wrote part of."""

    code = "own_draft"


class DraftConflictError(DraftError):
    """The live service moved past the draft's base version (or a new service's id was taken)."""

    code = "draft_conflict"


class DraftIdTakenError(DraftConflictError):
    """A draft of a new service, whose id another service took meanwhile."""

    code = "draft_id_taken"


class LiveDeletedError(DraftConflictError):
    """The live service the draft was started from was deleted meanwhile."""

    code = "draft_live_deleted"


def conflict(service_id: str, base: int | None, live: int | None) -> DraftConflictError:
    """The right refusal when the live service is not at the draft's base version."""
    if base is None:
        return DraftIdTakenError(service_id=service_id, base=base, live=live)
    if live is None:
        return LiveDeletedError(service_id=service_id, base=base, live=live)
    return DraftConflictError(service_id=service_id, base=base, live=live)


class DraftBase(DeclarativeBase):
    pass


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class DraftRow(DraftBase):
    __tablename__ = "service_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(String(80), index=True)
    base_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), index=True)
    data: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(120))
    contributors: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    submitted_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    reviewer: Mapped[str | None] = mapped_column(String(120), nullable=True)
    review_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    published_version: Mapped[int | None] = mapped_column(Integer, nullable=True)


@dataclass(frozen=True)
class Draft:
    """A draft as editors and reviewers see it."""

    id: int
    service_id: str
    base_version: int | None  # the live version it was started from; None: a new service
    version: int  # the draft's own counter: 1 when started, one more per save, submit or return
    state: DraftState
    author: str
    contributors: list[str]  # everyone who saved it, the author first
    service: Service
    updated_by: str
    created_at: dt.datetime
    updated_at: dt.datetime
    submitted_by: str | None
    reviewer: str | None
    review_comment: str | None
    published_version: int | None

    def to_dict(self) -> dict[str, Any]:
        """The draft as JSON: what the API returns."""
        return {
            "id": self.id,
            "service_id": self.service_id,
            "base_version": self.base_version,
            "version": self.version,
            "state": self.state,
            "author": self.author,
            "contributors": list(self.contributors),
            "updated_by": self.updated_by,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "submitted_by": self.submitted_by,
            "reviewer": self.reviewer,
            "review_comment": self.review_comment,
            "published_version": self.published_version,
            "service": self.service.model_dump(mode="json"),
        }


def to_draft(row: DraftRow) -> Draft:
    return Draft(
        id=row.id,
        service_id=row.service_id,
        base_version=row.base_version,
        version=row.version,
        state=row.state,  # type: ignore[arg-type]  # only DRAFT_STATES are ever written
        author=row.author,
        contributors=json.loads(row.contributors),
        service=Service.model_validate_json(row.data),
        updated_by=row.updated_by,
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
        submitted_by=row.submitted_by,
        reviewer=row.reviewer,
        review_comment=row.review_comment,
        published_version=row.published_version,
    )


def open_draft_of(session: Session, service_id: str) -> DraftRow | None:
    return session.scalar(
        select(DraftRow).where(DraftRow.service_id == service_id, DraftRow.state.in_(OPEN_STATES)).limit(1)
    )


def new_row(session: Session, service: Service, author: str, base_version: int | None) -> DraftRow:
    """Start a draft; refused when the service already has an open one (one place to continue)."""
    existing = open_draft_of(session, service.id)
    if existing is not None:
        raise DraftExistsError(service_id=service.id, draft_id=existing.id, author=existing.author)
    now = _now()
    row = DraftRow(
        service_id=service.id,
        base_version=base_version,
        version=1,
        state="draft",
        data=service.stored_json(),
        author=author,
        contributors=json.dumps([author], ensure_ascii=False),
        updated_by=author,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def row_for_update(session: Session, draft_id: int) -> DraftRow:
    row = session.get(DraftRow, draft_id, with_for_update=True)
    if row is None:
        raise DraftNotFoundError(draft_id=draft_id)
    return row


def list_rows(session: Session, service_id: str | None, states: Iterable[DraftState]) -> list[DraftRow]:
    query = select(DraftRow).where(DraftRow.state.in_(list(states)))
    if service_id is not None:
        query = query.where(DraftRow.service_id == service_id)
    return list(session.scalars(query.order_by(DraftRow.updated_at.desc(), DraftRow.id.desc())))


def _check(row: DraftRow, expected_version: int | None, action: str, states: Iterable[str]) -> None:
    if row.state not in states:
        raise DraftStateError(draft_id=row.id, state=row.state, action=action)
    if expected_version is not None and expected_version != row.version:
        raise DraftStaleError(
            draft_id=row.id, updated_by=row.updated_by, current=row.version, expected=expected_version
        )


def _touch(row: DraftRow, who: str) -> None:
    row.version += 1
    row.updated_by, row.updated_at = who, _now()


def save(row: DraftRow, service: Service, author: str, expected_version: int) -> None:
    """Replace the draft's content; a submitted draft goes back to ``draft`` and must be submitted again."""
    _check(row, expected_version, "saved", OPEN_STATES)
    if service.id != row.service_id:
        raise DraftMismatchError(draft_id=row.id, service_id=row.service_id, given=service.id)
    row.data = service.stored_json()
    contributors: list[str] = json.loads(row.contributors)
    if author not in contributors:
        row.contributors = json.dumps([*contributors, author], ensure_ascii=False)
    row.state = "draft"
    _touch(row, author)


def rebase(row: DraftRow, author: str, live_version: int | None, expected_version: int | None) -> None:
    """Take the live version now as the draft's base, after the editor compared the two: the draft's
    content stays, it goes back to ``draft`` (a reviewer sees the new diff), and the author counts as a
    writer of it."""
    _check(row, expected_version, "rebased", OPEN_STATES)
    row.base_version, row.state = live_version, "draft"
    contributors: list[str] = json.loads(row.contributors)
    if author not in contributors:
        row.contributors = json.dumps([*contributors, author], ensure_ascii=False)
    _touch(row, author)


def submit(row: DraftRow, author: str, expected_version: int | None) -> None:
    _check(row, expected_version, "submitted", ("draft",))
    row.state, row.submitted_by = "submitted", author
    _touch(row, author)


def check_reviewer(row: DraftRow, reviewer: str, expected_version: int | None, action: str) -> None:
    """A reviewer acts on a submitted draft they had no hand in, as they last saw it."""
    _check(row, expected_version, action, ("submitted",))
    if reviewer in json.loads(row.contributors):
        raise OwnDraftError(draft_id=row.id, reviewer=reviewer)


def give_back(row: DraftRow, reviewer: str, comment: str, expected_version: int | None) -> None:
    check_reviewer(row, reviewer, expected_version, "returned")
    row.state, row.reviewer = "draft", reviewer
    row.review_comment = comment.strip()[:_MAX_COMMENT_CHARS] or None
    _touch(row, reviewer)


def discard(row: DraftRow, author: str, expected_version: int | None) -> None:
    _check(row, expected_version, "discarded", OPEN_STATES)
    row.state = "discarded"
    _touch(row, author)


def mark_published(row: DraftRow, reviewer: str, live_version: int) -> None:
    row.state, row.reviewer, row.published_version = "published", reviewer, live_version
    _touch(row, reviewer)


def content(row: DraftRow) -> Service:
    return Service.model_validate_json(row.data)
