"""The reports store: claims for delivering notices and forwarding reports, safe with several replicas.

Revision ID: 0003
Revises: 0002
Created: 2026-12-02

Additive only. ``report_notices.claimed_until``: a gateway replica that is pushing a notice holds it
until then; if it dies or the channel refuses, another takes it after that time (at least once, and
never twice while the push succeeds). ``reports.forward_attempts`` / ``reports.forward_next_at``: the
forwarder to an external case system (conversation/reports/forwarder.py) claims a report the same way
and, after a failure, waits longer before the next try (back-off); the report itself is never touched.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("report_notices", sa.Column("claimed_until", _WHEN, nullable=True))
    op.add_column("reports", sa.Column("forward_attempts", sa.Integer(), nullable=True))
    op.add_column("reports", sa.Column("forward_next_at", _WHEN, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("forward_next_at")
        batch.drop_column("forward_attempts")
    with op.batch_alter_table("report_notices") as batch:
        batch.drop_column("claimed_until")
