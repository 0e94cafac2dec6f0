"""The reports store: the report a citizen is still telling the bot about (one per conversation).

Revision ID: 0002
Revises: 0001
Created: 2026-12-03

A draft lives in the database, not in a process's memory, so a conversation that moves to another
gateway replica (or outlives a restart) keeps its half-told report; nothing in it is a filed report.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "report_drafts",
        sa.Column("sender_id", sa.String(160), primary_key=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("step", sa.String(20), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
    )
    op.create_index("ix_report_drafts_updated_at", "report_drafts", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_report_drafts_updated_at", table_name="report_drafts")
    op.drop_table("report_drafts")
