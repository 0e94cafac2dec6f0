"""Limits on what a citizen is shown that hold on every channel."""

from __future__ import annotations

__all__ = ["MAX_QUICK_REPLIES"]

# LINE shows at most 13 quick replies; the actions offer no more, and the web widget follows
# the same limit so a conversation looks alike on both channels.
MAX_QUICK_REPLIES = 13
