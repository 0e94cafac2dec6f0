"""Consents a citizen gave, and withdrew (table ``consents``): the record PDPA s.19 asks a controller to keep.

Two purposes: ``profile`` (keep the citizen's profile, journey progress and saved services, to offer
services and show them on the dashboard) and ``reminders`` (send reminders by LINE push or in the web
chat at the times the citizen chose). Every write of citizen data asks :meth:`ConsentBook.require`
first; without an active consent nothing is written (:class:`ConsentRequiredError`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal, get_args

from sqlalchemy import Engine, Row, delete, insert, select, update

from conversation.citizens.models import consents
from knowledge.database import as_utc

__all__ = ["PURPOSES", "Consent", "ConsentBook", "ConsentRequiredError", "Purpose"]

Purpose = Literal["profile", "reminders"]
PURPOSES: tuple[str, ...] = get_args(Purpose)


class ConsentRequiredError(Exception):
    """The citizen has not consented to ``purpose`` (or withdrew): nothing was stored."""

    def __init__(self, purpose: str) -> None:
        super().__init__(f"no consent for {purpose!r}")
        self.purpose = purpose


@dataclass(frozen=True)
class Consent:
    id: int
    citizen_id: str
    purpose: str
    wording_version: str
    language: str
    channel: str
    granted_at: dt.datetime
    withdrawn_at: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None

    def to_dict(self) -> dict[str, str | int | None]:
        return {
            "purpose": self.purpose,
            "wording_version": self.wording_version,
            "language": self.language,
            "channel": self.channel,
            "granted_at": self.granted_at.isoformat(),
            "withdrawn_at": self.withdrawn_at.isoformat() if self.withdrawn_at else None,
        }


def _consent(row: Row[Any]) -> Consent:
    values = row._mapping
    withdrawn = values["withdrawn_at"]
    return Consent(
        id=int(values["id"]),
        citizen_id=str(values["citizen_id"]),
        purpose=str(values["purpose"]),
        wording_version=str(values["wording_version"]),
        language=str(values["language"]),
        channel=str(values["channel"]),
        granted_at=as_utc(values["granted_at"]),
        withdrawn_at=as_utc(withdrawn) if withdrawn is not None else None,
    )


class ConsentBook:
    """Grant, withdraw and check consents; ``wording_version`` names the consent text shown."""

    def __init__(self, engine: Engine, wording_version: str) -> None:
        self.engine = engine
        self.wording_version = wording_version

    def grant(self, citizen_id: str, purpose: Purpose, language: str, channel: str, *, now: dt.datetime) -> Consent:
        """Record the consent; granting what is already active keeps the first record."""
        if purpose not in PURPOSES:
            raise ValueError(f"unknown purpose {purpose!r}")
        current = self.active(citizen_id, purpose)
        if current is not None:
            return current
        row = {
            "citizen_id": citizen_id,
            "purpose": purpose,
            "wording_version": self.wording_version,
            "language": language,
            "channel": channel,
            "granted_at": now,
            "withdrawn_at": None,
        }
        with self.engine.begin() as connection:
            new_id = connection.execute(insert(consents).values(**row)).inserted_primary_key
        assert new_id is not None
        return Consent(id=int(new_id[0]), **row)  # type: ignore[arg-type]

    def withdraw(self, citizen_id: str, purpose: Purpose, *, now: dt.datetime) -> bool:
        """Withdraw an active consent; False when there was none. The caller erases what it covered."""
        with self.engine.begin() as connection:
            result = connection.execute(
                update(consents)
                .where(consents.c.citizen_id == citizen_id, consents.c.purpose == purpose)
                .where(consents.c.withdrawn_at.is_(None))
                .values(withdrawn_at=now)
            )
        return bool(result.rowcount)

    def active(self, citizen_id: str, purpose: Purpose) -> Consent | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(consents)
                .where(consents.c.citizen_id == citizen_id, consents.c.purpose == purpose)
                .where(consents.c.withdrawn_at.is_(None))
                .order_by(consents.c.id.desc())
            ).first()
        return _consent(row) if row is not None else None

    def require(self, citizen_id: str, purpose: Purpose) -> Consent:
        """The active consent; :class:`ConsentRequiredError` when there is none."""
        found = self.active(citizen_id, purpose)
        if found is None:
            raise ConsentRequiredError(purpose)
        return found

    def history(self, citizen_id: str) -> list[Consent]:
        """Every consent the citizen gave, oldest first (for the export)."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(consents).where(consents.c.citizen_id == citizen_id).order_by(consents.c.id)
            ).all()
        return [_consent(row) for row in rows]

    def forget(self, citizen_id: str) -> int:
        """Erase the citizen's consent records (erasure on request: nothing of theirs is kept)."""
        with self.engine.begin() as connection:
            result = connection.execute(delete(consents).where(consents.c.citizen_id == citizen_id))
        return int(result.rowcount or 0)
