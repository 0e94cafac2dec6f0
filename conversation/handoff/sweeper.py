"""The pick-up time-out: every ``sweep_seconds``, citizens whose request nobody took in time are told.

An asyncio task of the gateway (gateway/app.py). Several replicas may sweep at once: the store marks
each request told in one conditional UPDATE, so each citizen hears it once.
"""

from __future__ import annotations

import asyncio
import logging

from conversation.handoff.desk import HandoffDesk

__all__ = ["sweep_forever"]

logger = logging.getLogger(__name__)


async def sweep_forever(desk: HandoffDesk) -> None:
    """Until cancelled; a failed sweep (database away) is logged and tried again next time."""
    while True:
        try:
            told = await desk.sweep()
            if told:
                logger.info("told %d citizens that no officer is free yet", told)
        except Exception:
            logger.exception("the hand-off time-out sweep failed")
        await asyncio.sleep(desk.settings.sweep_seconds)
