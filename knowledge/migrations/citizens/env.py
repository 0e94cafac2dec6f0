"""Alembic's entry point for the citizens store: the shared environment does the work."""

from knowledge.migrations.environment import run_migrations

run_migrations("citizens")
