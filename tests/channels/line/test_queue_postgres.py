"""The LINE event queue on SQLite and PostgreSQL through the same code: de-duplication across replicas,
exactly one replica per event, a chat's events in order, leases taken over."""

from __future__ import annotations

import threading
from collections import defaultdict

import pytest

from channels.line.queue import EventQueue


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _event(n: int, user: str = "U1") -> dict:
    return {
        "type": "message",
        "webhookEventId": f"E{n:04d}",
        "source": {"type": "user", "userId": user},
        "message": {"type": "text", "text": f"ข้อความ {n}"},
    }


@pytest.fixture
def replicas(sql_url):
    queues = [EventQueue(sql_url), EventQueue(sql_url)]
    yield queues
    for queue in queues:
        queue.close()


def test_a_redelivered_event_is_stored_once(replicas):
    first, second = replicas
    assert first.enqueue([_event(1), _event(2)]) == [True, True]
    assert second.enqueue([_event(2), _event(3)]) == [False, True]
    assert first.unfinished() == 3


def test_replicas_storing_the_same_deliveries_at_once_store_each_once(replicas):
    """LINE redelivers to whichever replica the load balancer picks: both may store the same ids together."""
    events = [_event(n, user=f"U{n % 7}") for n in range(80)]
    stored: list[list[bool]] = [[], []]
    barrier = threading.Barrier(2)

    def deliver(index: int) -> None:
        barrier.wait()
        stored[index] = replicas[index].enqueue(events)

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert all(a != b for a, b in zip(stored[0], stored[1], strict=True))  # one of the two stored each
    assert replicas[0].unfinished() == 80


def test_two_replicas_claiming_at_once_process_each_event_exactly_once_in_chat_order(replicas):
    events = [_event(n, user=f"U{n % 10}") for n in range(120)]
    replicas[0].enqueue(events)
    processed: list[tuple[str, str]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def work(queue: EventQueue, owner: str) -> None:
        barrier.wait()
        try:
            while jobs := queue.claim(owner, 4, lease_seconds=60):
                for job in jobs:
                    with lock:
                        processed.append((job.event_id, job.raw["source"]["userId"]))
                    assert queue.mark(job, owner, "replying")
                    assert queue.finish(job, owner, "replied")
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(queue, f"replica-{i}")) for i, queue in enumerate(replicas)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    ids = [event_id for event_id, _ in processed]
    assert len(ids) == 120 and len(set(ids)) == 120
    per_chat: dict[str, list[str]] = defaultdict(list)
    for event_id, user in processed:
        per_chat[user].append(event_id)
    assert all(chat == sorted(chat) for chat in per_chat.values())  # a chat's events one after the other
    assert replicas[0].unfinished() == 0
    assert set(replicas[1].outcomes().values()) == {"replied"}


def test_a_dead_replicas_lease_is_taken_over_and_its_acknowledgement_refused(sql_url):
    clock = Clock()
    dead, alive = EventQueue(sql_url, clock=clock), EventQueue(sql_url, clock=clock)
    dead.enqueue([_event(1)])
    [job] = dead.claim("dead", 1, lease_seconds=30)
    assert dead.mark(job, "dead", "replying")
    assert alive.claim("alive", 1, lease_seconds=30) == []  # the lease stands
    clock.now += 31
    [taken] = alive.claim("alive", 1, lease_seconds=30)
    assert (taken.event_id, taken.attempts, taken.previous_stage) == ("E0001", 2, "replying")
    assert not dead.finish(job, "dead", "replied")
    assert alive.finish(taken, "alive", "replied")
    clock.now += 8 * 86400
    assert alive.prune() == 1
    for queue in (dead, alive):
        queue.close()
