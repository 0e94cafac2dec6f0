"""Brings this gateway's search up to date with changes other processes make to the catalogue.

``citizenbot catalogue import``, a second gateway on the same database, or an operator's restore
move the store's revision on without telling this process. A daemon thread reads the store's
revision every ``search.revision_poll_seconds`` and, when the index has not applied it, asks the
search to catch up; how (only the changed services, or a rebuild) is the search's business.
"""

from __future__ import annotations

import logging
import threading

from knowledge.service_search import CatalogueSearch

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

    def _run(self) -> None:
        while not self._stopping.wait(self._poll_seconds):
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
