"""The journey store (knowledge/journey_store.py) on SQLite and PostgreSQL: the migration, seeding when empty,
versioned edits with stale versions refused, unknown services refused, deletion and re-creation."""

from __future__ import annotations

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from knowledge.journey_store import JourneyBase, JourneyExistsError, JourneyNotFoundError, JourneyStore
from knowledge.journeys import Journey, UnknownServiceError, load_seed_journeys
from knowledge.migrations import current_revision, head_revision, upgrade
from knowledge.schema import Bilingual, LifeEvent
from knowledge.store import CatalogueStore, StaleVersionError


@pytest.fixture
def catalogue(sql_url, seed_services):
    store = CatalogueStore(sql_url)
    store.import_services(seed_services, "seed")
    yield store
    store.close()


@pytest.fixture
def journeys(catalogue):
    return JourneyStore(catalogue)


@pytest.fixture(scope="module")
def seed_journeys(seed_services) -> list[Journey]:
    return load_seed_journeys({service.id for service in seed_services})


def _retitled(journey: Journey, n: int) -> Journey:
    return journey.model_copy(update={"title": Bilingual(th=f"ชื่อใหม่ {n}", en=f"New title {n}")})


def test_the_migration_makes_the_models_tables(sql_url):
    upgrade(sql_url, "catalogue")
    assert current_revision(sql_url, "catalogue") == head_revision("catalogue") == "0003"
    engine = create_engine(sql_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "include_name": lambda name, kind, _parent: kind != "table" or name in JourneyBase.metadata.tables,
                },
            )
            assert compare_metadata(context, JourneyBase.metadata) == []
    finally:
        engine.dispose()


def test_a_catalogue_at_the_drafts_revision_gets_the_journeys_and_keeps_its_services(tmp_path, seed_services):
    url = f"sqlite:///{tmp_path / 'catalogue.db'}"
    engine = create_engine(url)
    from alembic import command
    from alembic.config import Config

    from knowledge.migrations.runner import STORES

    config = Config()
    config.set_main_option("script_location", str(STORES["catalogue"].directory))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
    engine.dispose()
    with sqlite3.connect(tmp_path / "catalogue.db") as db:
        db.execute(
            "INSERT INTO services (id, data, version, deleted, updated_at, updated_by) VALUES (?, ?, 1, 0, ?, 'seed')",
            (seed_services[0].id, seed_services[0].stored_json(), "2026-12-01 00:00:00"),
        )
    store = CatalogueStore(url)  # opening migrates to head
    try:
        assert current_revision(url, "catalogue") == "0003"
        assert store.get(seed_services[0].id) == seed_services[0]
        assert JourneyStore(store).count() == 0
    finally:
        store.close()


def test_seeded_once_from_the_files(journeys, seed_journeys):
    assert journeys.seed_if_empty(seed_journeys)
    assert journeys.count() == len(seed_journeys) == 8
    assert not journeys.seed_if_empty(seed_journeys)
    record = journeys.get("having-a-baby")
    assert record.journey == next(j for j in seed_journeys if j.id == "having-a-baby")  # Thai round-trips
    assert (record.version, record.updated_by) == (1, "seed") and record.updated_at.tzinfo is not None
    assert [r.journey.id for r in journeys.list_journeys(LifeEvent.DEATH)] == ["death-in-the-family"]


def test_versioned_edits_refuse_a_stale_version(journeys, seed_journeys):
    journeys.seed_if_empty(seed_journeys)
    baby = journeys.get("having-a-baby").journey
    assert journeys.update(_retitled(baby, 1), "alice", expected_version=1) == 2
    with pytest.raises(StaleVersionError, match="at version 2, not 1"):
        journeys.update(_retitled(baby, 2), "bob", expected_version=1)
    assert journeys.get("having-a-baby").journey.title.en == "New title 1"
    history = journeys.history("having-a-baby")
    assert [(v.version, v.change, v.author) for v in history] == [(1, "import", "seed"), (2, "update", "alice")]
    assert history[0].journey == baby


def test_a_step_naming_a_service_the_catalogue_lacks_is_refused(journeys, seed_journeys, catalogue):
    journeys.seed_if_empty(seed_journeys)
    moving = journeys.get("moving-house").journey
    steps = [*moving.steps[:1], moving.steps[1].model_copy(update={"service": "teleport-licence"})]
    with pytest.raises(UnknownServiceError, match=r"steps\[1\]\.service: no service 'teleport-licence'"):
        journeys.update(moving.model_copy(update={"steps": steps}), "alice")
    # A service deleted from the catalogue can no longer be named by a new journey.
    catalogue.delete("voter-rights-check", "editor")
    new = moving.model_copy(update={"id": "moving-again"})
    with pytest.raises(UnknownServiceError, match="voter-rights-check"):
        journeys.create(new, "alice")
    assert journeys.get("moving-house").version == 1


def test_create_delete_and_create_again(journeys, seed_journeys):
    first = seed_journeys[0]
    assert journeys.create(first, "alice") == 1
    with pytest.raises(JourneyExistsError):
        journeys.create(first, "bob")
    with pytest.raises(StaleVersionError):
        journeys.delete(first.id, "bob", expected_version=5)
    assert journeys.delete(first.id, "bob", expected_version=1) == 2
    with pytest.raises(JourneyNotFoundError):
        journeys.get(first.id)
    with pytest.raises(JourneyNotFoundError):
        journeys.update(first, "carol")
    assert journeys.count() == 0
    assert not journeys.seed_if_empty(seed_journeys)  # an editor's deletion is not undone by the seed
    assert journeys.create(first, "carol") == 3
    assert [v.change for v in journeys.history(first.id)] == ["create", "delete", "create"]
    with pytest.raises(JourneyNotFoundError):
        journeys.history("never-was")


def test_import_leaves_unchanged_journeys_alone(journeys, seed_journeys):
    journeys.seed_if_empty(seed_journeys[:3])
    counts = journeys.import_journeys([_retitled(seed_journeys[0], 1), *seed_journeys[1:5]], "import")
    assert counts == {"created": 2, "updated": 1, "unchanged": 2}
    assert journeys.count() == 5


def test_the_seed_leaves_out_a_journey_whose_service_the_catalogue_lacks(journeys, seed_journeys, catalogue, caplog):
    catalogue.delete("death-registration", "operator")
    assert journeys.seed_if_empty(seed_journeys)
    assert "death-in-the-family" not in {r.journey.id for r in journeys.list_journeys()}
    assert journeys.count() == len(seed_journeys) - 1
    assert "no service 'death-registration' in the catalogue" in caplog.text
