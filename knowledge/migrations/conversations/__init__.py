"""Alembic script directory of the conversations store (knowledge/migrations/runner.py runs it)."""
