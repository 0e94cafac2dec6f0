"""Alembic script directory of the citizens store (knowledge/migrations/runner.py runs it)."""
