"""Brings this gateway's search up to date with changes other processes make to the catalogue.

``citizenbot catalogue import``, a second gateway on the same database, or an operator's restore
move the store's revision on without telling this process. A daemon thread reads the store's
revision every ``search.revision_poll_seconds`` and, when the index has not applied it, asks the
search to catch up; how (only the changed services, or a rebuild) is the search's business.

On PostgreSQL every write also sends a notification at commit (knowledge/store.py): the thread
LISTENs for it and catches up at once, so an edit made through one gateway replica is searchable on
the others within a second or two. Polling stays as the backstop (a lost connection, a write made by
an older release); if the listening connection fails the thread polls alone and reconnects later.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Any

from knowledge.service_search import CatalogueSearch
from knowledge.store import NOTIFY_CHANNEL_SQL

__all__ = ["RevisionWatcher"]

logger = logging.getLogger(__name__)


class RevisionWatcher:
    """Polls the store's revision in a background thread until :meth:`stop`."""

    def __init__(self, catalogue: CatalogueSearch, poll_seconds: float) -> None:
        if poll_seconds <= 0:
            raise ValueError("poll_seconds must be positive")
        self._catalogue = catalogue
        self._poll_seconds = poll_seconds
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._failing = False
        self._listen: Any = None  # psycopg.Connection LISTENing for catalogue changes (PostgreSQL only)
        self._listen_retry_at = 0.0

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="catalogue-revision-watcher", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the thread to finish and wait for it: a catch-up under way completes first."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                logger.warning("the catalogue revision watcher did not stop within %.0f s", timeout)

    def check_once(self) -> int:
        """Catch up if the store is ahead of the index; how many services changed."""
        catalogue = self._catalogue
        if not catalogue.ready or catalogue.store.revision() == catalogue.revision:
            return 0
        changed = catalogue.catch_up()
        logger.info("caught up with the catalogue store: revision %d, %d services changed", catalogue.revision, changed)
        return changed

    def _wait(self) -> None:
        """Until the next poll is due, or (PostgreSQL) a notification says the catalogue changed."""
        deadline = time.monotonic() + self._poll_seconds
        while not self._stopping.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            listener = self._listener()
            if listener is None:
                self._stopping.wait(min(left, 1.0))
                continue
            try:
                # Short slices, so stop() is not kept waiting for a whole poll interval.
                heard = list(listener.notifies(timeout=min(left, 0.5), stop_after=1))
                if heard:
                    self._drain(listener)  # outside the generator above: it holds the connection
                    return
            except Exception:
                logger.warning("lost the catalogue's change notifications; polling until they are back")
                self._close_listener()

    def _listener(self) -> Any:
        """The LISTENing psycopg connection (PostgreSQL stores only), opened on first use and after a
        failure at most every poll interval; None when there is none."""
        if self._listen is not None or self._catalogue.store.engine.dialect.name != "postgresql":
            return self._listen
        if time.monotonic() < self._listen_retry_at:
            return None
        self._listen_retry_at = time.monotonic() + self._poll_seconds
        try:
            import psycopg

            url = self._catalogue.store.engine.url.set(drivername="postgresql")
            connection = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)
            channel = connection.execute(f"SELECT {NOTIFY_CHANNEL_SQL}").fetchone()
            assert channel is not None
            connection.execute(f'LISTEN "{str(channel[0]).replace(chr(34), chr(34) * 2)}"')
        except Exception as error:
            logger.warning("cannot listen for catalogue changes (%s); polling only", type(error).__name__)
            return None
        self._listen = connection
        return connection

    @staticmethod
    def _drain(listener: Any) -> None:
        """Several writes in a burst are one catch-up: drop the notifications already queued."""
        for _ in listener.notifies(timeout=0):
            pass

    def _close_listener(self) -> None:
        if self._listen is not None:
            with contextlib.suppress(Exception):
                self._listen.close()
            self._listen = None

    def _run(self) -> None:
        try:
            self._watch()
        finally:
            self._close_listener()

    def _watch(self) -> None:
        while True:
            self._wait()
            if self._stopping.is_set():
                return
            try:
                self.check_once()
            except Exception:
                # One report per outage, not one every few seconds; the next poll tries again.
                if not self._failing:
                    logger.exception("catching up with the catalogue store failed; will keep trying")
                self._failing = True
            else:
                if self._failing:
                    logger.info("catching up with the catalogue store works again")
                self._failing = False
