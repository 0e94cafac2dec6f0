"""``citizenbot run --rasa-replicas N --workers W``: what a scaled set-up on one machine needs, checked
before anything starts.

Several Rasa replicas agree on a conversation only through a shared tracker store (its context) and
a Redis lock store (one turn at a time): without them each replica would hold half of every
conversation, so N > 1 is refused. Several gateway workers share the catalogue (its store and the
revision watcher) and the conversation store, but a typed national ID waits for the status form in
the gateway (actions/api/id_vault.py): the chat request and Rasa's action call may reach different
workers, so W > 1 needs ``redis.url``. Counters that stay per process (rate limits, status-check
attempts on ``memory://``) only become W times as lenient: a note, not a refusal.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from gateway.settings import LOOPBACK_HOSTS, Settings

__all__ = ["ScaleError", "ScaledRun", "plan_scaled_run"]

MAX_REPLICAS = 16
MAX_WORKERS = 32


class ScaleError(ValueError):
    """The requested scale cannot work with these settings; the message is one line for the operator."""


@dataclass(frozen=True)
class ScaledRun:
    settings: Settings  # with rasa.urls listing every local replica when there are several
    workers: int
    notes: tuple[str, ...] = ()


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def replica_urls(base_url: str, count: int, port_free: Callable[[str, int], bool] = _port_free) -> list[str]:
    """``count`` URLs on ``base_url``'s host: its own port, then the next free ones above it."""
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 5005
    urls = [base_url.rstrip("/")]
    candidate = port
    while len(urls) < count:
        candidate += 1
        if candidate > 65535:
            raise ScaleError(f"no free port above {port} for {count} Rasa replicas")
        if port_free(host, candidate):
            urls.append(urlunsplit((parts.scheme, f"{host}:{candidate}", "", "", "")))
    return urls


def plan_scaled_run(settings: Settings, rasa_replicas: int | None, workers: int) -> ScaledRun:
    """The settings to start with, or a :class:`ScaleError` saying what is missing."""
    if workers < 1 or workers > MAX_WORKERS:
        raise ScaleError(f"--workers must be from 1 to {MAX_WORKERS}, not {workers}")
    if rasa_replicas is not None and not 1 <= rasa_replicas <= MAX_REPLICAS:
        raise ScaleError(f"--rasa-replicas must be from 1 to {MAX_REPLICAS}, not {rasa_replicas}")
    rasa = settings.rasa
    if rasa_replicas is not None and rasa.urls and len(rasa.urls) != rasa_replicas:
        raise ScaleError(
            f"--rasa-replicas {rasa_replicas} and CITIZENBOT_RASA__URLS (listing {len(rasa.urls)}) disagree: keep one"
        )
    urls = rasa.urls or (replica_urls(rasa.url, rasa_replicas) if rasa_replicas else [rasa.url])
    remote = [url for url in urls if urlsplit(url).hostname not in LOOPBACK_HOSTS]
    if remote and len(urls) > 1:
        raise ScaleError(
            f"`citizenbot run` starts every Rasa replica on this machine, but {len(remote)} of CITIZENBOT_RASA__URLS "
            "are elsewhere: run the gateway alone there (docs/deploy.md, several machines)"
        )
    if len(urls) > 1:
        missing = [
            name
            for name, value in (
                ("CITIZENBOT_RASA__TRACKER_STORE_URL", rasa.tracker_store_url),
                ("CITIZENBOT_RASA__LOCK_STORE_URL", rasa.lock_store_url),
            )
            if not value.get_secret_value()
        ]
        if missing:
            raise ScaleError(
                f"{len(urls)} Rasa replicas need a shared tracker store and lock store, or each would hold half "
                f"of every conversation: set {' and '.join(missing)} (docs/deploy.md)"
            )
        if rasa.tracker_store_url.get_secret_value().startswith("sqlite"):
            raise ScaleError("Rasa replicas cannot share a SQLite tracker store safely: use postgresql:// or redis://")
    if workers > 1 and not settings.redis.url.get_secret_value():
        raise ScaleError(
            f"--workers {workers} needs CITIZENBOT_REDIS__URL: a typed national ID waits in the gateway for the "
            "status form, and Rasa's action call may reach another worker than the chat (docs/deploy.md)"
        )
    notes: list[str] = []
    if workers > 1:
        for name, uri in (
            ("CITIZENBOT_RATE_LIMITS__STORAGE_URI", settings.rate_limits.storage_uri),
            ("CITIZENBOT_STATUS_CHECK__STORAGE_URI", settings.status_check.storage_uri),
        ):
            if uri.startswith("memory://"):
                notes.append(f"{name} is memory://: each of the {workers} workers counts alone ({workers}x as lenient)")
    scaled = settings.model_copy(deep=True)
    scaled.rasa = rasa.model_copy(update={"urls": urls if len(urls) > 1 else []})
    return ScaledRun(scaled, workers, tuple(notes))
