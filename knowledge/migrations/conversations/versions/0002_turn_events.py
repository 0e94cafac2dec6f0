"""The per-turn event record the back office's analytics read (issue 15).

Revision ID: 0002
Revises: 0001
Created: 2026-12-01

One row per citizen turn, in the conversations database so a citizen's records are exported,
erased and restored together. The model is conversation/turn_events.py;
tests/knowledge/test_migrations.py checks that it and this revision describe the same table.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "turn_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("conversation_id", sa.String(160), nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("tapped", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(24), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("service_id", sa.String(80), nullable=True),
        sa.Column("top_score", sa.Float(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
    )
    op.create_index("ix_turn_events_day", "turn_events", ["day"])
    op.create_index("ix_turn_events_at", "turn_events", ["at"])
    op.create_index("ix_turn_events_conversation_id", "turn_events", ["conversation_id"])


def downgrade() -> None:
    op.drop_table("turn_events")
