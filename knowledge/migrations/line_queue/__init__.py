"""Alembic script directory of the line_queue store (knowledge/migrations/runner.py runs it)."""
