from __future__ import annotations

import pytest


@pytest.fixture
def conversations(tmp_path):
    from actions.api.conversation_store import ConversationStore

    store = ConversationStore(f"sqlite:///{tmp_path / 'conversations.db'}")
    yield store
    store.close()
