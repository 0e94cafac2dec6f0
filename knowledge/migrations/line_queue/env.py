"""Alembic's entry point for the line_queue store: the shared environment does the work."""

from knowledge.migrations.environment import run_migrations

run_migrations("line_queue")
