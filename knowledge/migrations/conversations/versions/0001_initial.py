"""The conversation store as it was before migrations: hand-off requests, feedback, activity.

Revision ID: 0001
Revises:
Created: 2026-12-01

Creates only the tables that are missing (knowledge/migrations/adoption.py): a database made by
``create_all`` before migrations is taken over as it is, also one from before the activity table.
The models live in actions/api/conversation_store.py; tests/knowledge/test_migrations.py checks
that they and these revisions describe the same schema.
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
        "handoff_requests",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("sender_id", sa.String(128), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("transcript", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        indexes={"ix_handoff_requests_sender_id": ["sender_id"], "ix_handoff_requests_status": ["status"]},
    )
    create_table_unless_present(
        "feedback",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("sender_id", sa.String(128), nullable=False),
        sa.Column("rating", sa.String(16), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("service_id", sa.String(80), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        indexes={"ix_feedback_sender_id": ["sender_id"]},
    )
    create_table_unless_present(
        "conversation_activity",
        sa.Column("conversation_id", sa.String(160), primary_key=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erase_requested_at", sa.DateTime(timezone=True), nullable=True),
        indexes={"ix_conversation_activity_last_seen": ["last_seen"]},
    )


def downgrade() -> None:
    for table in ("conversation_activity", "feedback", "handoff_requests"):
        op.drop_table(table)
