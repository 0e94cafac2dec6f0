"""The reports store's tables (database ``store.reports_url``), created by its migrations only.

A report's own row holds what the citizen sent (description and address masked with
:func:`nlu.pii.mask_pii`), where it is (lat/lon), what happened to it, and the case it belongs to
(``case_id``: the id of the first report of the case, itself for the first). Every status change is a
row of ``report_status_history``; every notice the citizen must get is a row of ``report_notices``
until a channel delivers it. ``report_routes`` is the routing table administrators edit.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Float, Index, Integer, MetaData, String, Table, Text

__all__ = ["metadata", "report_drafts", "report_notices", "report_routes", "report_status_history", "reports"]

metadata = MetaData()

reports = Table(
    "reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ticket", String(20), nullable=True, unique=True),  # set right after the insert, from the id
    Column("sender_id", String(160), nullable=False),  # the conversation id: export and erasure
    Column("channel", String(16), nullable=False),  # line | web | api
    Column("language", String(2), nullable=False),
    Column("description", Text, nullable=False),  # masked
    Column("type", String(40), nullable=False),  # the Traffy Fondue Thai name
    Column("type_score", Float, nullable=True),  # the classifier's probability when it chose the type
    Column("latitude", Float, nullable=True),
    Column("longitude", Float, nullable=True),
    Column("address", Text, nullable=True),  # masked
    Column("district", String(80), nullable=True),
    Column("province", String(80), nullable=True),
    Column("photo_ref", String(300), nullable=True),  # a file reference, never the image itself
    Column("after_photo_ref", String(300), nullable=True),
    Column("organisation", String(200), nullable=False),
    Column("status", String(12), nullable=False),  # received | forwarded | in_progress | done | rejected
    Column("note", Text, nullable=True),
    Column("reason", Text, nullable=True),
    Column("rating", Integer, nullable=True),  # 1-5, after done
    Column("case_id", Integer, nullable=True),
    Column("external_id", String(120), nullable=True),  # the id an external case system gave it
    # The forwarder's claim and back-off (migration 0003): tries so far, and when it may try next.
    Column("forward_attempts", Integer, nullable=True),
    Column("forward_next_at", DateTime(timezone=True), nullable=True),
    Column("version", Integer, nullable=False),  # optimistic concurrency: a stale update gets 409
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_reports_sender_id", "sender_id"),
    Index("ix_reports_type_created", "type", "created_at"),
    Index("ix_reports_status", "status"),
    Index("ix_reports_case_id", "case_id"),
)

report_status_history = Table(
    "report_status_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("report_id", Integer, nullable=False),
    Column("status", String(12), nullable=False),
    Column("note", Text, nullable=True),
    Column("reason", Text, nullable=True),
    Column("actor", String(120), nullable=False),  # an officer's account, "external:<system>" or "citizen"
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_report_status_history_report_id", "report_id"),
)

report_notices = Table(
    "report_notices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("report_id", Integer, nullable=False),
    Column("sender_id", String(160), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("text", Text, nullable=False),  # in the citizen's language, masked
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True), nullable=True),
    Column("claimed_until", DateTime(timezone=True), nullable=True),  # a replica is pushing it (0003)
    Index("ix_report_notices_pending", "channel", "delivered_at"),
    Index("ix_report_notices_sender_id", "sender_id"),
)

report_routes = Table(
    "report_routes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("type", String(40), nullable=True),  # None: any type
    Column("province", String(80), nullable=True),  # None: anywhere
    Column("district", String(80), nullable=True),
    Column("organisation", String(200), nullable=False),
    Column("updated_by", String(120), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# The report a citizen is still telling the bot about: one per conversation, never a filed report.
# ``data`` is JSON (description masked, type, location, photo ref); ``step`` is what the bot asked last.
report_drafts = Table(
    "report_drafts",
    metadata,
    Column("sender_id", String(160), primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("language", String(2), nullable=False),
    Column("step", String(20), nullable=False),
    Column("data", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_report_drafts_updated_at", "updated_at"),
)
