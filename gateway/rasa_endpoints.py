"""Rasa's tracker store and lock store from settings, written into the endpoints file Rasa reads.

Rasa 3.6 keeps a conversation's context (slots, the service being discussed) in its tracker store
and serialises turns of one conversation with its lock store; both default to memory, which is
right for one process on one machine (``make run``) and loses every conversation when Rasa
restarts. ``rasa.tracker_store_url`` (``postgresql://``, ``sqlite:///`` or ``redis://``) and
``rasa.lock_store_url`` (``redis://``) move them out of the process, so a restarted Rasa, or
another replica, carries on the conversation.

Rasa expands ``${VAR}`` in ``endpoints.yml`` but refuses an undefined variable, and a section cannot
be made absent through the environment. So with a store configured the supervisor writes the
effective file into ``rasa.run_dir``: ``bot/endpoints.yml`` verbatim (the action endpoint and its
``${CITIZENBOT_ACTION_TOKEN}`` header unchanged) plus the store sections. A password never goes into
the file: it stays a ``${VAR}`` reference, and the variable is set in Rasa's environment only.
Without a store, Rasa reads ``bot/endpoints.yml`` itself, exactly as before. See docs/deploy.md.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import SplitResult, parse_qsl, quote, unquote, urlsplit

if TYPE_CHECKING:
    from gateway.settings import Settings

__all__ = [
    "BOT_ENDPOINTS",
    "ERASABLE_SQL_TRACKER_STORE",
    "LOCK_STORE_PASSWORD_VARIABLE",
    "TRACKER_STORE_PASSWORD_VARIABLE",
    "TURN_ORDER_REDIS_LOCK_STORE",
    "StoreUrl",
    "check_key_prefix",
    "describe_stores",
    "endpoints_text",
    "parse_lock_store_url",
    "parse_tracker_store_url",
    "rasa_endpoints_file",
    "store_environment",
]

BOT_ENDPOINTS = Path(__file__).resolve().parent.parent / "bot" / "endpoints.yml"
# Rasa's SQLTrackerStore, except that the gateway's erasure (events replaced with none) deletes the rows.
ERASABLE_SQL_TRACKER_STORE = "nlu.rasa_tracker_store.ErasableSQLTrackerStore"
# Rasa's Redis lock store, except that a turn whose own ticket expired while it waited still goes ahead
# (Rasa's would wait forever: a killed replica's retried turn was lost that way).
TURN_ORDER_REDIS_LOCK_STORE = "nlu.rasa_lock_store.TurnOrderRedisLockStore"
TRACKER_STORE_PASSWORD_VARIABLE = "CITIZENBOT_TRACKER_STORE_PASSWORD"
LOCK_STORE_PASSWORD_VARIABLE = "CITIZENBOT_LOCK_STORE_PASSWORD"
# Rasa drops a key prefix that is not alphanumeric with only a warning (RedisTrackerStore._set_key_prefix),
# after which replicas of two deployments would share keys: refuse it at start-up instead.
_KEY_PREFIX = re.compile(r"[A-Za-z0-9]+")
_SQL_SCHEMES = {"postgresql": "postgresql", "postgres": "postgresql", "sqlite": "sqlite"}
_REDIS_SCHEMES = ("redis", "rediss")
# Rasa's own defaults: the tracker store in Redis database 0, the lock store in database 1.
_REDIS_DEFAULT_DB = {"tracker": 0, "lock": 1}
_EFFECTIVE_HEADER = (
    "# Written by the gateway's supervisor (gateway/rasa_endpoints.py) from bot/endpoints.yml and the\n"
    "# rasa.tracker_store_url / rasa.lock_store_url settings, at every start: edit those, not this file.\n"
    "# Passwords stay ${...} references; the supervisor sets them in Rasa's environment only.\n\n"
)

StoreKind = Literal["postgresql", "sqlite", "redis"]


@dataclass(frozen=True)
class StoreUrl:
    """A store URL taken apart into the fields Rasa's store classes take, the password kept aside."""

    kind: StoreKind
    host: str | None = None
    port: int | None = None
    database: str | None = None  # PostgreSQL database, SQLite file, or Redis database number
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    query: tuple[tuple[str, str], ...] = ()
    tls: bool = False  # rediss://

    def masked(self) -> str:
        """The URL with its password replaced by ``***``: the only form that may be logged."""
        if self.kind == "sqlite":
            return f"sqlite:///{self.database}"
        scheme = ("rediss" if self.tls else "redis") if self.kind == "redis" else "postgresql"
        user = quote(self.username or "", safe="")
        credentials = f"{user}:***@" if self.password else (f"{user}@" if user else "")
        host = f"[{self.host}]" if self.host and ":" in self.host else (self.host or "")
        port = f":{self.port}" if self.port is not None else ""
        path = f"/{quote(self.database, safe='')}" if self.database is not None else ""
        query = "?" + "&".join(f"{k}={v}" for k, v in self.query) if self.query else ""
        return f"{scheme}://{credentials}{host}{port}{path}{query}"


def _scheme(url: str, setting: str, schemes: tuple[str, ...]) -> str:
    """The URL's scheme without a driver suffix, or a clear error naming the setting."""
    if "://" not in url:
        raise ValueError(f"{setting} must be a URL such as {schemes[0]}://host/..., not a bare word or path")
    scheme = url.split("://", 1)[0].lower()
    base = scheme.split("+", 1)[0]  # postgresql+psycopg or +psycopg2: Rasa's environment has psycopg2
    if base not in schemes:
        shown = ", ".join(f"{s}://" for s in schemes if s != "postgres")  # postgres:// is an alias
        raise ValueError(f"{setting}: unsupported scheme {scheme!r}; use one of {shown}")
    return base


def _parts(url: str, setting: str) -> SplitResult:
    try:
        return urlsplit(url)
    except ValueError as error:  # "Invalid IPv6 URL": the message quotes nothing of the URL
        raise ValueError(f"{setting}: malformed URL ({error})") from None


def _port(parts_port: str, setting: str) -> int | None:
    if not parts_port:
        return None
    if not parts_port.isdigit() or not 1 <= int(parts_port) <= 65535:
        raise ValueError(f"{setting}: the port must be a number from 1 to 65535")
    return int(parts_port)


def _network_parts(url: str, setting: str) -> tuple[str | None, int | None, str | None, str | None]:
    """Host, port, user and password of ``scheme://user:password@host:port``, checked by hand: urlsplit
    raises on a bad port with a message that quotes the whole URL, password included. No message here
    quotes any part of the URL either: a password with an unencoded ``/`` or a missing ``@`` would
    land in the part quoted."""
    netloc = _parts(url, setting).netloc
    credentials, _, hostport = netloc.rpartition("@")
    username = password = None
    if credentials:
        user, has_password, secret = credentials.partition(":")
        username = unquote(user) or None
        password = unquote(secret) if has_password else None
    if hostport.startswith("["):  # [::1]:5432
        host, _, rest = hostport[1:].partition("]")
        if rest and not rest.startswith(":"):
            raise ValueError(f"{setting}: malformed host (an IPv6 address is written [::1]:port)")
        port = _port(rest[1:], setting)
    else:
        host, _, port_text = hostport.partition(":")
        port = _port(port_text, setting)
    return host or None, port, username, password


def parse_tracker_store_url(url: str, setting: str = "rasa.tracker_store_url") -> StoreUrl | None:
    """``""`` (in memory), ``postgresql://user:password@host:port/database?sslmode=...``,
    ``sqlite:////absolute/path.db`` or ``redis[s]://user:password@host:port/db``; anything else raises
    ``ValueError`` with a message that never contains the password."""
    url = url.strip()
    if not url:
        return None
    base = _scheme(url, setting, ("postgresql", "sqlite", "redis", "rediss", "postgres"))
    if base in _REDIS_SCHEMES:
        return _redis(url, base, setting)
    parts = _parts(url, setting)
    if _SQL_SCHEMES[base] == "sqlite":
        # As SQLAlchemy reads it: sqlite:///relative.db (from the project root), sqlite:////absolute.db.
        if parts.netloc or len(parts.path) < 2 or parts.query:
            raise ValueError(f"{setting}: a SQLite tracker store is sqlite:///relative.db or sqlite:////absolute.db")
        return StoreUrl("sqlite", database=unquote(parts.path[1:]))
    host, port, username, password = _network_parts(url, setting)
    database = unquote(parts.path.lstrip("/"))
    if not database or "/" in database:
        raise ValueError(f"{setting}: name the database, as in postgresql://user@host:5432/rasa")
    query: tuple[tuple[str, str], ...] = ()
    if parts.query:
        try:
            query = tuple(parse_qsl(parts.query, strict_parsing=True))
        except ValueError:
            raise ValueError(f"{setting}: malformed query string (use ?sslmode=require&...)") from None
    return StoreUrl("postgresql", host, port, database, username, password, query)


def parse_lock_store_url(url: str, setting: str = "rasa.lock_store_url") -> StoreUrl | None:
    """``""`` (in memory, one Rasa process only) or ``redis[s]://user:password@host:port/db``."""
    url = url.strip()
    if not url:
        return None
    if "://" in url and url.split("://", 1)[0].split("+", 1)[0].lower() not in _REDIS_SCHEMES:
        raise ValueError(f"{setting}: Rasa's shared lock store is Redis only: use redis:// or rediss://")
    base = _scheme(url, setting, _REDIS_SCHEMES)
    return _redis(url, base, setting)


def _redis(url: str, scheme: str, setting: str) -> StoreUrl:
    host, port, username, password = _network_parts(url, setting)
    if host is None:
        raise ValueError(f"{setting}: name the Redis host, as in redis://127.0.0.1:6379/0")
    parts = _parts(url, setting)
    database = parts.path.strip("/")
    if database and not database.isdigit():
        raise ValueError(f"{setting}: the Redis database is a number, as in redis://host:6379/0")
    if parts.query:
        raise ValueError(f"{setting}: Redis URLs take no query options here; see docs/deploy.md")
    return StoreUrl("redis", host, port, database or None, username, password, tls=scheme == "rediss")


def check_key_prefix(prefix: str) -> str:
    """The Redis key prefix, letters and digits only (Rasa silently ignores any other)."""
    if not _KEY_PREFIX.fullmatch(prefix):
        raise ValueError(
            f"rasa.redis_key_prefix must be ASCII letters and digits only (Rasa ignores any other prefix), "
            f"not {prefix!r}"
        )
    return prefix


# --- rendering -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Variable:
    """A ``${NAME}`` reference: written as a plain scalar, the only kind Rasa expands."""

    name: str


Value = str | int | bool | _Variable | dict[str, str]


def _tracker_section(store: StoreUrl, key_prefix: str, record_exp_seconds: int) -> dict[str, Value]:
    password: dict[str, Value] = {"password": _Variable(TRACKER_STORE_PASSWORD_VARIABLE)} if store.password else {}
    if store.kind == "sqlite":
        return {"type": ERASABLE_SQL_TRACKER_STORE, "dialect": "sqlite", "db": store.database or ""}
    if store.kind == "postgresql":
        section: dict[str, Value] = {"type": ERASABLE_SQL_TRACKER_STORE, "dialect": "postgresql"}
        if store.host:
            # Rasa puts "url" through urlsplit("scheme://" + url): an IPv6 address needs its brackets.
            section["url"] = f"[{store.host}]" if ":" in store.host else store.host
        if store.port is not None:
            section["port"] = store.port
        section["db"] = store.database or ""
        if store.username:
            section["username"] = store.username
        section.update(password)
        if store.query:
            section["query"] = dict(store.query)
        return section
    return {
        **_redis_section(store, "tracker", key_prefix, password),
        # Redis saves the whole tracker on every turn and restarts this clock: an idle conversation
        # expires after the retention period (privacy.conversation_days), as the retention job would erase it.
        "record_exp": record_exp_seconds,
    }


def _redis_section(store: StoreUrl, role: str, key_prefix: str, password: dict[str, Value]) -> dict[str, Value]:
    section: dict[str, Value] = {"type": "redis", "url": store.host or "", "port": store.port or 6379}
    section["db"] = int(store.database) if store.database is not None else _REDIS_DEFAULT_DB[role]
    if store.username:
        section["username"] = store.username
    section.update(password)
    section["key_prefix"] = key_prefix
    if store.tls:
        section["use_ssl"] = True
    return section


def _lock_section(store: StoreUrl, key_prefix: str) -> dict[str, Value]:
    password: dict[str, Value] = {"password": _Variable(LOCK_STORE_PASSWORD_VARIABLE)} if store.password else {}
    return {**_redis_section(store, "lock", key_prefix, password), "type": TURN_ORDER_REDIS_LOCK_STORE}


def _scalar(value: Value) -> str:
    if isinstance(value, _Variable):
        return "${" + value.name + "}"  # unquoted: Rasa only expands ${...} in plain scalars
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _yaml(sections: dict[str, dict[str, Value]]) -> str:
    lines: list[str] = []
    for name, section in sections.items():
        lines.append(f"{name}:")
        for key, value in section.items():
            if isinstance(value, dict):
                lines.append(f"  {key}:")
                lines.extend(f"    {json.dumps(k)}: {_scalar(v)}" for k, v in value.items())
            else:
                lines.append(f"  {key}: {_scalar(value)}")
    return "\n".join(lines) + "\n"


def _stores(settings: Settings) -> tuple[StoreUrl | None, StoreUrl | None]:
    rasa = settings.rasa
    return (
        parse_tracker_store_url(rasa.tracker_store_url.get_secret_value()),
        parse_lock_store_url(rasa.lock_store_url.get_secret_value()),
    )


def endpoints_text(settings: Settings, bot_endpoints: Path = BOT_ENDPOINTS) -> str | None:
    """The effective endpoints file's text, or ``None`` when no store is configured (Rasa then reads
    ``bot/endpoints.yml`` itself)."""
    tracker, lock = _stores(settings)
    if tracker is None and lock is None:
        return None
    base = bot_endpoints.read_text(encoding="utf-8")
    sections: dict[str, dict[str, Value]] = {}
    prefix = settings.rasa.redis_key_prefix
    if tracker is not None:
        sections["tracker_store"] = _tracker_section(tracker, prefix, settings.privacy.conversation_days * 86_400)
    if lock is not None:
        sections["lock_store"] = _lock_section(lock, prefix)
    for name in sections:
        if re.search(rf"^{name}\s*:", base, flags=re.MULTILINE):
            raise ValueError(
                f"{bot_endpoints} has its own {name} section and rasa.{name}_url is set too: keep one of them"
            )
    return _EFFECTIVE_HEADER + base.rstrip("\n") + "\n\n" + _yaml(sections)


def rasa_endpoints_file(settings: Settings, bot_endpoints: Path = BOT_ENDPOINTS) -> Path:
    """The endpoints file to hand ``rasa run``: ``bot/endpoints.yml`` itself without a store, else the
    effective file, (re)written atomically into ``rasa.run_dir`` (replicas starting at once agree)."""
    text = endpoints_text(settings, bot_endpoints)
    if text is None:
        return bot_endpoints
    run_dir = settings.rasa.run_dir
    run_dir.mkdir(parents=True, exist_ok=True)
    target = run_dir / "endpoints.yml"
    temporary = run_dir / f".endpoints.{os.getpid()}.{secrets.token_hex(4)}.yml"
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target


def store_environment(settings: Settings) -> dict[str, str]:
    """The store passwords the effective endpoints file refers to, for Rasa's environment only."""
    tracker, lock = _stores(settings)
    env: dict[str, str] = {}
    if tracker is not None and tracker.password:
        env[TRACKER_STORE_PASSWORD_VARIABLE] = tracker.password
    if lock is not None and lock.password:
        env[LOCK_STORE_PASSWORD_VARIABLE] = lock.password
    return env


def describe_stores(settings: Settings) -> str:
    """One line for the console and logs, passwords masked."""
    tracker, lock = _stores(settings)
    return (
        f"tracker store {tracker.masked() if tracker else 'in memory'}, "
        f"lock store {lock.masked() if lock else 'in memory'}"
    )
