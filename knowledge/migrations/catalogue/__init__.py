"""Alembic script directory of the catalogue store (knowledge/migrations/runner.py runs it)."""
