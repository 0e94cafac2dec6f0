"""Webhook event ids are remembered in the catalogue database, shared by replicas, and expire."""

from __future__ import annotations

import datetime as dt
import threading

from channels.line.dedup import SeenEvents


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


def test_an_id_is_claimed_once(tmp_path):
    seen = SeenEvents(f"sqlite:///{tmp_path / 'catalogue.db'}")
    assert seen.claim("01JDLINE000000000000000001")
    assert not seen.claim("01JDLINE000000000000000001")
    assert seen.claim("01JDLINE000000000000000002")
    seen.close()


def test_two_replicas_sharing_the_database_never_both_claim_an_id(tmp_path):
    url = f"sqlite:///{tmp_path / 'catalogue.db'}"
    replicas = [SeenEvents(url), SeenEvents(url)]
    wins: list[bool] = []
    lock = threading.Lock()

    def claim(seen: SeenEvents) -> None:
        for n in range(40):
            won = seen.claim(f"event-{n}")
            with lock:
                wins.append(won)

    threads = [threading.Thread(target=claim, args=(seen,)) for seen in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(wins) == 40 and len(wins) == 80
    for seen in replicas:
        seen.close()


def test_old_ids_expire(tmp_path):
    clock = Clock()
    seen = SeenEvents(f"sqlite:///{tmp_path / 'catalogue.db'}", retention=dt.timedelta(days=7), clock=clock)
    assert seen.claim("old")
    clock.now += dt.timedelta(days=3)
    assert seen.claim("recent")
    clock.now += dt.timedelta(days=5)  # "old" is 8 days old, "recent" 5
    assert seen.prune() == 1
    assert seen.claim("old")  # forgotten, so it counts as new again
    assert not seen.claim("recent")
    seen.close()


def test_expiry_also_happens_on_its_own(tmp_path):
    clock = Clock()
    seen = SeenEvents(f"sqlite:///{tmp_path / 'catalogue.db'}", retention=dt.timedelta(hours=1), clock=clock)
    seen.claim("a")
    clock.now += dt.timedelta(hours=2)
    seen.claim("b")  # claiming prunes now and then
    assert seen.claim("a")
    seen.close()


def test_an_in_memory_database_works_across_threads():
    seen = SeenEvents("sqlite:///:memory:")
    assert seen.claim("x")
    results: list[bool] = []
    thread = threading.Thread(target=lambda: results.append(seen.claim("x")))
    thread.start()
    thread.join()
    assert results == [False]
    seen.close()
