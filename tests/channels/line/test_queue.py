"""The durable LINE event queue on a real SQLite file: stored once, claimed with a lease, in order per
chat, taken over when a worker vanishes, acknowledged, and forgotten after the retention."""

from __future__ import annotations

import sqlite3
import threading

from channels.line.queue import EventQueue


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def _event(n: int, user: str = "Ualice", text: str = "hello") -> dict:
    return {
        "type": "message",
        "webhookEventId": f"01JDQUEUE{n:017d}",
        "source": {"type": "user", "userId": user},
        "replyToken": f"rt-{n}",
        "message": {"type": "text", "id": str(n), "text": text},
    }


def _queue(tmp_path, clock: Clock | None = None, retention: float = 7 * 86400) -> EventQueue:
    return EventQueue(f"sqlite:///{tmp_path / 'catalogue.db'}", retention, clock or Clock())


def test_an_event_is_stored_once_even_when_redelivered(tmp_path):
    queue = _queue(tmp_path)
    assert queue.enqueue([_event(1), _event(2)]) == [True, True]
    assert queue.enqueue([_event(1)]) == [False]
    assert queue.unfinished() == 2
    queue.close()
    reopened = _queue(tmp_path)  # stored means on disk, not in this object
    assert reopened.enqueue([_event(2)]) == [False]
    assert reopened.unfinished() == 2
    reopened.close()


def test_claim_process_acknowledge(tmp_path):
    queue = _queue(tmp_path)
    queue.enqueue([_event(1, text="ต่ออายุบัตรประชาชน")])
    (job,) = queue.claim("worker-a", 8, lease_seconds=30)
    assert job.raw["message"]["text"] == "ต่ออายุบัตรประชาชน" and job.attempts == 1 and job.previous_stage is None
    assert queue.claim("worker-b", 8, lease_seconds=30) == []  # leased
    assert queue.finish(job, "worker-a", "replied")
    assert queue.unfinished() == 0
    assert queue.outcomes() == {job.event_id: "replied"}
    assert queue.claim("worker-b", 8, lease_seconds=30) == []


def test_a_chats_events_are_handed_out_in_order_one_at_a_time(tmp_path):
    queue = _queue(tmp_path)
    queue.enqueue([_event(1), _event(2, user="Ubob"), _event(3), _event(4)])
    first = queue.claim("w", 8, lease_seconds=30)
    assert [j.event_id[-1] for j in first] == ["1", "2"]  # one per chat: Alice's 3 and 4 wait
    alice, bob = first
    assert queue.finish(bob, "w", "replied")
    assert queue.claim("w", 8, lease_seconds=30) == []  # Alice's first is still in flight
    assert queue.finish(alice, "w", "replied")
    (third,) = queue.claim("w", 8, lease_seconds=30)
    assert third.event_id.endswith("3")


def test_a_vanished_workers_event_is_taken_over_when_its_lease_runs_out(tmp_path):
    clock = Clock()
    queue = _queue(tmp_path, clock)
    queue.enqueue([_event(1)])
    (job,) = queue.claim("crashed", 8, lease_seconds=30)
    assert queue.mark(job, "crashed", "replying")
    clock.now += 20
    assert queue.claim("restarted", 8, lease_seconds=30) == []
    clock.now += 11
    (again,) = queue.claim("restarted", 8, lease_seconds=30)
    assert again.event_id == job.event_id and again.attempts == 2
    assert again.previous_stage == "replying"  # the new worker must not answer blindly
    assert again.retry_key == job.retry_key  # a push after a push is dropped by LINE
    # The old worker, should it wake up, can neither send nor acknowledge any more.
    assert not queue.mark(job, "crashed", "pushing")
    assert not queue.finish(job, "crashed", "replied")
    assert queue.finish(again, "restarted", "unsure")


def test_a_renewed_lease_is_not_taken_over(tmp_path):
    clock = Clock()
    queue = _queue(tmp_path, clock)
    queue.enqueue([_event(1)])
    queue.claim("slow", 8, lease_seconds=30)
    for _ in range(4):
        clock.now += 20
        assert queue.renew("slow", lease_seconds=30) == 1
        assert queue.claim("other", 8, lease_seconds=30) == []


def test_released_leases_are_claimable_at_once(tmp_path):
    queue = _queue(tmp_path)
    queue.enqueue([_event(1)])
    queue.claim("stopping", 8, lease_seconds=30)
    assert queue.release("stopping") == 1
    assert len(queue.claim("next", 8, lease_seconds=30)) == 1


def test_two_replicas_never_both_claim_an_event(tmp_path):
    url = f"sqlite:///{tmp_path / 'catalogue.db'}"
    EventQueue(url).enqueue([_event(n, user=f"U{n}") for n in range(60)])
    replicas = [EventQueue(url), EventQueue(url)]
    won: list[str] = []
    lock = threading.Lock()

    def work(queue: EventQueue, owner: str) -> None:
        while jobs := queue.claim(owner, 3, lease_seconds=30):
            for job in jobs:
                with lock:
                    won.append(job.event_id)
                queue.finish(job, owner, "replied")

    threads = [threading.Thread(target=work, args=(q, f"r{i}")) for i, q in enumerate(replicas)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 60 and len(set(won)) == 60
    for queue in replicas:
        queue.close()


def test_answered_events_forget_the_message_and_are_pruned_after_the_retention(tmp_path):
    clock = Clock()
    queue = _queue(tmp_path, clock, retention=3600)
    queue.enqueue([_event(1, text="เลขบัตร 1101700203451")])
    (job,) = queue.claim("w", 8, lease_seconds=30)
    queue.finish(job, "w", "replied")
    with sqlite3.connect(tmp_path / "catalogue.db") as connection:
        assert connection.execute("SELECT raw, chat_key FROM line_event_queue").fetchall() == [(None, "")]
    clock.now += 3000
    assert queue.prune() == 0
    assert queue.enqueue([_event(1)]) == [False]  # still remembered: a redelivery is not answered
    clock.now += 700
    assert queue.prune() == 1
    assert queue.outcomes() == {}


def test_an_event_without_an_id_is_still_stored(tmp_path):
    queue = _queue(tmp_path)
    old_shape = {"type": "follow", "replyToken": "rt", "source": {"type": "user", "userId": "U1"}}
    assert queue.enqueue([old_shape, old_shape]) == [True, True]  # nothing to de-duplicate by
    assert queue.unfinished() == 2
