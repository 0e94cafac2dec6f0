"""What every store's ``env.py`` runs: migrate on the connection the runner lends, in its transaction.

The runner (:mod:`knowledge.migrations.runner`) opens the connection, takes the lock that keeps two
processes from migrating at once, and passes the connection in ``config.attributes``. Run by the
``alembic`` command itself (``alembic -c knowledge/migrations/alembic.ini -n catalogue ...``, for
authoring), env.py opens its own connection from ``sqlalchemy.url`` instead.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from knowledge.database import create_store_engine
from knowledge.migrations.runner import STORES

__all__ = ["run_migrations"]


def run_migrations(store: str) -> None:
    spec = STORES[store]
    connection = context.config.attributes.get("connection")
    if isinstance(connection, Connection):
        _run(connection, spec.version_table)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("set sqlalchemy.url (alembic -x or the ini file), or run `citizenbot migrate`")
    engine = create_store_engine(url)
    try:
        with engine.begin() as own:
            _run(own, spec.version_table)
    finally:
        engine.dispose()


def _run(connection: Connection, version_table: str) -> None:
    context.configure(connection=connection, version_table=version_table)
    with context.begin_transaction():
        context.run_migrations()
