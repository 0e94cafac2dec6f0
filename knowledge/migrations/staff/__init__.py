"""Alembic script directory of the staff store (knowledge/migrations/runner.py runs it)."""
