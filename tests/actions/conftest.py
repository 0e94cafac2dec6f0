from __future__ import annotations

import pytest

from knowledge.referrals import load_referrals
from knowledge.service_search import CatalogueSearch
from knowledge.store import CatalogueStore


@pytest.fixture(scope="session")
def catalogue(tmp_path_factory, seed_services, embedder):
    """The seed catalogue in a real SQLite file with a real FAISS index, and the seed topics outside it."""
    tmp = tmp_path_factory.mktemp("catalogue")
    store = CatalogueStore(f"sqlite:///{tmp / 'catalogue.db'}")
    store.import_services(seed_services, "test")
    search = CatalogueSearch(store, embedder, tmp / "index", referrals=load_referrals())
    search.load_or_build()
    search.wait_for_classifier()  # answer as the running bot does once its classifier is trained
    yield search
    store.close()


@pytest.fixture
def conversations(tmp_path):
    from actions.api.conversation_store import ConversationStore

    store = ConversationStore(f"sqlite:///{tmp_path / 'conversations.db'}")
    yield store
    store.close()
