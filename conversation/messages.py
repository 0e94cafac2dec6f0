"""What a citizen is told when a turn cannot be answered normally, with a machine status.

The wording is the ``conversation`` group of the one table (:mod:`texts`), so the web
widget and LINE say the same thing in Thai and English.
"""

from __future__ import annotations

from enum import StrEnum

from texts import Lang, text

__all__ = ["TurnStatus", "canned_reply"]


class TurnStatus(StrEnum):
    OK = "ok"
    RASA_UNAVAILABLE = "rasa_unavailable"
    RASA_TIMEOUT = "rasa_timeout"
    NO_REPLY = "no_reply"
    # Rasa down or slow, answered by the gateway's own catalogue search; its text is the notice.
    DEGRADED = "degraded"
    # An officer holds the conversation (conversation/handoff): the message went to them, no bot reply.
    WITH_OFFICER = "with_officer"


def canned_reply(status: TurnStatus, lang: Lang) -> str:
    """The reply for a failed turn; ``KeyError`` for ``OK``, which has none."""
    return text(f"conversation.{status.value}", lang)
