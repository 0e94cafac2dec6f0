"""The catalogue store on SQLite and PostgreSQL through the same code: versions, the revision a search
index follows, and concurrent writers (two replicas' editors) on one database."""

from __future__ import annotations

import threading

import pytest

from knowledge.schema import Bilingual, Service
from knowledge.store import CatalogueStore, ServiceExistsError, StaleVersionError


@pytest.fixture
def store(sql_url):
    store = CatalogueStore(sql_url)
    yield store
    store.close()


def _renamed(service: Service, n: int) -> Service:
    return service.model_copy(update={"fees": Bilingual(th=f"ค่าธรรมเนียม {n}", en=f"Fee {n}")})


def test_versions_history_and_changes_since(store, seed_services):
    first, second = seed_services[0], seed_services[1]
    assert store.create(first, "alice") == 1
    start = store.revision()
    assert store.update(_renamed(first, 1), "bob", expected_version=1) == 2
    store.create(second, "carol")
    store.delete(second.id, "dave")
    changes = store.changes_since(start)
    assert changes.revision == store.revision() == start + 3
    assert set(changes.services) == {first.id} and changes.removed == {second.id}
    with pytest.raises(StaleVersionError):
        store.update(_renamed(first, 2), "erin", expected_version=1)
    assert store.restore(second.id, 1, "frank") == second
    assert [h.change for h in store.history(second.id)] == ["create", "delete", "restore"]
    assert store.history(first.id)[1].changed_fields == ["fees"]
    assert store.get(first.id).fees.en == "Fee 1"  # Thai and timestamps round-trip on both engines
    assert store.history(first.id)[0].created_at is not None


def test_import_and_seed_if_empty(store, seed_services):
    assert store.seed_if_empty(seed_services[:3])
    assert not store.seed_if_empty(seed_services)
    counts = store.import_services([_renamed(seed_services[0], 1), *seed_services[1:4]], "import")
    assert counts == {"created": 1, "updated": 1, "unchanged": 2}
    assert store.count() == 4


def test_concurrent_writers_get_distinct_revisions_in_commit_order(sql_url, seed_services):
    """Two replicas (their own engines) edit at once while a third follows the revision as a search index
    does: every change gets its own revision, and following changes_since misses none."""
    setup = CatalogueStore(sql_url)
    services = seed_services[:8]
    setup.import_services(services, "seed")
    writers = [CatalogueStore(sql_url), CatalogueStore(sql_url)]
    reader = CatalogueStore(sql_url)
    start = reader.revision()
    rounds = 6
    done = threading.Event()
    seen: dict[str, str] = {}
    followed = start
    errors: list[BaseException] = []

    def write(store: CatalogueStore, mine: list[Service]) -> None:
        try:
            for n in range(rounds):
                for service in mine:
                    store.update(_renamed(service, n), "editor")
        except BaseException as error:
            errors.append(error)

    def follow() -> None:
        nonlocal followed
        while True:
            finished = done.is_set()
            changes = reader.changes_since(followed)
            assert changes.revision >= followed
            seen.update({sid: service.fees.en for sid, service in changes.services.items()})
            followed = changes.revision
            if finished:
                return

    threads = [
        threading.Thread(target=write, args=(writers[0], services[0::2])),
        threading.Thread(target=write, args=(writers[1], services[1::2])),
    ]
    follower = threading.Thread(target=follow)
    follower.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    done.set()
    follower.join(60)
    assert errors == []
    assert reader.revision() == start + rounds * len(services)  # one revision per change, none shared
    assert followed == reader.revision()
    assert seen == {service.id: f"Fee {rounds - 1}" for service in services}  # the follower missed nothing
    for service in services:
        assert [h.version for h in reader.history(service.id)] == list(range(1, rounds + 2))
    for store in (setup, reader, *writers):
        store.close()


def test_two_replicas_creating_one_service_at_once_make_it_once(sql_url, seed_services):
    replicas = [CatalogueStore(sql_url) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def create(store: CatalogueStore) -> None:
        barrier.wait()
        try:
            store.create(seed_services[0], "editor")
            outcomes.append("created")
        except ServiceExistsError:
            outcomes.append("exists")

    threads = [threading.Thread(target=create, args=(store,)) for store in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["created", "exists"]
    assert [h.change for h in replicas[0].history(seed_services[0].id)] == ["create"]
    for store in replicas:
        store.close()
