"""Assembling the citizens desk (conversation/citizens/desk.py) from the runtime's parts.

Each handler is one job of the desk; this is the one place that lists them, in the order their
phrases are tried.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Engine

from conversation.citizens.desk import CitizenDesk, CitizenHandler
from conversation.citizens.identity import CitizenIdentity
from conversation.citizens.prompts import PromptBook

if TYPE_CHECKING:
    from gateway.runtime import Runtime

__all__ = ["build_citizen_desk"]


def build_citizen_desk(runtime: Runtime, engine: Engine) -> CitizenDesk:
    identity = CitizenIdentity(engine)
    prompts = PromptBook(engine)
    handlers: list[CitizenHandler] = []
    return CitizenDesk(identity, prompts, handlers)
