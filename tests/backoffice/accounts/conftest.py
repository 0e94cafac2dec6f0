"""A staff accounts service on a real database (SQLite file and PostgreSQL) with a clock the test moves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from backoffice.accounts.service import StaffAccounts
from backoffice.accounts.store import StaffStore
from backoffice.settings import BackofficeSettings

PASSWORD = "correct horse battery"  # 21 characters: long enough


class Clock:
    """Now, as the test says; ``advance`` moves it on."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def accounts(sql_url: str, clock: Clock) -> Iterator[StaffAccounts]:
    settings = BackofficeSettings(max_failed_sign_ins=3, lockout_minutes=15, session_idle_minutes=30, session_hours=8)
    service = StaffAccounts(StaffStore(sql_url), settings, clock=clock, address_key=b"test-key")
    yield service
    service.close()
