"""The citizens store: consents, profiles, journey progress, saved services, reminders, linked conversations.

Revision ID: 0001
Revises:
Created: 2026-12-03

A new store (issue 17), so the tables are created outright. The models live in
conversation/citizens/models.py; tests/conversation/citizens/test_models.py checks that they and these
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
        "citizen_senders",
        sa.Column("sender_id", sa.String(160), primary_key=True),
        sa.Column("citizen_id", sa.String(160), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("linked_at", _WHEN, nullable=False),
    )
    op.create_index("ix_citizen_senders_citizen_id", "citizen_senders", ["citizen_id"])
    op.create_table(
        "link_codes",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("citizen_id", sa.String(160), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("expires_at", _WHEN, nullable=False),
        sa.Column("used_at", _WHEN, nullable=True),
        sa.Column("used_by", sa.String(160), nullable=True),
    )
    op.create_index("ix_link_codes_citizen_id", "link_codes", ["citizen_id"])
    # link_attempts: the dashboard helper's (conversation/citizens/linking.py)
    op.create_table(
        "link_attempts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("sender_id", sa.String(160), nullable=False),
        sa.Column("attempted_at", _WHEN, nullable=False),
    )
    op.create_index("ix_link_attempts_sender_id", "link_attempts", ["sender_id", "attempted_at"])
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("citizen_id", sa.String(160), nullable=False),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("wording_version", sa.String(20), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("granted_at", _WHEN, nullable=False),
        sa.Column("withdrawn_at", _WHEN, nullable=True),
    )
    op.create_index("ix_consents_citizen_id", "consents", ["citizen_id", "purpose"])
    op.create_table(
        "profiles",
        sa.Column("citizen_id", sa.String(160), primary_key=True),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("nationality", sa.String(10), nullable=True),
        sa.Column("province", sa.String(80), nullable=True),
        sa.Column("situations", sa.Text(), nullable=False),
        sa.Column("situations_known", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
    )
    op.create_table(
        "journey_starts",
        sa.Column("citizen_id", sa.String(160), nullable=False),
        sa.Column("journey_id", sa.String(80), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=True),
        sa.Column("started_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("citizen_id", "journey_id"),
    )
    op.create_table(
        "journey_progress",
        sa.Column("citizen_id", sa.String(160), nullable=False),
        sa.Column("journey_id", sa.String(80), nullable=False),
        sa.Column("service_id", sa.String(80), nullable=False),
        sa.Column("done_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("citizen_id", "journey_id", "service_id"),
    )
    op.create_table(
        "saved_services",
        sa.Column("citizen_id", sa.String(160), nullable=False),
        sa.Column("service_id", sa.String(80), nullable=False),
        sa.Column("saved_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("citizen_id", "service_id"),
    )
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("citizen_id", sa.String(160), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("subject", sa.String(80), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("due_at", _WHEN, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_until", _WHEN, nullable=True),
        sa.Column("sent_at", _WHEN, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
    )
    op.create_index("ix_reminders_due", "reminders", ["status", "due_at"])
    op.create_index("ix_reminders_citizen_id", "reminders", ["citizen_id"])
    op.create_table(
        "citizen_prompts",
        sa.Column("sender_id", sa.String(160), primary_key=True),
        sa.Column("prompt", sa.String(40), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("expires_at", _WHEN, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("citizen_prompts")
    for index, table in (
        ("ix_reminders_citizen_id", "reminders"),
        ("ix_reminders_due", "reminders"),
    ):
        op.drop_index(index, table_name=table)
    for table in ("saved_services", "journey_progress", "journey_starts", "profiles"):
        op.drop_table(table)
    op.drop_index("ix_consents_citizen_id", table_name="consents")
    op.drop_table("consents")
    op.drop_index("ix_link_attempts_sender_id", table_name="link_attempts")  # dashboard helper
    op.drop_table("link_attempts")
    op.drop_index("ix_link_codes_citizen_id", table_name="link_codes")
    op.drop_table("link_codes")
    op.drop_index("ix_citizen_senders_citizen_id", table_name="citizen_senders")
    op.drop_table("citizen_senders")
