"""Rasa 3.6's SQL tracker store, able to erase a conversation.

Rasa has no "delete tracker": the gateway erases a conversation (a citizen's request, a LINE unfollow,
the retention period) by replacing its events with none (``PUT /conversations/{id}/tracker/events``
with ``[]``, gateway/privacy.py). The in-memory and Redis stores save the whole tracker, so that
empties them; Rasa's ``SQLTrackerStore`` only appends the events it has not stored yet, so it kept
every row. This subclass deletes the conversation's rows when a tracker with no events at all is
saved, which only a replacement with none does (a conversation Rasa itself runs always has its
session-start events). Everything else is Rasa's own code. gateway/rasa_endpoints.py names this
class in the endpoints file for ``postgresql://`` and ``sqlite:///`` tracker store URLs.

Runs in Rasa's environment (.venv-rasa) only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore

__all__ = ["ErasableSQLTrackerStore"]

logger = logging.getLogger(__name__)


class ErasableSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` where saving a tracker without events deletes the conversation's rows."""

    def _additional_events(self, session: Any, tracker: Any) -> Iterator[Any]:
        if tracker.events:
            return super()._additional_events(session, tracker)  # type: ignore[no-any-return]
        event = self.SQLEvent
        deleted = session.query(event).filter(event.sender_id == tracker.sender_id).delete(synchronize_session=False)
        if deleted:
            logger.info("erased a conversation's tracker: %d events deleted", deleted)
        return iter(())
