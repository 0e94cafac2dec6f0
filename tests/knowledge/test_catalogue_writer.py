"""CatalogueWriter: a change is in the store and in this process's search at once; another
process's search catches up from the store's revision; a store restored from a backup is rebuilt."""

from __future__ import annotations

import shutil

import pytest

from knowledge.catalogue_writer import CatalogueWriter
from knowledge.schema import Service
from knowledge.service_search import CatalogueSearch
from knowledge.store import CatalogueStore, StaleVersionError


def pet_registration(template: Service, service_id: str = "pet-registration") -> Service:
    raw = template.model_dump(mode="json")
    raw.update(
        id=service_id,
        title={"th": "ขึ้นทะเบียนสุนัขและแมวกับเขต", "en": "Registering a pet dog or cat with the district"},
        summary={"th": "เจ้าของสุนัขและแมวต้องขึ้นทะเบียนสัตว์เลี้ยง", "en": "Owners must register pet dogs and cats."},
        keywords={"th": ["ขึ้นทะเบียนหมา", "ฝังไมโครชิป"], "en": ["pet registration", "dog licence"]},
        faq=[],
    )
    return Service.model_validate(raw)


def with_keywords(service: Service, th: list[str], en: list[str]) -> Service:
    return Service.model_validate({**service.model_dump(mode="json"), "keywords": {"th": th, "en": en}})


def top(search: CatalogueSearch, query: str) -> str | None:
    matches = search.search(query, k=1)
    return matches[0].service.id if matches else None


@pytest.fixture
def catalogue_url(tmp_path, seed_services):
    url = f"sqlite:///{tmp_path / 'catalogue.db'}"
    store = CatalogueStore(url)
    store.import_services(seed_services[:6], "seed")
    store.close()
    return url


@pytest.fixture
def live_search(catalogue_url, embedder, tmp_path):
    """The gateway's side: a store and the search it keeps in memory."""
    store = CatalogueStore(catalogue_url)
    search = CatalogueSearch(store, embedder, tmp_path / "index")
    search.load_or_build()
    yield search
    store.close()


def test_every_change_is_searchable_when_the_call_returns(live_search, seed_services):
    writer = CatalogueWriter(live_search.store, live_search)
    service = pet_registration(seed_services[0])
    assert top(live_search, "ขึ้นทะเบียนหมาที่เขต") != service.id

    created = writer.create(service, "somchai")
    assert (created.version, created.searchable) == (1, True)
    assert top(live_search, "ขึ้นทะเบียนหมาที่เขต") == service.id

    renamed = with_keywords(service, th=["ทะเบียนสัตว์เลี้ยง"], en=["animal microchip"])
    assert writer.update(renamed, "somchai", expected_version=1).version == 2
    assert top(live_search, "animal microchip") == service.id
    with pytest.raises(StaleVersionError):
        writer.update(renamed, "somchai", expected_version=1)

    assert writer.delete(service.id, "somchai").version == 3
    assert top(live_search, "ขึ้นทะเบียนหมาที่เขต") != service.id
    assert live_search.get(service.id) is None

    restored = writer.restore(service.id, 1, "somchai")
    assert restored.version == 4
    assert top(live_search, "ขึ้นทะเบียนหมาที่เขต") == service.id
    assert live_search.revision == live_search.store.revision()


def test_another_process_s_changes_reach_the_search_when_it_catches_up(live_search, catalogue_url, seed_services):
    elsewhere = CatalogueStore(catalogue_url)  # the command line: its own connection, no search
    try:
        counts = CatalogueWriter(elsewhere).import_services([pet_registration(seed_services[0])], "cli-import")
        assert counts == {"created": 1, "updated": 0, "unchanged": 0}
        CatalogueWriter(elsewhere).delete(seed_services[1].id, "cli")
    finally:
        elsewhere.close()
    assert top(live_search, "ขึ้นทะเบียนหมาที่เขต") != "pet-registration"  # not applied yet

    assert live_search.catch_up() == 2
    assert top(live_search, "ขึ้นทะเบียนหมาที่เขต") == "pet-registration"
    assert live_search.get(seed_services[1].id) is None
    assert seed_services[1].id not in {m.service.id for m in live_search.search(seed_services[1].title.en, k=10)}
    assert live_search.catch_up() == 0
    assert len(live_search) == 6


def test_catching_up_before_the_first_load_leaves_loading_to_read_the_store(catalogue_url, embedder, tmp_path):
    store = CatalogueStore(catalogue_url)
    try:
        search = CatalogueSearch(store, embedder, tmp_path / "index")
        assert search.catch_up() == 0
        assert not search.ready
    finally:
        store.close()


def test_a_store_restored_from_an_older_backup_is_rebuilt(live_search, catalogue_url, seed_services, tmp_path):
    database = tmp_path / "catalogue.db"
    backup = tmp_path / "backup.db"
    live_search.store.close()  # checkpoints the WAL, so the file alone is the backup
    shutil.copy(database, backup)
    writer = CatalogueWriter(live_search.store, live_search)
    writer.create(pet_registration(seed_services[0]), "somchai")
    assert top(live_search, "ขึ้นทะเบียนหมาที่เขต") == "pet-registration"

    live_search.store.close()
    for leftover in tmp_path.glob("catalogue.db-*"):
        leftover.unlink()
    shutil.copy(backup, database)  # the operator restores last night's catalogue

    assert live_search.catch_up() == 6
    assert live_search.revision == live_search.store.revision()
    assert top(live_search, "ขึ้นทะเบียนหมาที่เขต") != "pet-registration"
    assert live_search.get("pet-registration") is None
