"""Every setting of the gateway in one object, read from the environment.

Variables are prefixed ``CITIZENBOT_`` and nested groups use ``__``, e.g.
``CITIZENBOT_RASA__URL`` or ``CITIZENBOT_STORE__URL``. Defaults give the
embedded single-machine setup; outside development, placeholder secrets are
refused so a deployment cannot go live with them.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from backoffice.settings import BackofficeSettings
from channels.line.settings import LineSettings
from channels.web.settings import WebSettings
from conversation.citizens.settings import CitizensSettings
from conversation.handoff.settings import HandoffSettings
from conversation.reports.settings import ReportsSettings
from gateway.rasa_endpoints import check_key_prefix, parse_lock_store_url, parse_tracker_store_url

if TYPE_CHECKING:
    from actions.context import SearchThresholds
    from knowledge.search.spelling import SpellingConfig

__all__ = ["LOOPBACK_HOSTS", "MIN_EDITOR_TOKEN_CHARS", "PROJECT_ROOT", "Settings", "get_settings"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_DEV_EDITOR_TOKEN = "dev-editor-token"
# A staff token shorter than this is guessable; `secrets.token_urlsafe(32)` gives 43 characters.
MIN_EDITOR_TOKEN_CHARS = 24
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# PyThaiNLP's soundex engines (nlu.phonetic.SOUNDEX_ENGINES), spelt out so a typo fails at start-up.
SoundexEngine = Literal["lk82", "udom83", "metasound", "prayut_and_somchaip", "complete_soundex"]


class RasaSettings(BaseModel):
    url: str = "http://127.0.0.1:5005"
    # Several Rasa replicas sharing the tracker and lock store (docs/deploy.md, "Several replicas"):
    # a JSON list, e.g. ["http://10.0.0.5:5005","http://10.0.0.6:5005"]. Empty: `url` alone.
    # `citizenbot run --rasa-replicas N` fills it with N consecutive ports from `url`'s.
    urls: list[str] = Field(default_factory=list)
    # A replica that refused a connection, dropped one or timed out is skipped this long (doubled
    # while it keeps failing, up to 30 s) and probed in the background (conversation/rasa_replicas.py).
    replica_down_seconds: float = Field(default=5.0, gt=0)
    # Rasa's lock on a conversation (TICKET_LOCK_LIFETIME) outlives a replica killed holding it:
    # the turn retried on another replica waits up to this long. Longer than any turn, far shorter
    # than Rasa's 60 s default, and shorter than timeout_seconds so the retried turn gets through.
    lock_lifetime_seconds: int = Field(default=10, ge=1)
    timeout_seconds: float = Field(default=30.0, gt=0)
    model_path: Path = PROJECT_ROOT / "models" / "citizenbot.tar.gz"
    venv: Path = PROJECT_ROOT / ".venv-rasa"
    # Rasa's HTTP API token (`rasa run --auth-token`, sent as `?token=`): without it anyone reaching
    # the port reads trackers and injects events. Unset: generated once into secrets_dir (gateway/secrets.py).
    auth_token: SecretStr | None = None
    # Rasa's stores (gateway/rasa_endpoints.py, docs/deploy.md). Empty: in memory, lost when Rasa restarts.
    # tracker: postgresql://user:pw@host:5432/db, sqlite:///file.db or redis://user:pw@host:6379/0;
    # lock (needed by several Rasa replicas): redis://... Secret because a URL may hold a password.
    tracker_store_url: SecretStr = SecretStr("")
    lock_store_url: SecretStr = SecretStr("")
    redis_key_prefix: str = "citizenbot"  # before Rasa's "tracker:" / "lock:" keys; letters and digits
    # Where the supervisor writes the effective endpoints file when a store is configured.
    run_dir: Path = PROJECT_ROOT / "var" / "rasa"

    @field_validator("urls")
    @classmethod
    def _urls(cls, value: list[str]) -> list[str]:
        urls = [url.strip().rstrip("/") for url in value]
        for url in urls:
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"rasa.urls: {url!r} is not an http:// or https:// URL")
        if len(set(urls)) != len(urls):
            raise ValueError("rasa.urls: the same replica is listed twice")
        return urls

    def replica_urls(self) -> list[str]:
        """Every Rasa replica the gateway sends turns to: ``urls``, or ``url`` alone."""
        return self.urls or [self.url]

    @field_validator("tracker_store_url")
    @classmethod
    def _tracker_store_url(cls, value: SecretStr) -> SecretStr:
        parse_tracker_store_url(value.get_secret_value())
        return value

    @field_validator("lock_store_url")
    @classmethod
    def _lock_store_url(cls, value: SecretStr) -> SecretStr:
        parse_lock_store_url(value.get_secret_value())
        return value

    @field_validator("redis_key_prefix")
    @classmethod
    def _redis_key_prefix(cls, value: str) -> str:
        return check_key_prefix(value)


class GatewaySettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    max_message_chars: int = Field(default=2000, ge=1)
    # Where Rasa reaches our action endpoint; derived from host/port if unset.
    action_endpoint_url: str | None = None
    # The shared secret Rasa sends to /webhook/actions (header X-Action-Token, bot/endpoints.yml).
    # Unset: generated once into secrets_dir (gateway/secrets.py).
    action_token: SecretStr | None = None

    def action_url(self) -> str:
        return self.action_endpoint_url or f"http://{self.host}:{self.port}/webhook/actions"


class StoreSettings(BaseModel):
    url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'citizenbot.db'}"
    seed_on_empty: bool = True
    # Hand-off requests and ratings; separate so the catalogue can be restored alone.
    conversations_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'conversations.db'}"
    # Staff accounts, sessions, API tokens and their audit log (backoffice/accounts); its own database
    # by default, so a catalogue or conversations restore never brings back an old password or session.
    staff_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'staff.db'}"
    # Citizens' problem reports, their status history, notices and the routing table (issue 18).
    reports_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'reports.db'}"
    # What citizens consented to keep: profiles, journey progress, saved services, reminders, linked
    # conversations (conversation/citizens, issue 17).
    citizens_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'citizens.db'}"
    # The reports' photos (re-encoded, no metadata; conversation/reports/photos.py): one folder, on a
    # volume every gateway replica mounts when there are several.
    report_photos_dir: Path = PROJECT_ROOT / "var" / "report_photos"


class SearchSettings(BaseModel):
    embedder: Literal["use-multilingual", "sentence-transformers"] = "use-multilingual"
    model: str | None = None  # sentence-transformers model name or local path
    index_dir: Path = PROJECT_ROOT / "var" / "index"
    # Below min_score the bot says the catalogue does not cover the question; a follow-up that
    # matches another service at switch_score or more switches the conversation to it; services
    # within ask_back_margin of the best, or a top five within ask_back_spread of it (a family named
    # without the detail that picks one), are offered as a choice. min_score and both ask-back
    # values are chosen on the development questions by benchmarks/no_match_threshold.py
    # (docs/adr/0007-retrieval-routing.md).
    min_score: float = Field(default=0.325, ge=0, le=1)
    switch_score: float = Field(default=0.55, ge=0, le=1)
    ask_back_margin: float = Field(default=0.015, ge=0, le=1)
    ask_back_spread: float = Field(default=0.1, ge=0, le=1)
    # A question that names a family only ("สอบถามเรื่องบัตรประชาชน": every word of it the best service's
    # texts use, a sibling within ask_back_family_window uses too, and it says at most
    # ask_back_family_extra other words) is asked back with the family (0 window: never). Chosen on
    # the development sets (docs/adr/0007-retrieval-routing.md, "vague first questions").
    ask_back_family_window: float = Field(default=0.3, ge=0, le=1)
    ask_back_family_extra: int = Field(default=2, ge=0)
    # Topics the catalogue does not cover, with who handles them (knowledge/seed/referrals); a topic
    # scoring within referral_margin of the best service (or above it) makes the answer "not in the
    # catalogue: ask this agency". Chosen on the development questions by benchmarks/no_match_threshold.py.
    referrals_dir: Path | None = PROJECT_ROOT / "knowledge" / "seed" / "referrals"
    referral_margin: float = Field(default=-0.1, ge=-1, le=1)
    # How often the gateway checks the store for changes made by another process
    # (`citizenbot catalogue import`, a second gateway) and catches up.
    revision_poll_seconds: float = Field(default=2.0, gt=0)
    # One thread each: a query is a few small matrix products where threads gain nothing, and an
    # idle OpenMP or BLAS thread spinning for a core slowed queries tenfold on a busy machine.
    # Concurrency comes from serving several requests at once.
    encoder_threads: int = Field(default=1, ge=1)  # BLAS threads of the built-in USE encoder
    faiss_threads: int = Field(default=1, ge=1)  # OpenMP threads of faiss (process-wide)
    blas_threads: int = Field(default=1, ge=1)  # numpy's BLAS threads (process-wide): the search's own products
    # Misspelt Thai ("บัตรประชาชล"): "correct" rewrites it into the catalogue's own words that sound
    # alike (PyThaiNLP soundex) or are spelling_max_edits letters away; "expand" only adds those words
    # to the lexical channels; "off" leaves it to the character trigrams. Figures: benchmarks/misspelling.py.
    spelling: Literal["correct", "expand", "off"] = "correct"
    soundex_engines: tuple[SoundexEngine, ...] = ("lk82",)
    spelling_max_edits: int = Field(default=1, ge=0, le=2)

    def spelling_config(self) -> SpellingConfig | None:
        from knowledge.search.spelling import SpellingConfig

        if self.spelling == "off":
            return None
        return SpellingConfig(
            sound_engines=self.soundex_engines,
            max_edits=self.spelling_max_edits,
            correct_query=self.spelling == "correct",
        )

    def thresholds(self) -> SearchThresholds:
        """The routing thresholds the actions apply, from these settings (one place builds them)."""
        from actions.context import SearchThresholds

        return SearchThresholds(
            self.min_score,
            self.switch_score,
            self.ask_back_margin,
            self.ask_back_spread,
            referral_margin=self.referral_margin,
            family_window=self.ask_back_family_window,
            family_extra=self.ask_back_family_extra,
        )


class EditorSettings(BaseModel):
    token: SecretStr = SecretStr(_DEV_EDITOR_TOKEN)


class CatalogueSettings(BaseModel):
    # A fact checked longer ago than this is listed as stale (`citizenbot catalogue stale`,
    # GET /api/admin/stale): rules, fees and amounts change, and a year-old check is a guess.
    fact_max_age_days: int = Field(default=365, ge=0)


class RateLimitSettings(BaseModel):
    """Abuse limits (http_api/rate_limits.py): at most ``*_count`` requests in any ``*_seconds``."""

    # Counters live here: memory:// is per process; redis://host:6379 shares them between replicas.
    storage_uri: str = "memory://"
    # /api/chat per conversation (the request's sender): a citizen types a few messages a minute.
    chat_conversation_count: int = Field(default=20, ge=1)
    chat_conversation_seconds: int = Field(default=60, ge=1)
    # /api/chat per client IP: several citizens may share one address (an office, a mobile carrier's NAT).
    chat_client_count: int = Field(default=120, ge=1)
    chat_client_seconds: int = Field(default=60, ge=1)
    # Only behind a reverse proxy that sets X-Forwarded-For: otherwise a client picks its own address.
    trust_forwarded_for: bool = False


class BodyLimitSettings(BaseModel):
    """Largest request body per path prefix (http_api/body_limit.py), checked while it streams in."""

    default_bytes: int = Field(default=64 * 1024, ge=0)
    # Longest matching prefix wins. The editor's import carries the whole catalogue; an action call
    # carries Rasa's whole tracker, which grows with the conversation.
    paths: dict[str, int] = Field(
        default_factory=lambda: {
            "/api/chat": 16 * 1024,
            "/webhook/actions": 4 * 1024 * 1024,
            "/line/webhook": 1_000_000,
            "/api/admin": 512 * 1024,
            "/api/admin/import": 20 * 1024 * 1024,
        }
    )


class PrivacySettings(BaseModel):
    """How long personal data is kept (PDPA s.37(3): no longer than the purpose needs), applied by
    the retention job (gateway/privacy.py: every ``purge_interval_seconds`` in the gateway, and
    ``citizenbot privacy purge``). Everything kept is masked first. Why these defaults:
    docs/runbook-erase-citizen-data.md."""

    # A hand-off request waits for an officer and for a complaint about it: a quarter.
    handoff_days: int = Field(default=90, ge=1)
    # Ratings of answers feed the half-yearly review of the catalogue.
    feedback_days: int = Field(default=180, ge=1)
    # A conversation (its Rasa tracker and our record of it) idle this long is erased: its context
    # is of no use to a citizen coming back after a month.
    conversation_days: int = Field(default=30, ge=1)
    # The per-turn events behind the analytics (masked messages, outcomes; docs/analytics.md): a year,
    # so this season compares with last year's (tax filing, school enrolment), as GOV.UK Chat keeps
    # its questions a year. Their link to a conversation is cut when the conversation is forgotten.
    analytics_days: int = Field(default=365, ge=1)
    # A problem report (description, location, photo references) is kept a year after its last change:
    # long enough for a repeat problem at the same place to be seen, and for complaints about the fix.
    reports_days: int = Field(default=365, ge=1)
    purge_interval_seconds: float = Field(default=3600.0, gt=0)
    # Unfollowing (blocking) the LINE account erases the conversation: the bot can no longer
    # reach the citizen, so nothing kept serves them any more.
    erase_on_unfollow: bool = True


class StatusCheckSettings(BaseModel):
    """The status check's attempt limit (actions/status_attempts.py): reference numbers are sequential,
    so a conversation or a client may check at most ``attempts`` of them (or IDs) in ``window_seconds``."""

    attempts: int = Field(default=5, ge=1)
    window_seconds: int = Field(default=15 * 60, ge=1)
    # memory:// counts per gateway process; redis://host:6379 shares the count between replicas.
    storage_uri: str = "memory://"


class RedisSettings(BaseModel):
    """The gateway's own state shared between worker processes and replicas (docs/deploy.md, "Several
    replicas"): the national IDs behind the surrogates Rasa sees (actions/api/id_vault_redis.py).
    Empty: in each process's memory, right for one gateway process only (`--workers 1`)."""

    url: SecretStr = SecretStr("")  # redis://user:password@host:6379/0 or rediss://...; may hold a password
    key_prefix: str = "citizenbot"  # keys are <prefix>:idvault:...; one prefix per deployment sharing a Redis

    @field_validator("url")
    @classmethod
    def _url(cls, value: SecretStr) -> SecretStr:
        url = value.get_secret_value().strip()
        if url and not url.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("redis.url must be a redis://, rediss:// or unix:// URL")
        return SecretStr(url)


class MaskingSettings(BaseModel):
    """Personal data masked before Rasa sees it (conversation/turn.py, docs/privacy-masking.md): a typed
    national ID waits in the gateway's memory for the status form this long, at most this many at once."""

    id_vault_ttl_seconds: float = Field(default=30 * 60, gt=0)
    id_vault_max_entries: int = Field(default=10_000, ge=1)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CITIZENBOT_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
        # An error names the setting but never echoes its value: store URLs and tokens hold secrets.
        hide_input_in_errors=True,
    )

    environment: Literal["development", "test", "production"] = "development"
    log_level: str = "INFO"
    # Where generated secrets (Rasa's API token, the action endpoint token) are kept, mode 0600.
    secrets_dir: Path = PROJECT_ROOT / "var" / "secrets"
    rasa: RasaSettings = RasaSettings()
    gateway: GatewaySettings = GatewaySettings()
    store: StoreSettings = StoreSettings()
    search: SearchSettings = SearchSettings()
    editor: EditorSettings = EditorSettings()
    catalogue: CatalogueSettings = CatalogueSettings()
    line: LineSettings = LineSettings()
    web: WebSettings = WebSettings()
    masking: MaskingSettings = MaskingSettings()
    redis: RedisSettings = RedisSettings()
    status_check: StatusCheckSettings = StatusCheckSettings()
    privacy: PrivacySettings = PrivacySettings()
    rate_limits: RateLimitSettings = RateLimitSettings()
    body_limits: BodyLimitSettings = BodyLimitSettings()
    backoffice: BackofficeSettings = BackofficeSettings()  # staff sign-in, lock-out, sessions
    handoff: HandoffSettings = HandoffSettings()  # the hand-off desk: working hours, holidays, time-outs
    reports: ReportsSettings = ReportsSettings()  # problem reports: duplicate distance and days (issue 18)
    citizens: CitizensSettings = CitizensSettings()  # consented profiles, journeys, reminders (issue 17)

    @model_validator(mode="after")
    def _editor_token_fails_closed(self) -> Settings:
        """An empty, short or placeholder staff token is refused, except on a developer's own machine."""
        token = self.editor.token.get_secret_value()
        if not token.strip():
            problem = "empty"
        elif token == _DEV_EDITOR_TOKEN:
            problem = "the development placeholder"
        elif len(token) < MIN_EDITOR_TOKEN_CHARS:
            problem = f"shorter than {MIN_EDITOR_TOKEN_CHARS} characters"
        else:
            return self
        if self.environment == "development" and self.gateway.host in LOOPBACK_HOSTS:
            return self
        raise ValueError(
            f"CITIZENBOT_EDITOR__TOKEN must be set to a real secret in {self.environment} (it is {problem}): "
            f"use a random token of at least {MIN_EDITOR_TOKEN_CHARS} characters, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`. Only environment=development "
            "with the gateway on loopback (127.0.0.1, localhost, ::1) runs without one."
        )

    @model_validator(mode="after")
    def _staff_cookie_secure_in_production(self) -> Settings:
        """A staff session cookie sent over plain http can be read on the way: production keeps it Secure."""
        if self.environment == "production" and not self.backoffice.cookie_secure:
            raise ValueError(
                "CITIZENBOT_BACKOFFICE__COOKIE_SECURE=false is refused in production: staff sessions must "
                "travel over HTTPS only (it is meant for development over plain http)"
            )
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests build their own ``Settings`` instead."""
    return Settings()
