"""Migrations of every SQL store (knowledge/migrations): from empty, from a database made by create_all
before migrations, schema equal to the models, newer-than-code refused, concurrent start-ups, on SQLite
and PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, inspect, text

from actions.api import conversation_store
from actions.api.conversation_store import ConversationStore
from backoffice.accounts import models as staff_models
from backoffice.accounts.store import StaffStore
from channels.line import queue as line_queue
from channels.line.queue import EventQueue
from conversation import turn_events
from conversation.citizens import models as citizens_models
from conversation.citizens.engine import open_citizens_engine
from conversation.handoff import models as handoff_models
from conversation.reports import models as reports_models
from conversation.reports.store import ReportsStore
from knowledge import drafts as catalogue_drafts
from knowledge import store as catalogue_store
from knowledge.migrations import (
    STORES,
    MigrationResult,
    UnknownRevisionError,
    current_revision,
    head_revision,
    upgrade,
)
from knowledge.store import CatalogueStore

METADATA: dict[str, MetaData] = {
    "catalogue": catalogue_store._Base.metadata,
    "conversations": conversation_store._Base.metadata,
    "line_queue": line_queue._metadata,
    "staff": staff_models.StaffBase.metadata,
    "reports": reports_models.metadata,
    "citizens": citizens_models.metadata,
}
# Tables later revisions add to a store's database, with models elsewhere (never made by create_all).
LATER: dict[str, list[MetaData]] = {
    "conversations": [turn_events.metadata, handoff_models.metadata],
    "catalogue": [catalogue_drafts.DraftBase.metadata],
}


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_every_store_has_a_script_directory_a_version_table_and_a_head():
    assert set(STORES) == set(METADATA)
    assert len({spec.version_table for spec in STORES.values()}) == len(STORES)
    for name, spec in STORES.items():
        assert (spec.directory / "env.py").is_file()
        assert head_revision(name)
        assert set(spec.tables) == set(METADATA[name].tables)


def test_an_empty_database_gets_every_store_and_a_second_run_does_nothing(sql_url):
    for name in STORES:
        result = upgrade(sql_url, name)
        assert (result.before, result.after, result.adopted, result.changed) == (None, head_revision(name), False, True)
        assert "created the schema" in result.describe()
    # Three stores in one database: each keeps its own version table.
    tables = _tables(sql_url)
    assert {spec.version_table for spec in STORES.values()} <= tables
    assert {table for spec in STORES.values() for table in spec.tables} <= tables
    again = upgrade(sql_url, "catalogue")
    assert not again.changed and "up to date" in again.describe()
    assert current_revision(sql_url, "line_queue") == head_revision("line_queue")


@pytest.mark.parametrize("name", sorted(METADATA))
def test_the_migrated_schema_is_the_models_schema(sql_url, name):
    """The revisions and the models describe one schema; a model change without a revision fails here
    and the diff says what the new revision must do."""
    upgrade(sql_url, name)
    metadata = [METADATA[name], *LATER.get(name, [])]
    tables = {table for each in metadata for table in each.tables}
    engine = create_engine(sql_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "include_name": lambda item, kind, _parent: kind != "table" or item in tables,
                },
            )
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_a_sqlite_file_made_by_create_all_before_migrations_is_taken_over(tmp_path):
    """An operator's var/ files: the catalogue file (with the LINE queue in it) and the conversations file."""
    catalogue_url = f"sqlite:///{tmp_path / 'citizenbot.db'}"
    conversations_url = f"sqlite:///{tmp_path / 'conversations.db'}"
    for url, names in ((catalogue_url, ("catalogue", "line_queue")), (conversations_url, ("conversations",))):
        engine = create_engine(url)
        for name in names:
            METADATA[name].create_all(engine)
        engine.dispose()
    with sqlite3.connect(tmp_path / "citizenbot.db") as db:
        db.execute(
            "INSERT INTO services (id, data, version, deleted, updated_at, updated_by) "
            "VALUES ('old', '{}', 1, 0, '2026-01-01 00:00:00', 'seed')"
        )
        db.execute(
            "INSERT INTO line_event_queue (event_id, chat_key, raw, retry_key, state, attempts, received_at) "
            "VALUES ('E1', 'U1', '{}', 'r', 'pending', 0, 1.0)"
        )
    with sqlite3.connect(tmp_path / "conversations.db") as db:
        db.execute(
            "INSERT INTO feedback (sender_id, rating, question, answer, created_at) "
            "VALUES ('web:1', 'helpful', 'q', 'a', '2026-01-01 00:00:00')"
        )

    results = [upgrade(catalogue_url, "catalogue"), upgrade(catalogue_url, "line_queue")]
    results.append(upgrade(conversations_url, "conversations"))
    assert all(isinstance(r, MigrationResult) and r.adopted and r.before is None for r in results)
    assert all("took over the tables made before migrations" in r.describe() for r in results)

    # The rows are still there and the stores work on them.
    queue = EventQueue(catalogue_url)
    assert queue.enqueue([{"webhookEventId": "E1"}]) == [False]  # still de-duplicated
    assert [job.event_id for job in queue.claim("w", 5, 30)] == ["E1"]
    queue.close()
    catalogue = CatalogueStore(catalogue_url)
    assert catalogue.current_version("old") == 1
    catalogue.close()
    conversations = ConversationStore(conversations_url)
    assert [record.rating for record in conversations.feedback()] == ["helpful"]
    conversations.close()


def test_an_old_database_without_a_later_table_gets_it(tmp_path):
    """Before the privacy work the conversations file had no activity table; create_all made it on the next
    start, and so does the initial revision."""
    url = f"sqlite:///{tmp_path / 'conversations.db'}"
    engine = create_engine(url)
    metadata = METADATA["conversations"]
    metadata.create_all(engine, tables=[metadata.tables["handoff_requests"], metadata.tables["feedback"]])
    engine.dispose()
    result = upgrade(url, "conversations")
    assert result.adopted
    store = ConversationStore(url)
    store.touch("web:1", "web")
    assert store.activity("web:1") is not None
    store.close()


def test_stores_open_migrated_and_the_store_classes_never_create_all(sql_url, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("create_all on a live database")

    monkeypatch.setattr(MetaData, "create_all", refuse)
    CatalogueStore(sql_url).close()
    EventQueue(sql_url).close()
    ConversationStore(sql_url).close()
    StaffStore(sql_url).close()
    ReportsStore(sql_url).close()
    open_citizens_engine(sql_url).dispose()
    assert all(current_revision(sql_url, name) == head_revision(name) for name in STORES)


def test_an_in_memory_database_is_migrated_through_the_store_engine():
    store = CatalogueStore("sqlite://")
    assert store.count() == 0 and store.revision() == 0
    store.close()
    queue = EventQueue("sqlite://")
    assert queue.enqueue([{"webhookEventId": "E"}]) == [True]
    queue.close()


def test_a_database_newer_than_the_code_is_a_clear_error(sql_url):
    upgrade(sql_url, "catalogue")
    engine = create_engine(sql_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version_catalogue SET version_num = 'f00d9999'"))
    engine.dispose()
    with pytest.raises(UnknownRevisionError) as raised:
        upgrade(sql_url, "catalogue")
    message = str(raised.value)
    assert "'f00d9999'" in message and "newer release" in message and "runbook-database" in message
    with pytest.raises(UnknownRevisionError):
        CatalogueStore(sql_url)
    # Another store in the same database is not affected.
    assert upgrade(sql_url, "line_queue").after == head_revision("line_queue")


def test_an_unknown_store_name_is_refused():
    with pytest.raises(ValueError, match="unknown store 'inbox'"):
        upgrade("sqlite://", "inbox")


def test_replicas_starting_at_once_migrate_once(sql_url):
    """Several processes opening the same fresh database: one creates the schema, the others wait for
    its lock and find it current (no 'table already exists')."""
    results: list[MigrationResult] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def start() -> None:
        barrier.wait()
        try:
            results.append(upgrade(sql_url, "catalogue"))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(result.changed for result in results) == [False, False, False, True]


def test_the_migrations_are_packaged():
    """setuptools finds the script directories as packages (their *.py files ship) and the package data
    patterns cover the templates and the alembic.ini used to author revisions."""
    import tomllib
    from setuptools import find_packages

    root = Path(__file__).resolve().parents[2]
    packages = set(find_packages(str(root), include=["knowledge*"]))
    for name in STORES:
        assert f"knowledge.migrations.{name}" in packages
        assert f"knowledge.migrations.{name}.versions" in packages
    patterns = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["*"]
    assert "*.mako" in patterns and "*.ini" in patterns
