"""The long-lived parts of a gateway process, built once from the settings.

The catalogue index loads in a background thread (embedding every service takes
a few seconds), so the gateway answers /health at once and reports when the
catalogue is ready. A failed load (a full disk, a store not reachable yet) is
retried in that thread with a growing pause until it succeeds. Another thread
watches the store for changes made by other processes (see :mod:`gateway.revision_watcher`).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from rasa_sdk.executor import ActionExecutor
from sqlalchemy import Engine

from actions.api.conversation_store import ConversationStore
from actions.api.id_vault import IdVault
from actions.api.status_provider import SampleStatusProvider
from actions.registry import build_actions
from actions.status_attempts import AttemptLimit, StatusAttempts
from backoffice.accounts.service import StaffAccounts
from backoffice.accounts.store import StaffStore
from channels.line.settings import LineSettings
from channels.web.limits import ChatLimits
from channels.web.sender_ids import SenderIds
from conversation.citizens.desk import CitizenDesk
from conversation.citizens.engine import open_citizens_engine
from conversation.citizens.records import CitizenRecords
from conversation.degraded import CatalogueFallback
from conversation.handoff.desk import HandoffDesk
from conversation.handoff.store import HandoffStore
from conversation.handoff.working_hours import WorkingHours
from conversation.picks import TypedPicks
from conversation.rasa_client import RasaClient
from conversation.reports.desk import ReportDesk
from conversation.reports.photos import PhotoStore
from conversation.reports.store import ReportsStore
from conversation.turn_events import TurnEventStore
from conversation.turn_recording import TurnRecorder, catalogue_scorer
from gateway.citizen_desk import build_citizen_desk
from gateway.privacy import ActivityRecordingRasaClient, ConversationPrivacy, PurgeJob, Retention
from gateway.revision_watcher import RevisionWatcher
from gateway.secrets import rasa_auth_token, web_sender_key
from gateway.settings import Settings
from http_api.rate_limits import Limit, RateLimiter
from knowledge.catalogue_files import load_seed
from knowledge.catalogue_writer import CatalogueWriter
from knowledge.journey_store import JourneyStore
from knowledge.journeys import Journey, load_seed_journeys
from knowledge.referrals import load_referrals
from knowledge.reports.classifier import default_classifier
from knowledge.schema import LifeEvent, Service
from knowledge.search.dense import set_faiss_threads
from knowledge.service_search import CatalogueSearch
from knowledge.store import CatalogueStore
from nlu.embedders import Embedder, create_embedder
from nlu.numeric_threads import set_blas_threads

__all__ = ["CatalogueState", "Runtime"]

logger = logging.getLogger(__name__)


def create_id_vault(settings: Settings) -> IdVault:
    """In this process's memory, or in Redis when ``redis.url`` is set (several gateway processes)."""
    masking, url = settings.masking, settings.redis.url.get_secret_value()
    if not url:
        return IdVault(masking.id_vault_ttl_seconds, masking.id_vault_max_entries)
    from actions.api.id_vault_redis import RedisIdVault

    return RedisIdVault.from_url(url, settings.redis.key_prefix, masking.id_vault_ttl_seconds)


def journey_of(journeys: JourneyStore, event: str) -> Journey | None:
    """The life event's journey (the first by id when editors made several), or None; a failing
    store costs the answer its journey, never the answer."""
    try:
        found = journeys.list_journeys(LifeEvent(event))
    except Exception:
        logger.exception("the journeys could not be read")
        return None
    return found[0].journey if found else None


CatalogueState = Literal["ready", "loading", "failed"]


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
    fallback: CatalogueFallback  # answers from the catalogue alone while Rasa is down or slow
    web_senders: SenderIds  # issues and checks the web's conversation ids (channels/web/sender_ids.py)
    privacy: ConversationPrivacy  # export, erasure and retention of conversations (gateway/privacy.py)
    purge_job: PurgeJob  # applies the retention every settings.privacy.purge_interval_seconds
    staff_accounts: StaffAccounts  # staff sign-in, sessions, tokens, audit log (backoffice/accounts)
    catalogue_error: str | None = None  # the last failed load, for logs and the CLI; never served
    # Pause before the first retry of a failed load, doubled after each further failure, up to the cap.
    catalogue_retry_seconds: float = 2.0
    catalogue_retry_max_seconds: float = 60.0
    # Abuse limits' counters, shared by every channel (namespaced per surface).
    rate_limiter: RateLimiter = field(default_factory=RateLimiter)
    # Typed national IDs behind the surrogates Rasa sees (conversation/turn.py); this process only.
    id_vault: IdVault = field(default_factory=IdVault)
    # The services each conversation was just offered: a typed pick goes to Rasa as its quick reply.
    typed_picks: TypedPicks | None = None
    # The analytics' per-turn events (conversation/turn_events.py), in the conversations database,
    # and what writes them after each reply (conversation/turn_recording.py).
    turn_events: TurnEventStore | None = None
    turn_recorder: TurnRecorder | None = None
    # The hand-off desk (conversation/handoff): officers take conversations over and hand them back.
    handoff_desk: HandoffDesk | None = None
    # Citizens' problem reports (conversation/reports, issue 18) and their photos.
    reports: ReportsStore | None = None
    report_photos: PhotoStore | None = None
    # The report conversation (conversation/reports/desk.py), asked by every turn after the hand-off desk.
    report_desk: ReportDesk | None = None
    # Life-event journeys (knowledge/journey_store.py): told by browse_life_event, edited by the editors' API.
    journeys: JourneyStore | None = None
    # What citizens consented to keep (conversation/citizens, issue 17): one engine for its parts, and
    # the desk that answers their commands, asked by every turn after the report desk.
    citizens_engine: Engine | None = None
    citizen_desk: CitizenDesk | None = None
    _loaded: threading.Event = field(default_factory=threading.Event)
    _stopping: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def create(cls, settings: Settings) -> Runtime:
        search = settings.search
        set_faiss_threads(search.faiss_threads)
        set_blas_threads(search.blas_threads)
        store = CatalogueStore(settings.store.url)
        embedder = create_embedder(search.embedder, search.model, threads=search.encoder_threads)
        referrals = load_referrals(search.referrals_dir) if search.referrals_dir is not None else []
        catalogue = CatalogueSearch(
            store, embedder, search.index_dir, spelling=search.spelling_config(), referrals=referrals
        )
        writer = CatalogueWriter(store, catalogue)
        watcher = RevisionWatcher(catalogue, search.revision_poll_seconds)
        conversations = ConversationStore(settings.store.conversations_url)
        thresholds = search.thresholds()
        executor = ActionExecutor()
        checks = settings.status_check
        attempts = StatusAttempts(AttemptLimit(checks.attempts, checks.window_seconds), checks.storage_uri)
        id_vault = create_id_vault(settings)
        hours = WorkingHours(settings.handoff)
        journeys = JourneyStore(store)  # life-event journeys, beside the services (seeded in load_catalogue)
        for action in build_actions(
            catalogue,
            thresholds,
            conversations,
            SampleStatusProvider(),
            attempts,
            id_vault=id_vault,
            handoff_hours=hours,
            journeys=lambda event: journey_of(journeys, event),
        ):
            executor.register_action(action)
        rasa_args = (settings.rasa.replica_urls(), settings.rasa.timeout_seconds)  # one or several replicas
        rasa_token = rasa_auth_token(settings)
        down = settings.rasa.replica_down_seconds
        rasa = ActivityRecordingRasaClient(
            conversations, *rasa_args, auth_token=rasa_token, down_seconds=down
        )  # records every turn
        kept = settings.privacy
        turn_events = TurnEventStore(conversations.engine)  # same database and pool as the conversations
        retention = Retention.of(kept)
        reports = ReportsStore(settings.store.reports_url, settings.reports)  # exported and erased with the rest
        report_photos = PhotoStore(settings.store.report_photos_dir, settings.reports.photo_max_bytes)
        handoff_store = HandoffStore(conversations.engine)  # the desk's rows, beside the requests
        privacy = ConversationPrivacy(
            conversations,
            retention,
            id_vault,
            events=turn_events,
            handoffs=handoff_store,
            reports=reports,
            report_photos=report_photos,
        )
        purge_job = PurgeJob(
            privacy, lambda: RasaClient(*rasa_args, auth_token=rasa_token), kept.purge_interval_seconds
        )
        fallback = CatalogueFallback(catalogue, thresholds)
        limiter = RateLimiter(settings.rate_limits.storage_uri)
        runtime = cls(
            settings,
            store,
            conversations,
            catalogue,
            writer,
            watcher,
            rasa,
            executor,
            fallback,
            web_senders=SenderIds(web_sender_key(settings)),
            privacy=privacy,
            purge_job=purge_job,
            staff_accounts=StaffAccounts(
                StaffStore(settings.store.staff_url),
                settings.backoffice,
                address_key=web_sender_key(settings).encode("utf-8"),  # pseudonymous addresses in the audit log
            ),
            rate_limiter=limiter,
            id_vault=id_vault,
            typed_picks=TypedPicks(catalogue),
            turn_events=turn_events,
            turn_recorder=TurnRecorder(turn_events, catalogue_scorer(catalogue)),
            handoff_desk=HandoffDesk(handoff_store, settings.handoff, rasa=rasa),
            reports=reports,
            report_photos=report_photos,
            journeys=journeys,
        )
        if runtime.reports is not None and runtime.report_photos is not None:
            runtime.report_desk = ReportDesk(
                runtime.reports, runtime.report_photos, default_classifier, settings.reports
            )
        runtime.citizens_engine = open_citizens_engine(settings.store.citizens_url)
        runtime.citizen_desk = build_citizen_desk(runtime, runtime.citizens_engine)
        runtime.privacy.citizens = CitizenRecords(runtime.citizens_engine)  # exported, erased, purged with the rest
        runtime.privacy.citizens_kept_days = settings.citizens.kept_days
        return runtime

    # What the channels use (see their Protocols: ChatBackend, LineBackend).
    @property
    def max_message_chars(self) -> int:
        return self.settings.gateway.max_message_chars

    @property
    def chat_limits(self) -> ChatLimits:
        limits = self.settings.rate_limits
        return ChatLimits(
            per_conversation=Limit(limits.chat_conversation_count, limits.chat_conversation_seconds),
            per_client=Limit(limits.chat_client_count, limits.chat_client_seconds),
            trust_forwarded_for=limits.trust_forwarded_for,
        )

    @property
    def trust_forwarded_for(self) -> bool:
        """The staff sign-in limit counts clients as the chat's limits do (behind a trusted proxy or not)."""
        return self.settings.rate_limits.trust_forwarded_for

    @property
    def line_settings(self) -> LineSettings:
        return self.settings.line

    @property
    def unfollow_eraser(self) -> Callable[[str], Awaitable[None]] | None:
        """LINE's unfollow erases the conversation, unless settings.privacy.erase_on_unfollow is off."""
        if not self.settings.privacy.erase_on_unfollow:
            return None
        return lambda conversation_id: self.privacy.erase_quietly(conversation_id, self.rasa)

    @property
    def list_services(self) -> Callable[[], list[Service]]:
        return self.store.list_services

    @property
    def sentence_encoder(self) -> Embedder:
        """The catalogue's own encoder: the analytics group unanswered messages with it."""
        return self.catalogue.embedder

    @property
    def events_store_url(self) -> str:
        """LINE's de-duplication table lives beside the catalogue."""
        return self.settings.store.url

    @property
    def catalogue_state(self) -> CatalogueState:
        """What /health tells: searchable, still loading, or failed (and waiting to retry)."""
        if self.catalogue.ready:
            return "ready"
        return "failed" if self.catalogue_error else "loading"

    def load_catalogue(self) -> bool:
        """Seed an empty store, then load or build the search index; False when that failed."""
        try:
            if self.settings.store.seed_on_empty and self.store.seed_if_empty(load_seed()):
                logger.info("seeded the catalogue with %d services", self.store.count())
            if self.settings.store.seed_on_empty and self.journeys is not None:
                self.journeys.seed_if_empty(load_seed_journeys())  # after the services its steps name
            self.catalogue.load_or_build()
            logger.info("catalogue ready: %d services", len(self.catalogue))
            self.catalogue_error = None
            return True
        except Exception as error:
            logger.exception("catalogue failed to load")
            self.catalogue_error = f"{type(error).__name__}: {error}"
            return False
        finally:
            self._loaded.set()  # the first attempt is over, whatever its outcome

    def _load_until_ready(self) -> None:
        """Load, and after a failure try again with back-off until it works or the runtime closes."""
        delay = self.catalogue_retry_seconds
        while not self.load_catalogue():
            logger.warning("retrying the catalogue load in %.1f s", delay)
            if self._stopping.wait(delay):
                return
            if self.catalogue.ready:  # the revision watcher's catch-up loaded it meanwhile
                self.catalogue_error = None
                return
            delay = min(delay * 2, self.catalogue_retry_max_seconds)

    def start(self) -> threading.Thread:
        """Load the catalogue in the background and start watching the store for changes made elsewhere."""
        thread = threading.Thread(target=self._load_until_ready, name="catalogue-loader", daemon=True)
        thread.start()
        self.watcher.start()
        self.purge_job.start()
        if self.report_desk is not None:  # the problem-type classifier trains in seconds: not on a citizen's turn
            threading.Thread(target=self._warm_report_classifier, name="report-classifier", daemon=True).start()
        return thread

    def _warm_report_classifier(self) -> None:
        try:
            assert self.report_desk is not None
            _ = self.report_desk.classifier
        except Exception:
            logger.exception("the report classifier could not be trained; the first report will try again")

    def wait_until_loaded(self, timeout: float | None = None) -> bool:
        return self._loaded.wait(timeout)

    async def aclose(self) -> None:
        self._stopping.set()  # a catalogue load waiting to retry gives up
        await asyncio.to_thread(self.watcher.stop)  # before the store closes under a catch-up
        await asyncio.to_thread(self.purge_job.stop)
        await self.rasa.aclose()
        if self.turn_recorder is not None:
            await asyncio.to_thread(self.turn_recorder.close)  # the last turns' events, before the store closes
        self.id_vault.close()
        self.store.close()
        self.conversations.close()
        self.staff_accounts.close()
        if self.reports is not None:
            self.reports.close()
        if self.citizens_engine is not None:
            self.citizens_engine.dispose()
