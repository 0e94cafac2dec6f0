import threading

import pytest

from knowledge.schema import Bilingual
from knowledge.store import CatalogueStore, ServiceExistsError, ServiceNotFoundError, StaleVersionError


@pytest.fixture
def store(tmp_path):
    store = CatalogueStore(f"sqlite:///{tmp_path / 'catalogue.db'}")
    yield store
    store.close()


def test_create_read_update_delete_restore_keeps_every_version(store, seed_services):
    service = seed_services[0]
    assert store.create(service, "alice") == 1
    changed = service.model_copy(update={"fees": Bilingual(th="ฟรี", en="Free")})
    assert store.update(changed, "bob", expected_version=1) == 2
    assert store.get(service.id).fees.en == "Free"
    store.delete(service.id, "carol")
    with pytest.raises(ServiceNotFoundError):
        store.get(service.id)
    restored = store.restore(service.id, 1, "dave")
    assert restored.fees == service.fees
    history = store.history(service.id)
    assert [(h.version, h.change, h.author) for h in history] == [
        (1, "create", "alice"),
        (2, "update", "bob"),
        (3, "delete", "carol"),
        (4, "restore", "dave"),
    ]
    assert history[1].changed_fields == ["fees"]
    assert store.get(service.id) == service


def test_the_store_survives_a_reopen(tmp_path, seed_services):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    first = CatalogueStore(url)
    first.create(seed_services[0], "alice")
    first.close()
    second = CatalogueStore(url)
    assert second.get(seed_services[0].id) == seed_services[0]
    second.close()


def test_stale_edit_is_refused_and_loses_nothing(store, seed_services):
    service = seed_services[0]
    store.create(service, "alice")
    store.update(service.model_copy(update={"fees": Bilingual(th="ก", en="a")}), "bob", expected_version=1)
    with pytest.raises(StaleVersionError, match="version 2, not 1"):
        store.update(service.model_copy(update={"fees": Bilingual(th="ข", en="b")}), "carol", expected_version=1)
    assert store.get(service.id).fees.en == "a"


def test_duplicate_create_and_unknown_ids(store, seed_services):
    store.create(seed_services[0], "alice")
    with pytest.raises(ServiceExistsError):
        store.create(seed_services[0], "alice")
    with pytest.raises(ServiceNotFoundError):
        store.delete("no-such-service", "alice")
    with pytest.raises(ServiceNotFoundError):
        store.restore(seed_services[0].id, 99, "alice")
    with pytest.raises(ServiceNotFoundError):
        store.history("no-such-service")


def test_import_is_idempotent_and_revision_grows_only_on_change(store, seed_services):
    first = store.import_services(seed_services, "seed")
    assert first["created"] == len(seed_services)
    revision = store.revision()
    again = store.import_services(seed_services, "seed")
    assert again == {"created": 0, "updated": 0, "unchanged": len(seed_services)}
    assert store.revision() == revision
    assert store.count() == len(seed_services)
    assert store.seed_if_empty(seed_services) is False


def test_concurrent_editors_do_not_lose_updates(store, seed_services):
    service = seed_services[0]
    store.create(service, "alice")
    errors: list[Exception] = []

    def edit(n: int) -> None:
        try:
            for i in range(5):
                fees = Bilingual(th=f"{n}-{i}", en=f"{n}-{i}")
                store.update(service.model_copy(update={"fees": fees}), f"editor{n}")
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert store.current_version(service.id) == 1 + 4 * 5
    assert len(store.history(service.id)) == 21


def test_changes_since_a_revision_name_what_to_index_again_and_what_to_drop(store, seed_services):
    kept, edited, dropped = seed_services[:3]
    store.import_services([kept, edited, dropped], "seed")
    applied = store.revision()
    assert store.changes_since(applied).revision == applied
    assert not store.changes_since(applied).services and not store.changes_since(applied).removed

    changed = edited.model_copy(update={"fees": Bilingual(th="ฟรี", en="Free")})
    store.update(changed, "alice")
    store.update(changed.model_copy(update={"fees": Bilingual(th="ฟรีค่ะ", en="Free of charge")}), "bob")
    store.delete(dropped.id, "carol")
    changes = store.changes_since(applied)
    assert changes.revision == store.revision() == applied + 3
    assert list(changes.services) == [edited.id]
    assert changes.services[edited.id].fees.en == "Free of charge"  # the current state, not each step
    assert changes.removed == {dropped.id}

    store.restore(dropped.id, 1, "dave")
    again = store.changes_since(changes.revision)
    assert list(again.services) == [dropped.id] and not again.removed
    assert store.changes_since(0).services.keys() == {kept.id, edited.id, dropped.id}


def test_a_sqlite_file_uses_wal_normal_sync_and_a_busy_timeout(store):
    """Readers never block the writer, a crash loses at most the last commit, and a locked
    database is waited for rather than failing at once."""
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
