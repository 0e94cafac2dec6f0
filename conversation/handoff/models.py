"""The hand-off desk's own tables: the messages of an open request, and officers' presence.

The requests themselves are ``handoff_requests`` (:class:`actions.api.conversation_store.HandoffRecord`,
where the hand-off action writes them); these tables sit beside it in the conversations database,
created by that store's migration 0003 (ADR 0009), so a citizen's records are exported and erased
together (gateway/privacy.py).
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, MetaData, String, Table, Text

__all__ = ["agent_presence", "handoff_messages", "metadata"]

metadata = MetaData()

handoff_messages = Table(
    "handoff_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),  # the widget's and the inbox's cursor
    Column("handoff_id", Integer, nullable=False),
    Column("sender_id", String(160), nullable=False),  # the Rasa conversation id, for erasure
    Column("author", String(8), nullable=False),  # citizen | agent | system
    Column("agent", String(120), nullable=True),  # the officer's account name
    Column("text", Text, nullable=False),  # masked (nlu.pii.mask_pii) before it is stored
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_handoff_messages_handoff_id", "handoff_id"),
    Index("ix_handoff_messages_sender_id", "sender_id"),
)

agent_presence = Table(
    "agent_presence",
    metadata,
    Column("account", String(120), primary_key=True),
    Column("status", String(8), nullable=False),  # online | away
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
