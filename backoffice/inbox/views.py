"""The inbox's JSON shapes (docs/handoff.md): a request as a list item, and with its conversation.

Lists show the contact masked; its clear value is in the detail only, for the officer holding it.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pydantic import BaseModel, Field

from actions.api.conversation_store import HandoffRecord
from conversation.handoff.store import HandoffMessage, HandoffStore
from knowledge.database import as_utc
from nlu.pii import mask_deep, mask_pii

__all__ = ["HandoffDetail", "HandoffItem", "HandoffList", "MessageOut", "detail_of", "item_of", "message_of"]


class MessageOut(BaseModel):
    id: int
    author: str = Field(description="citizen | agent | system")
    agent: str | None = None
    text: str = Field(description="Masked")
    created_at: dt.datetime


class HandoffItem(BaseModel):
    id: int
    sender_id: str = Field(description="The conversation id (a pseudonym): web:<id> or line:<id>")
    channel: str
    language: str
    reason: str
    state: str = Field(description="waiting | taken | released | closed | cancelled")
    assigned_to: str | None
    created_at: dt.datetime
    taken_at: dt.datetime | None
    waiting_seconds: float = Field(description="Waiting so far, or until it was taken")
    contact: str | None = Field(description="The contact the citizen left, masked")
    last_message: str | None = Field(description="The citizen's last message, masked")
    unread: int = Field(description="The citizen's messages its officer has not read")


class HandoffList(BaseModel):
    handoffs: list[HandoffItem]


class HandoffDetail(HandoffItem):
    transcript: list[dict[str, Any]] = Field(description="What the citizen and the bot said before, masked")
    messages: list[MessageOut]
    contact_full: str | None = Field(description="The contact in clear: only for the officer holding it")
    outcome: str | None
    closed_at: dt.datetime | None


def message_of(message: HandoffMessage) -> MessageOut:
    return MessageOut(
        id=message.id, author=message.author, agent=message.agent, text=message.text, created_at=message.created_at
    )


def _optional(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else as_utc(value)


def item_of(record: HandoffRecord, store: HandoffStore) -> HandoffItem:
    created = as_utc(record.created_at)
    until = _optional(record.taken_at) or (_optional(record.closed_at) if record.status != "waiting" else None)
    waited = ((until or store.now()) - created).total_seconds()
    last = store.last_citizen_message(record.id)
    return HandoffItem(
        id=record.id,
        sender_id=record.sender_id,
        channel=record.channel,
        language=record.language,
        reason=record.reason,
        state=record.status,
        assigned_to=record.assigned_to,
        created_at=created,
        taken_at=_optional(record.taken_at),
        waiting_seconds=round(max(0.0, waited), 1),
        contact=mask_pii(record.contact) if record.contact else None,
        last_message=last.text if last else None,
        unread=store.unread(record.id, record.agent_seen_id),
    )


def detail_of(record: HandoffRecord, store: HandoffStore, messages: list[HandoffMessage], viewer: str) -> HandoffDetail:
    try:
        transcript = json.loads(record.transcript or "[]")
    except ValueError:
        transcript = []
    mine = record.status == "taken" and record.assigned_to == viewer
    return HandoffDetail(
        **item_of(record, store).model_dump(),
        transcript=[turn for turn in mask_deep(transcript) if isinstance(turn, dict)],
        messages=[message_of(message) for message in messages],
        contact_full=record.contact if mine else None,
        outcome=record.outcome,
        closed_at=_optional(record.closed_at),
    )
