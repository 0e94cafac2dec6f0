"""The hand-off desk (issue 16): officers take, answer, hand back and close citizens' requests.

Revision ID: 0003
Revises: 0002
Created: 2026-12-02

- ``handoff_requests`` gains the desk's columns (who holds it, when, the outcome, a contact left
  with consent, LINE's reply token, the pick-up time-out notice, typing, what the officer read);
  its state ``open`` is now ``waiting``, and a partial unique index keeps one waiting or taken
  request per conversation (older duplicates, possible before, are marked ``cancelled``).
- ``handoff_messages``: what the citizen, the officer and the desk's notices said while it was open.
- ``agent_presence``: online or away, per officer.

A database made by ``create_all`` from today's models already has the columns: only the missing
ones are added. The models: actions/api/conversation_store.py (HandoffRecord) and
conversation/handoff/models.py; tests/knowledge/test_migrations.py checks they match.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

_OPEN = sa.text("status IN ('waiting', 'taken')")
_COLUMNS = (
    ("assigned_to", sa.String(120)),
    ("assigned_name", sa.String(120)),
    ("taken_at", sa.DateTime(timezone=True)),
    ("closed_at", sa.DateTime(timezone=True)),
    ("outcome", sa.String(16)),
    ("contact", sa.Text()),
    ("contact_asked_at", sa.DateTime(timezone=True)),
    ("reply_token", sa.String(255)),
    ("reply_token_at", sa.DateTime(timezone=True)),
    ("timeout_notified_at", sa.DateTime(timezone=True)),
    ("typing_until", sa.DateTime(timezone=True)),
    ("agent_seen_id", sa.Integer()),
)


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    present = {column["name"] for column in inspector.get_columns("handoff_requests")}
    with op.batch_alter_table("handoff_requests") as batch:
        for name, kind in _COLUMNS:
            if name not in present:
                batch.add_column(sa.Column(name, kind, nullable=True))
    indexes = {index["name"] for index in inspector.get_indexes("handoff_requests")}
    if "ix_handoff_requests_assigned_to" not in indexes:
        op.create_index("ix_handoff_requests_assigned_to", "handoff_requests", ["assigned_to"])
    op.execute("UPDATE handoff_requests SET status = 'waiting' WHERE status = 'open'")
    # Keep the newest open request of a conversation; the old code could leave two under a race.
    op.execute(
        "UPDATE handoff_requests SET status = 'cancelled' WHERE status = 'waiting' AND id < "
        "(SELECT MAX(other.id) FROM handoff_requests other "
        "WHERE other.sender_id = handoff_requests.sender_id AND other.status = 'waiting')"
    )
    if "ux_handoff_requests_open_sender" not in indexes:
        op.create_index(
            "ux_handoff_requests_open_sender",
            "handoff_requests",
            ["sender_id"],
            unique=True,
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        )
    op.create_table(
        "handoff_messages",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(160), nullable=False),
        sa.Column("author", sa.String(8), nullable=False),
        sa.Column("agent", sa.String(120), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_handoff_messages_handoff_id", "handoff_messages", ["handoff_id"])
    op.create_index("ix_handoff_messages_sender_id", "handoff_messages", ["sender_id"])
    op.create_table(
        "agent_presence",
        sa.Column("account", sa.String(120), primary_key=True),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("agent_presence")
    op.drop_table("handoff_messages")
    op.drop_index("ux_handoff_requests_open_sender", "handoff_requests")
    op.drop_index("ix_handoff_requests_assigned_to", "handoff_requests")
    op.execute("UPDATE handoff_requests SET status = 'open' WHERE status = 'waiting'")
    with op.batch_alter_table("handoff_requests") as batch:
        for name, _kind in reversed(_COLUMNS):
            batch.drop_column(name)
