"""Several Rasa replicas behind one client: pick the least busy, skip the dead, retry where safe.

Any replica may serve any turn of any conversation: with a shared tracker store and a Redis lock
store (docs/deploy.md) Rasa loads the conversation from the store, takes its lock, and saves it back.
So the pool needs no stickiness; it sends each request to the replica with the fewest requests in
flight (ties in turn, round-robin), and a replica that fails at the transport level is set aside
for ``down_seconds`` (doubled while it keeps failing, up to ``max_down_seconds``) and probed in the
background (``GET /status``: up only once it serves a model again).

Which failures move a turn to another replica (:func:`retry_is_safe`):

- the connection was refused, or could not be made in time: Rasa never saw the request; always safe;
- the connection was dropped with no answer (the replica died mid-turn, ``kill -9``): Rasa saves a
  tracker only at the end of a turn, so a dead replica almost always saved nothing and the turn is
  redone exactly once elsewhere. If it died in the few milliseconds between saving and answering,
  the citizen's message is in the tracker twice; we accept that rare duplicate over a lost turn;
- a read timeout (the replica is alive but slow) is **not** retried for a turn: the slow replica
  still finishes and saves it, and the retry would wait for its lock and then answer the message
  a second time. The replica is set aside and the turn fails as a timeout (the gateway then
  answers from the catalogue). Idempotent calls (reading or erasing a tracker) retry on any of these.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import httpx

__all__ = ["Replica", "ReplicaPool", "ReplicaState", "retry_is_safe"]

logger = logging.getLogger(__name__)

ReplicaState = Literal["up", "down"]

# The request never reached Rasa: moving it to another replica cannot repeat anything.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# The connection broke with no answer: the replica (or the network to it) is gone.
_DROPPED = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError, httpx.WriteTimeout)


def retry_is_safe(error: httpx.HTTPError, *, idempotent: bool) -> bool:
    """Whether a request that failed with ``error`` may be sent again to another replica (module doc)."""
    if isinstance(error, _NOT_SENT + _DROPPED):
        return True
    return idempotent and isinstance(error, httpx.TransportError)


def replica_failed(error: httpx.HTTPError) -> bool:
    """A transport failure (not an HTTP status): the replica is set aside for a while."""
    return isinstance(error, httpx.TransportError)


@dataclass
class Replica:
    """One Rasa server: its own connection pool, its load, and whether it is set aside."""

    index: int
    url: str
    client: httpx.AsyncClient
    in_flight: int = 0
    down_until: float | None = None  # set aside until then; None: up
    down_for: float = 0.0  # the current quarantine, doubled while it keeps failing
    probing: bool = False
    failures: int = 0

    @property
    def state(self) -> ReplicaState:
        return "up" if self.down_until is None else "down"


@dataclass
class ReplicaPool:
    """The replicas and the choice between them; shared by every request of one gateway process."""

    replicas: list[Replica]
    down_seconds: float = 5.0
    max_down_seconds: float = 30.0
    clock: Callable[[], float] = time.monotonic
    _turn: itertools.count[int] = field(default_factory=itertools.count)
    _probes: set[asyncio.Task[None]] = field(default_factory=set)

    @classmethod
    def create(
        cls,
        urls: Sequence[str],
        timeout: httpx.Timeout,
        params: dict[str, str] | None,
        down_seconds: float = 5.0,
    ) -> ReplicaPool:
        if not urls:
            raise ValueError("at least one Rasa URL is needed")
        replicas = [
            Replica(i, url.rstrip("/"), httpx.AsyncClient(base_url=url, timeout=timeout, params=params))
            for i, url in enumerate(urls)
        ]
        return cls(replicas, down_seconds=down_seconds, max_down_seconds=max(30.0, down_seconds))

    def order(self) -> list[Replica]:
        """The replicas to try, best first: up ones by fewest in flight (ties rotate), then the ones
        set aside, soonest back first (a turn is still tried on them when every other one failed)."""
        count = len(self.replicas)
        start = next(self._turn) % count
        rotated = self.replicas[start:] + self.replicas[:start]
        up = sorted((r for r in rotated if r.down_until is None), key=lambda r: r.in_flight)
        down = sorted((r for r in rotated if r.down_until is not None), key=lambda r: r.down_until or 0.0)
        return up + down

    def mark_up(self, replica: Replica) -> None:
        if replica.down_until is not None:
            logger.info("Rasa replica %d is back", replica.index)
        replica.down_until, replica.down_for = None, 0.0

    def mark_down(self, replica: Replica, why: str) -> None:
        """Set ``replica`` aside; while it stays down each further failure doubles the quarantine."""
        replica.failures += 1
        was_up = replica.down_until is None
        replica.down_for = self.down_seconds if was_up else min(replica.down_for * 2, self.max_down_seconds)
        replica.down_until = self.clock() + replica.down_for
        if was_up:
            logger.warning("Rasa replica %d set aside for %.0f s: %s", replica.index, replica.down_for, why)
        self._probe_later(replica)

    def states(self) -> list[ReplicaState]:
        return [replica.state for replica in self.replicas]

    def _probe_later(self, replica: Replica) -> None:
        """Check the replica again once its quarantine is over, in the background (needs a running loop)."""
        if replica.probing or len(self.replicas) == 1:  # a lone replica is simply tried by every turn
            return
        try:
            task = asyncio.get_running_loop().create_task(self._probe(replica))
        except RuntimeError:
            return
        replica.probing = True
        self._probes.add(task)
        task.add_done_callback(self._probes.discard)

    async def _probe(self, replica: Replica) -> None:
        try:
            while replica.down_until is not None:
                await asyncio.sleep(max(0.0, replica.down_until - self.clock()))
                if replica.down_until is None:  # a turn tried it (every other one failed) and it answered
                    return
                if await probe(replica):
                    self.mark_up(replica)
                    return
                replica.down_for = min(replica.down_for * 2, self.max_down_seconds)
                replica.down_until = self.clock() + replica.down_for
        finally:
            replica.probing = False

    async def aclose(self) -> None:
        for task in list(self._probes):
            task.cancel()
        await asyncio.gather(*self._probes, return_exceptions=True)
        for replica in self.replicas:
            await replica.client.aclose()


async def probe(replica: Replica, timeout: float = 3.0) -> bool:
    """True when the replica serves a model (``GET /status`` names one)."""
    try:
        response = await replica.client.get("/status", timeout=timeout)
        response.raise_for_status()
        return bool(response.json().get("model_file"))
    except (httpx.HTTPError, ValueError, AttributeError):
        return False
