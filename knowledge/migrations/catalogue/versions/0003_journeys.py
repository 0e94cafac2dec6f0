"""Journeys: the ordered steps of a life event, each a catalogue service, versioned like services (issue 17).

Revision ID: 0003
Revises: 0002
Created: 2026-12-02

The model is knowledge/journey_store.py; tests/knowledge/test_journey_store.py checks that it and this
revision describe the same tables. Nothing the bot reads today changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "journeys",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("life_event", sa.String(40), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(120), nullable=False),
    )
    op.create_index("ix_journeys_deleted", "journeys", ["deleted"])
    op.create_index("ix_journeys_life_event", "journeys", ["life_event"])
    op.create_table(
        "journey_versions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("journey_id", sa.String(80), sa.ForeignKey("journeys.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(16), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_journey_versions_journey_id", "journey_versions", ["journey_id"])


def downgrade() -> None:
    op.drop_table("journey_versions")
    op.drop_table("journeys")
