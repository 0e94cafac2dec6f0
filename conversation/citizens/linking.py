"""One citizen on both channels: a one-time code links a second conversation to the first (issue 17, point 6).

The citizen asks for a code in one conversation (LINE, say) and types it in the other (the web chat);
that conversation then belongs to the first one's citizen id (:class:`CitizenIdentity`), so the profile,
journeys, saved services and reminders follow. Only the code's sha256 is stored, with who issued it
and until when; a code works once.

Guessing must not pay: a code is 6 digits, so a conversation that types
``link_code_attempts`` wrong codes within ``link_code_minutes`` must wait until the oldest of them
leaves that window, and while it waits even a right code is refused (``wait``). With the default 5
tries per 10 minutes and a code alive for 10 minutes, one conversation has about a 1 in 200,000
chance of hitting a live code; the attempts are per conversation and kept in the database, so a
restart or another replica does not reset them.

A conversation that keeps data of its own (it gave a consent itself) is not linked: its data would
either be lost or mixed with someone else's without the citizen seeing it. The answer says to link
the other way round (ask for the code here) or delete this chat's data first (docs/dashboard.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from conversation.citizens.consents import PURPOSES, ConsentBook
from conversation.citizens.identity import CitizenIdentity
from conversation.citizens.models import link_attempts, link_codes
from knowledge.database import as_utc

__all__ = ["CODE_DIGITS", "IssuedCode", "LinkCodes", "LinkOutcome", "LinkResult", "as_code", "code_hash"]

CODE_DIGITS = 6
_CODE_SHAPE = re.compile(r"^\d{6}$")
_SEPARATORS = re.compile(r"[\s\-.]")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")

LinkOutcome = Literal["linked", "unknown", "expired", "used", "wait", "same", "has_data"]


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def as_code(said: str) -> str | None:
    """The code in what was typed ("123 456", "๑๒๓๔๕๖", "123-456"), or None when it is not one."""
    candidate = _SEPARATORS.sub("", said.translate(_THAI_DIGITS))
    return candidate if _CODE_SHAPE.match(candidate) else None


@dataclass(frozen=True)
class IssuedCode:
    code: str  # said to the citizen once; never stored
    expires_at: dt.datetime


@dataclass(frozen=True)
class LinkResult:
    outcome: LinkOutcome
    citizen_id: str | None = None  # linked: the citizen the conversation now belongs to
    retry_after: dt.timedelta | None = None  # wait: until another code may be tried


class LinkCodes:
    """Issue and redeem one-time link codes."""

    def __init__(
        self, engine: Engine, identity: CitizenIdentity, consents: ConsentBook, *, minutes: float, attempts: int
    ) -> None:
        self.engine = engine
        self.identity = identity
        self.consents = consents
        self.window = dt.timedelta(minutes=minutes)
        self.attempts = attempts

    def issue(self, citizen_id: str, *, now: dt.datetime) -> IssuedCode:
        """A new code for ``citizen_id``; the citizen's earlier unused codes stop working.

        The caller checks the ``profile`` consent first: a link is kept data."""
        self.consents.require(citizen_id, "profile")
        expires_at = now + self.window
        with self.engine.begin() as connection:
            connection.execute(
                delete(link_codes).where(
                    (link_codes.c.expires_at <= now - self.window)
                    | ((link_codes.c.citizen_id == citizen_id) & link_codes.c.used_at.is_(None))
                )
            )
        while True:
            code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
            row = {"code_hash": code_hash(code), "citizen_id": citizen_id, "created_at": now, "expires_at": expires_at}
            try:
                with self.engine.begin() as connection:
                    connection.execute(insert(link_codes).values(**row))
            except IntegrityError:  # the same six digits are live for someone else: draw again
                continue
            return IssuedCode(code, expires_at)

    def wait_for(self, sender: str, *, now: dt.datetime) -> dt.timedelta | None:
        """How long ``sender`` must wait before trying a code, or None when it may try now."""
        since = now - self.window
        with self.engine.connect() as connection:
            count, oldest = connection.execute(
                select(func.count(), func.min(link_attempts.c.attempted_at)).where(
                    link_attempts.c.sender_id == sender, link_attempts.c.attempted_at > since
                )
            ).one()
        if int(count or 0) < self.attempts or oldest is None:
            return None
        return as_utc(oldest) + self.window - now

    def redeem(self, sender: str, code: str, channel: str, *, now: dt.datetime) -> LinkResult:
        """Link ``sender`` to the citizen who was issued ``code``, if the code is live and unused."""
        waiting = self.wait_for(sender, now=now)
        if waiting is not None:
            return LinkResult("wait", retry_after=waiting)
        digest = code_hash(code) if _CODE_SHAPE.match(code) else ""
        with self.engine.connect() as connection:
            row = connection.execute(select(link_codes).where(link_codes.c.code_hash == digest)).first()
        if row is None:
            self._failed(sender, now)
            return LinkResult("unknown")
        if row.used_at is not None:
            self._failed(sender, now)
            return LinkResult("used")
        if as_utc(row.expires_at) <= now:
            self._failed(sender, now)
            return LinkResult("expired")
        citizen_id = str(row.citizen_id)
        if self.identity.citizen_of(sender) == citizen_id or sender == citizen_id:
            return LinkResult("same", citizen_id)
        if self._keeps_own_data(sender):
            return LinkResult("has_data")
        with self.engine.begin() as connection:
            claimed = connection.execute(
                update(link_codes)
                .where(link_codes.c.code_hash == digest, link_codes.c.used_at.is_(None))
                .values(used_at=now, used_by=sender)
            ).rowcount
        if not claimed:  # another replica redeemed it a moment ago
            return LinkResult("used")
        self.identity.link(sender, citizen_id, channel, now=now)
        with self.engine.begin() as connection:
            connection.execute(delete(link_attempts).where(link_attempts.c.sender_id == sender))
        return LinkResult("linked", citizen_id)

    def unlink(self, sender: str) -> list[str]:
        """Separate conversations: a linked one from its citizen, or the citizen's own one from every
        conversation linked to it. The conversations now on their own, each keeping nothing."""
        citizen_id = self.identity.citizen_of(sender)
        if citizen_id != sender:
            return [sender] if self.identity.unlink(sender) else []
        others = [linked.sender for linked in self.identity.linked_to(sender)]
        for other in others:
            self.identity.unlink(other)
        return others

    def _keeps_own_data(self, sender: str) -> bool:
        """Does ``sender`` hold data of its own? Nothing is stored without a consent, so a consent says it."""
        if self.identity.citizen_of(sender) != sender:
            return False  # a conversation linked elsewhere keeps nothing itself: it may move
        if self.identity.linked_to(sender):
            return True  # other conversations follow this one
        return any(self.consents.active(sender, purpose) is not None for purpose in PURPOSES)  # type: ignore[arg-type]

    def _failed(self, sender: str, now: dt.datetime) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(link_attempts).where(link_attempts.c.attempted_at <= now - self.window))
            connection.execute(insert(link_attempts).values(sender_id=sender, attempted_at=now))
