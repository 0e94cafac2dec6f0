"""Schema migrations of every SQL store (Alembic), and the runner the stores and ``citizenbot migrate`` use.

One Alembic script directory per store (``catalogue``, ``conversations``, ``line_queue``), each with
its own version table, so stores may share one database (the LINE queue lives beside the catalogue).
Why and how: docs/adr/0009-migrations.md; operating it: docs/runbook-database.md.
"""

from knowledge.migrations.runner import (
    STORES,
    MigrationError,
    MigrationResult,
    StoreMigrations,
    UnknownRevisionError,
    current_revision,
    head_revision,
    upgrade,
)

__all__ = [
    "STORES",
    "MigrationError",
    "MigrationResult",
    "StoreMigrations",
    "UnknownRevisionError",
    "current_revision",
    "head_revision",
    "upgrade",
]
