"""Drafts of services, kept apart from the live catalogue until a reviewer publishes them (issue 15).

Revision ID: 0002
Revises: 0001
Created: 2026-12-01

The model is knowledge/drafts.py; tests/knowledge/test_migrations.py checks that it and this
revision describe the same table. Nothing the bot reads changes.
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
        "service_drafts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("service_id", sa.String(80), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("contributors", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sa.String(120), nullable=True),
        sa.Column("reviewer", sa.String(120), nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=True),
        sa.Column("published_version", sa.Integer(), nullable=True),
    )
    op.create_index("ix_service_drafts_service_id", "service_drafts", ["service_id"])
    op.create_index("ix_service_drafts_state", "service_drafts", ["state"])


def downgrade() -> None:
    op.drop_table("service_drafts")
