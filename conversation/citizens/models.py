"""The citizens store's tables (database ``store.citizens_url``), created by its migrations only.

A *citizen id* is the conversation id (sender) the citizen first gave consent from: ``line:U...`` or a
web widget's sender id. ``citizen_senders`` maps every other conversation linked to it with a one-time
code (``link_codes``, only the code's hash is kept). Every other table is keyed by the citizen id, so
export and erasure of one citizen are one ``WHERE citizen_id = ?`` per table.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

__all__ = [
    "citizen_prompts",
    "citizen_senders",
    "consents",
    "journey_progress",
    "journey_starts",
    "link_attempts",
    "link_codes",
    "metadata",
    "profiles",
    "reminders",
    "saved_services",
]

metadata = MetaData()
_WHEN = DateTime(timezone=True)

# A conversation linked to a citizen other than itself (the web chat linked to a LINE account).
citizen_senders = Table(
    "citizen_senders",
    metadata,
    Column("sender_id", String(160), primary_key=True),
    Column("citizen_id", String(160), nullable=False),
    Column("channel", String(16), nullable=False),  # line | web
    Column("linked_at", _WHEN, nullable=False),
    Index("ix_citizen_senders_citizen_id", "citizen_id"),
)

# One-time codes that link a second conversation to a citizen; the code itself is never stored.
link_codes = Table(
    "link_codes",
    metadata,
    Column("code_hash", String(64), primary_key=True),  # sha256 hex of the code
    Column("citizen_id", String(160), nullable=False),
    Column("created_at", _WHEN, nullable=False),
    Column("expires_at", _WHEN, nullable=False),
    Column("used_at", _WHEN, nullable=True),
    Column("used_by", String(160), nullable=True),  # the sender that redeemed it
    Index("ix_link_codes_citizen_id", "citizen_id"),
)

# A wrong link code typed in a conversation (dashboard helper, conversation/citizens/linking.py): after
# settings.citizens.link_code_attempts of them within link_code_minutes the conversation must wait.
# Rows older than the window are deleted as new ones come; the code typed is not kept.
link_attempts = Table(
    "link_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sender_id", String(160), nullable=False),
    Column("attempted_at", _WHEN, nullable=False),
    Index("ix_link_attempts_sender_id", "sender_id", "attempted_at"),
)

# A consent given (and, once withdrawn, the moment): the record PDPA s.19 asks the controller to keep.
consents = Table(
    "consents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("citizen_id", String(160), nullable=False),
    Column("purpose", String(20), nullable=False),  # profile | reminders
    Column("wording_version", String(20), nullable=False),  # which consent text the citizen was shown
    Column("language", String(2), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("granted_at", _WHEN, nullable=False),
    Column("withdrawn_at", _WHEN, nullable=True),
    Index("ix_consents_citizen_id", "citizen_id", "purpose"),
)

# What the citizen told the bot about themself; every field may be unknown (None).
profiles = Table(
    "profiles",
    metadata,
    Column("citizen_id", String(160), primary_key=True),
    Column("birth_year", Integer, nullable=True),  # Common Era
    Column("birth_date", Date, nullable=True),  # only when the citizen gave the day
    Column("nationality", String(10), nullable=True),  # thai | foreign
    Column("province", String(80), nullable=True),  # Thai name, as in knowledge/reports/places.py
    Column("situations", Text, nullable=False, default="[]"),  # JSON list of knowledge.eligibility situations
    Column("situations_known", Boolean, nullable=False, default=False),
    Column("language", String(2), nullable=False),  # the language reminders are sent in
    Column("version", Integer, nullable=False),
    Column("created_at", _WHEN, nullable=False),
    Column("updated_at", _WHEN, nullable=False),
)

# A journey the citizen follows, with the day of the life event its deadlines count from.
journey_starts = Table(
    "journey_starts",
    metadata,
    Column("citizen_id", String(160), nullable=False),
    Column("journey_id", String(80), nullable=False),
    Column("event_date", Date, nullable=True),  # None: the citizen did not say when it happened
    Column("started_at", _WHEN, nullable=False),
    Column("updated_at", _WHEN, nullable=False),
    PrimaryKeyConstraint("citizen_id", "journey_id"),
)

# A step the citizen ticked as done (one row per step; unticking deletes it).
journey_progress = Table(
    "journey_progress",
    metadata,
    Column("citizen_id", String(160), nullable=False),
    Column("journey_id", String(80), nullable=False),
    Column("service_id", String(80), nullable=False),
    Column("done_at", _WHEN, nullable=False),
    PrimaryKeyConstraint("citizen_id", "journey_id", "service_id"),
)

saved_services = Table(
    "saved_services",
    metadata,
    Column("citizen_id", String(160), nullable=False),
    Column("service_id", String(80), nullable=False),
    Column("saved_at", _WHEN, nullable=False),
    PrimaryKeyConstraint("citizen_id", "service_id"),
)

# A reminder the citizen opted into, sent by the scheduler at ``due_at`` (conversation/citizens/scheduler.py).
# A claim is a lease (``claimed_until``): a replica that dies while sending leaves the row to be claimed again.
reminders = Table(
    "reminders",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("citizen_id", String(160), nullable=False),
    Column("kind", String(24), nullable=False),  # journey_deadline | document_expiry
    Column("subject", String(80), nullable=False),  # the journey id or the service id it is about
    Column("detail", Text, nullable=False, default="{}"),  # JSON: what the message needs (step, expiry date ...)
    Column("language", String(2), nullable=False),
    Column("due_at", _WHEN, nullable=False),
    Column("status", String(10), nullable=False),  # pending | ready (web) | sent | cancelled | skipped | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("claimed_until", _WHEN, nullable=True),
    Column("sent_at", _WHEN, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", _WHEN, nullable=False),
    Index("ix_reminders_due", "status", "due_at"),
    Index("ix_reminders_citizen_id", "citizen_id"),
)

# The question the citizens desk is waiting for an answer to in one conversation ("your birth year?"),
# so the next message is read as its answer. It holds no answer itself; it expires with ``expires_at``.
citizen_prompts = Table(
    "citizen_prompts",
    metadata,
    Column("sender_id", String(160), primary_key=True),
    Column("prompt", String(40), nullable=False),  # which handler asked, and what (e.g. profile.birth_year)
    Column("data", Text, nullable=False, default="{}"),  # JSON the handler needs to read the answer
    Column("expires_at", _WHEN, nullable=False),
)
