"""The LINE event queue as it was before migrations (it is also the de-duplication set).

Revision ID: 0001
Revises:
Created: 2026-12-01

Creates the table only when it is missing (knowledge/migrations/adoption.py), so a catalogue file
that already holds the queue from before migrations is taken over as it is. The table is defined
in channels/line/queue.py; tests/knowledge/test_migrations.py checks both describe the same schema.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from knowledge.migrations.adoption import create_table_unless_present

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    create_table_unless_present(
        "line_event_queue",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("chat_key", sa.String(64), nullable=False),
        sa.Column("raw", sa.Text(), nullable=True),
        sa.Column("retry_key", sa.String(36), nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_until", sa.Float(), nullable=True),
        sa.Column("stage", sa.String(8), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.Float(), nullable=False),
        sa.Column("done_at", sa.Float(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        indexes={
            "ix_line_event_queue_done_at": ["done_at"],
            "ix_line_event_queue_chat": ["chat_key", "state", "seq"],
        },
    )


def downgrade() -> None:
    op.drop_table("line_event_queue")
