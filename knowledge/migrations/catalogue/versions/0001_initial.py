"""The catalogue as it was before migrations: services and their versions.

Revision ID: 0001
Revises:
Created: 2026-12-01

Creates only the tables that are missing (knowledge/migrations/adoption.py), so a database made by
``create_all`` before migrations is taken over as it is.
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
        "services",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(120), nullable=False),
        indexes={"ix_services_deleted": ["deleted"]},
    )
    create_table_unless_present(
        "service_versions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("service_id", sa.String(80), sa.ForeignKey("services.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(16), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("changed_fields", sa.Text(), nullable=False),
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        indexes={"ix_service_versions_service_id": ["service_id"]},
    )


def downgrade() -> None:
    op.drop_table("service_versions")
    op.drop_table("services")
