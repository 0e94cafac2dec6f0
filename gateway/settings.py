"""Every setting of the gateway in one object, read from the environment.

Variables are prefixed ``CITIZENBOT_`` and nested groups use ``__``, e.g.
``CITIZENBOT_RASA__URL`` or ``CITIZENBOT_STORE__URL``. Defaults give the
embedded single-machine setup; outside development, placeholder secrets are
refused so a deployment cannot go live with them.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from channels.line.settings import LineSettings
from channels.web.settings import WebSettings

__all__ = ["PROJECT_ROOT", "Settings", "get_settings"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_DEV_EDITOR_TOKEN = "dev-editor-token"


class RasaSettings(BaseModel):
    url: str = "http://127.0.0.1:5005"
    timeout_seconds: float = Field(default=30.0, gt=0)
    model_path: Path = PROJECT_ROOT / "models" / "citizenbot.tar.gz"
    venv: Path = PROJECT_ROOT / ".venv-rasa"


class GatewaySettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    max_message_chars: int = Field(default=2000, ge=1)
    # Where Rasa reaches our action endpoint; derived from host/port if unset.
    action_endpoint_url: str | None = None

    def action_url(self) -> str:
        return self.action_endpoint_url or f"http://{self.host}:{self.port}/webhook/actions"


class StoreSettings(BaseModel):
    url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'citizenbot.db'}"
    seed_on_empty: bool = True
    # Hand-off requests and ratings; separate so the catalogue can be restored alone.
    conversations_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'conversations.db'}"


class SearchSettings(BaseModel):
    embedder: Literal["use-multilingual", "sentence-transformers"] = "use-multilingual"
    model: str | None = None  # sentence-transformers model name or local path
    index_dir: Path = PROJECT_ROOT / "var" / "index"
    # Below min_score the bot says nothing matched; a follow-up that matches another
    # service at switch_score or more switches the conversation to it.
    min_score: float = Field(default=0.45, ge=0, le=1)
    switch_score: float = Field(default=0.55, ge=0, le=1)
    # How often the gateway checks the store for changes made by another process
    # (`citizenbot catalogue import`, a second gateway) and catches up.
    revision_poll_seconds: float = Field(default=2.0, gt=0)
    # One thread each: a query is a few small matrix products where threads gain nothing, and an
    # idle OpenMP or BLAS thread spinning for a core slowed queries tenfold on a busy machine.
    # Concurrency comes from serving several requests at once.
    encoder_threads: int = Field(default=1, ge=1)  # BLAS threads of the built-in USE encoder
    faiss_threads: int = Field(default=1, ge=1)  # OpenMP threads of faiss (process-wide)


class EditorSettings(BaseModel):
    token: SecretStr = SecretStr(_DEV_EDITOR_TOKEN)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CITIZENBOT_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    environment: Literal["development", "test", "production"] = "development"
    log_level: str = "INFO"
    rasa: RasaSettings = RasaSettings()
    gateway: GatewaySettings = GatewaySettings()
    store: StoreSettings = StoreSettings()
    search: SearchSettings = SearchSettings()
    editor: EditorSettings = EditorSettings()
    line: LineSettings = LineSettings()
    web: WebSettings = WebSettings()

    @model_validator(mode="after")
    def _no_placeholder_secrets_in_production(self) -> Settings:
        if self.environment == "production" and self.editor.token.get_secret_value() == _DEV_EDITOR_TOKEN:
            raise ValueError("CITIZENBOT_EDITOR__TOKEN must be set to a real secret in production")
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests build their own ``Settings`` instead."""
    return Settings()
