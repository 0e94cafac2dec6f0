"""The reports store: reports, their status history, notices to citizens, the routing table.

Revision ID: 0001
Revises:
Created: 2026-12-02

A new store (issue 18), so the tables are created outright. The models live in
conversation/reports/models.py; tests/conversation/reports/test_store.py checks that they and these
revisions describe the same schema.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("ticket", sa.String(20), nullable=True, unique=True),
        sa.Column("sender_id", sa.String(160), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("type_score", sa.Float(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("district", sa.String(80), nullable=True),
        sa.Column("province", sa.String(80), nullable=True),
        sa.Column("photo_ref", sa.String(300), nullable=True),
        sa.Column("after_photo_ref", sa.String(300), nullable=True),
        sa.Column("organisation", sa.String(200), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("external_id", sa.String(120), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
    )
    op.create_index("ix_reports_sender_id", "reports", ["sender_id"])
    op.create_index("ix_reports_type_created", "reports", ["type", "created_at"])
    op.create_index("ix_reports_status", "reports", ["status"])
    op.create_index("ix_reports_case_id", "reports", ["case_id"])
    op.create_table(
        "report_status_history",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
    )
    op.create_index("ix_report_status_history_report_id", "report_status_history", ["report_id"])
    op.create_table(
        "report_notices",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(160), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("delivered_at", _WHEN, nullable=True),
    )
    op.create_index("ix_report_notices_pending", "report_notices", ["channel", "delivered_at"])
    op.create_index("ix_report_notices_sender_id", "report_notices", ["sender_id"])
    op.create_table(
        "report_routes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("type", sa.String(40), nullable=True),
        sa.Column("province", sa.String(80), nullable=True),
        sa.Column("district", sa.String(80), nullable=True),
        sa.Column("organisation", sa.String(200), nullable=False),
        sa.Column("updated_by", sa.String(120), nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
    )


def downgrade() -> None:
    for table in ("report_routes", "report_notices", "report_status_history", "reports"):
        op.drop_table(table)
