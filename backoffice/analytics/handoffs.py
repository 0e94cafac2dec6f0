"""The hand-off desk's figures over the analytics' filters: the JSON summary and the analytics page
show the same ones (docs/handoff.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from backoffice.analytics.filters import Filters
from conversation.handoff.desk import HandoffDesk
from conversation.turn_events import LOCAL_TIMEZONE

__all__ = ["handoff_figures"]


def handoff_figures(desk: HandoffDesk | None, filters: Filters) -> dict[str, Any] | None:
    """Requests made on the filters' Thai calendar days (channel and language too); None without a desk."""
    if desk is None:
        return None
    start = dt.datetime.combine(filters.start, dt.time.min, LOCAL_TIMEZONE)
    end = dt.datetime.combine(filters.end + dt.timedelta(days=1), dt.time.min, LOCAL_TIMEZONE)
    return desk.figures_of(desk.store.between(start, end, filters.channel, filters.language))
