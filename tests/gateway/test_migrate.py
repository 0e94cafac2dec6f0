"""``citizenbot migrate``: every configured store upgraded and reported; a newer database is one clear line."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from gateway import cli
from gateway.migrate import configured_stores
from gateway.settings import Settings, get_settings
from knowledge.migrations import head_revision


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sql_url: str) -> Iterator[str]:
    """The catalogue (and the LINE queue) in ``sql_url``; conversations in a SQLite file of their own."""
    for name in list(os.environ):
        if name.upper().startswith("CITIZENBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no .env from the checkout
    monkeypatch.setenv("CITIZENBOT_STORE__URL", sql_url)
    monkeypatch.setenv("CITIZENBOT_STORE__CONVERSATIONS_URL", f"sqlite:///{tmp_path / 'conversations.db'}")
    monkeypatch.setenv("CITIZENBOT_STORE__STAFF_URL", f"sqlite:///{tmp_path / 'staff.db'}")
    monkeypatch.setenv("CITIZENBOT_STORE__REPORTS_URL", f"sqlite:///{tmp_path / 'reports.db'}")
    monkeypatch.setenv("CITIZENBOT_STORE__CITIZENS_URL", f"sqlite:///{tmp_path / 'citizens.db'}")
    get_settings.cache_clear()
    yield sql_url
    get_settings.cache_clear()


def test_the_line_queue_lives_beside_the_catalogue():
    settings = Settings()
    assert dict(configured_stores(settings)) == {
        "catalogue": settings.store.url,
        "line_queue": settings.store.url,
        "conversations": settings.store.conversations_url,
        "staff": settings.store.staff_url,
        "reports": settings.store.reports_url,
        "citizens": settings.store.citizens_url,
    }


def test_migrate_creates_every_store_then_says_they_are_up_to_date(environment, capsys):
    assert cli.main(["migrate"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "catalogue",
        "line_queue",
        "conversations",
        "staff",
        "reports",
        "citizens",
    ]
    assert all("created the schema at revision" in line for line in lines)
    assert "conversations.db" in lines[2]
    assert cli.main(["migrate", "--json"]) == 0
    reports = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["store"], r["changed"], r["after"]) for r in reports] == [
        (name, False, head_revision(name))
        for name in ("catalogue", "line_queue", "conversations", "staff", "reports", "citizens")
    ]


def test_a_password_never_reaches_the_output(monkeypatch, tmp_path, capsys):
    for name in list(os.environ):
        if name.upper().startswith("CITIZENBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CITIZENBOT_STORE__URL", "sqlite:///" + str(tmp_path / "c.db"))
    monkeypatch.setenv("CITIZENBOT_STORE__CONVERSATIONS_URL", "postgresql+psycopg://bot:s3cret@127.0.0.1:1/none")
    get_settings.cache_clear()
    try:
        assert cli.main(["migrate"]) == 1
    finally:
        get_settings.cache_clear()
    captured = capsys.readouterr()
    assert "s3cret" not in captured.out + captured.err
    assert "migrating the conversations store (postgresql+psycopg://bot:***@127.0.0.1:1/none) failed" in captured.err


def test_a_database_newer_than_this_release_is_one_clear_error(environment, capsys):
    assert cli.main(["migrate"]) == 0
    engine = create_engine(environment)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version_catalogue SET version_num = '9999_future'"))
    engine.dispose()
    capsys.readouterr()
    assert cli.main(["migrate"]) == 1
    err = capsys.readouterr().err
    assert "'9999_future'" in err and "newer release" in err and "Traceback" not in err
