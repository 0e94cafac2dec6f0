"""The citizens store's migrations make the tables its models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect

from conversation.citizens.engine import open_citizens_engine
from conversation.citizens.models import metadata


def test_the_migrations_make_the_tables_the_models_describe(sql_url: str) -> None:
    engine = open_citizens_engine(sql_url)
    try:
        found = inspect(engine)
        for table in metadata.sorted_tables:
            columns = {column["name"] for column in found.get_columns(table.name)}
            assert columns == {column.name for column in table.columns}, table.name
            indexes = {index["name"] for index in found.get_indexes(table.name)}
            assert indexes == {index.name for index in table.indexes}, table.name
    finally:
        engine.dispose()
