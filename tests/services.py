"""PostgreSQL and Redis for the tests that need them.

On this project's machines (and in CI) both run on loopback. A laptop may lack them: there the tests
that need them skip with a message that says so, unless ``CITIZENBOT_TEST_REQUIRE_SERVICES=1`` (set by
``.ci/run``), which turns the skip into a failure so CI always runs them.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

POSTGRES_HOST, POSTGRES_PORT = "127.0.0.1", 5432
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
POSTGRES_ADMIN_URL = f"postgresql+psycopg://postgres@{POSTGRES_HOST}:{POSTGRES_PORT}/postgres"
REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}"


def services_required() -> bool:
    return os.environ.get("CITIZENBOT_TEST_REQUIRE_SERVICES", "") not in ("", "0", "false")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require(name: str, host: str, port: int) -> None:
    """Skip (or, when services are required, fail) unless ``name`` answers on ``host:port``."""
    if _reachable(host, port):
        return
    message = f"{name} is not reachable on {host}:{port}; these tests need it (CI always runs them)"
    if services_required():
        pytest.fail(message + " and CITIZENBOT_TEST_REQUIRE_SERVICES=1 forbids skipping")
    pytest.skip(message)


@contextmanager
def temporary_postgres_database(prefix: str = "citizenbot_test") -> Iterator[str]:
    """A new, empty database for one test session (dropped afterwards); yields its SQLAlchemy URL.

    A database of its own keeps parallel runs (and helpers on one machine) from seeing each other's rows.
    """
    from sqlalchemy import create_engine, text

    require("PostgreSQL", POSTGRES_HOST, POSTGRES_PORT)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield f"postgresql+psycopg://postgres@{POSTGRES_HOST}:{POSTGRES_PORT}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def postgres_schema(database_url: str, prefix: str = "t") -> Iterator[str]:
    """A new schema in ``database_url`` (dropped afterwards); yields a URL whose connections use only it.

    Tables from different tests of one session never meet: each test's stores see an empty database."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{name}"'))
        url = make_url(database_url).update_query_dict({"options": f"-csearch_path={name}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


def redis_key_prefix() -> str:
    """A prefix of its own per session, so parallel runs never share keys on the one Redis."""
    require("Redis", REDIS_HOST, REDIS_PORT)
    return f"citizenbot-test-{uuid.uuid4().hex[:12]}:"


def delete_redis_keys(url: str, prefix: str, databases: tuple[int, ...] = (0,)) -> None:
    """Remove what a test stored under ``prefix:`` in each of ``databases`` of the Redis at ``url``."""
    import redis

    for db in databases:
        client = redis.Redis.from_url(f"{url}/{db}")
        try:
            keys = list(client.scan_iter(f"{prefix}:*"))
            if keys:
                client.delete(*keys)
        finally:
            client.close()
