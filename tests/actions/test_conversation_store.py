"""The conversation store's SQLite file: WAL, NORMAL sync and a busy timeout on every connection."""

from __future__ import annotations

from actions.api.conversation_store import ConversationStore


def test_a_sqlite_file_uses_wal_normal_sync_and_a_busy_timeout(tmp_path):
    store = ConversationStore(f"sqlite:///{tmp_path / 'conversations.db'}")
    try:
        for _ in range(2):  # a second, fresh connection gets the same settings
            with store.engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
                assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
            store.engine.dispose()
    finally:
        store.close()


def test_writes_still_land_with_wal(tmp_path):
    url = f"sqlite:///{tmp_path / 'conversations.db'}"
    store = ConversationStore(url)
    store.request_handoff("citizen-1", "web", "th", "asked", [{"role": "user", "text": "ขอคุยกับเจ้าหน้าที่"}])
    store.close()
    reopened = ConversationStore(url)
    try:
        with reopened.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM handoff_requests").scalar() == 1
    finally:
        reopened.close()
