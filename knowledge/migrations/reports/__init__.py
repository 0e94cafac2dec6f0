"""Alembic script directory of the reports store (knowledge/migrations/runner.py runs it)."""
