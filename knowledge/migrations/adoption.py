"""Taking over databases made before migrations: the initial revisions create only what is missing.

Before ADR 0009 every store ran ``create_all`` when it opened, which created each missing table of
the code of the day. An operator's database may therefore hold all, some (an older release lacked
a later table) or none of a store's tables, and no version table. An initial revision that creates
each table and its indexes only when the table is not there yet brings all three to today's schema;
later revisions then run as usual.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

__all__ = ["create_table_unless_present"]


def create_table_unless_present(name: str, *columns: Any, indexes: Mapping[str, Sequence[str]] | None = None) -> bool:
    """``op.create_table`` and its indexes (name: columns), unless ``create_all`` already made the
    table; True if created."""
    if sa.inspect(op.get_bind()).has_table(name):
        return False
    op.create_table(name, *columns)
    for index_name, index_columns in (indexes or {}).items():
        op.create_index(index_name, name, list(index_columns))
    return True
