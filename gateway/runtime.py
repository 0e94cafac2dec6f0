"""The long-lived parts of a gateway process, built once from the settings.

The catalogue index loads in a background thread (embedding every service takes
a few seconds), so the gateway answers /health at once and reports when the
catalogue is ready. Another thread watches the store for changes made by other
processes (see :mod:`gateway.revision_watcher`).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from rasa_sdk.executor import ActionExecutor

from actions.api.conversation_store import ConversationStore
from actions.api.status_provider import SampleStatusProvider
from actions.context import SearchThresholds
from actions.registry import build_actions
from channels.line.settings import LineSettings
from conversation.rasa_client import RasaClient
from gateway.revision_watcher import RevisionWatcher
from gateway.settings import Settings
from knowledge.catalogue_files import load_seed
from knowledge.catalogue_writer import CatalogueWriter
from knowledge.referrals import load_referrals
from knowledge.schema import Service
from knowledge.search.dense import set_faiss_threads
from knowledge.service_search import CatalogueSearch
from knowledge.store import CatalogueStore
from nlu.embedders import create_embedder

__all__ = ["Runtime"]

logger = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    store: CatalogueStore
    conversations: ConversationStore
    catalogue: CatalogueSearch
    writer: CatalogueWriter
    watcher: RevisionWatcher
    rasa: RasaClient
    executor: ActionExecutor
    catalogue_error: str | None = None
    _loaded: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def create(cls, settings: Settings) -> Runtime:
        search = settings.search
        set_faiss_threads(search.faiss_threads)
        store = CatalogueStore(settings.store.url)
        embedder = create_embedder(search.embedder, search.model, threads=search.encoder_threads)
        referrals = load_referrals(search.referrals_dir) if search.referrals_dir is not None else []
        catalogue = CatalogueSearch(
            store, embedder, search.index_dir, spelling=search.spelling_config(), referrals=referrals
        )
        writer = CatalogueWriter(store, catalogue)
        watcher = RevisionWatcher(catalogue, search.revision_poll_seconds)
        conversations = ConversationStore(settings.store.conversations_url)
        thresholds = SearchThresholds(
            search.min_score,
            search.switch_score,
            search.ask_back_margin,
            search.ask_back_spread,
            referral_margin=search.referral_margin,
        )
        executor = ActionExecutor()
        for action in build_actions(catalogue, thresholds, conversations, SampleStatusProvider()):
            executor.register_action(action)
        rasa = RasaClient(settings.rasa.url, settings.rasa.timeout_seconds)
        return cls(settings, store, conversations, catalogue, writer, watcher, rasa, executor)

    # What the channels use (see their Protocols: ChatBackend, LineBackend).
    @property
    def max_message_chars(self) -> int:
        return self.settings.gateway.max_message_chars

    @property
    def line_settings(self) -> LineSettings:
        return self.settings.line

    @property
    def list_services(self) -> Callable[[], list[Service]]:
        return self.store.list_services

    @property
    def events_store_url(self) -> str:
        """LINE's de-duplication table lives beside the catalogue."""
        return self.settings.store.url

    def load_catalogue(self) -> None:
        """Seed an empty store, then load or build the search index."""
        try:
            if self.settings.store.seed_on_empty and self.store.seed_if_empty(load_seed()):
                logger.info("seeded the catalogue with %d services", self.store.count())
            self.catalogue.load_or_build()
            logger.info("catalogue ready: %d services", len(self.catalogue))
        except Exception as error:
            logger.exception("catalogue failed to load")
            self.catalogue_error = f"{type(error).__name__}: {error}"
        finally:
            self._loaded.set()

    def start(self) -> threading.Thread:
        """Load the catalogue in the background and start watching the store for changes made elsewhere."""
        thread = threading.Thread(target=self.load_catalogue, name="catalogue-loader", daemon=True)
        thread.start()
        self.watcher.start()
        return thread

    def wait_until_loaded(self, timeout: float | None = None) -> bool:
        return self._loaded.wait(timeout)

    async def aclose(self) -> None:
        await asyncio.to_thread(self.watcher.stop)  # before the store closes under a catch-up
        await self.rasa.aclose()
        self.store.close()
        self.conversations.close()
