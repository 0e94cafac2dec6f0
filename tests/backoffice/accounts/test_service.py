"""Staff accounts on a real SQLite file and a real PostgreSQL: sign-in, lock-out, sessions, tokens, audit."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select

from backoffice.accounts.models import ApiTokenRecord, SessionRecord
from backoffice.accounts.passwords import PasswordRejectedError
from backoffice.accounts.service import (
    AccountLockedError,
    InvalidCredentialsError,
    InvalidNameError,
    csrf_matches,
)
from backoffice.accounts.store import AccountExistsError, AccountNotFoundError
from tests.backoffice.accounts.conftest import PASSWORD


def actions(accounts, account=None):
    return [entry.action for entry in reversed(accounts.store.audit_entries(account=account))]


def test_an_account_is_added_once_with_a_hashed_password(accounts):
    account = accounts.add_account("Somchai", "administrator", PASSWORD, display_name="สมชาย ใจดี", by="cli:root")
    assert (account.name, account.role, account.display_name, account.active) == ("somchai", "admin", "สมชาย ใจดี", True)
    assert account.password_hash.startswith("$argon2id$") and PASSWORD not in account.password_hash
    with pytest.raises(AccountExistsError, match="'somchai' exists already"):
        accounts.add_account("somchai", "editor", PASSWORD)
    with pytest.raises(PasswordRejectedError, match="at least 12"):
        accounts.add_account("malee", "editor", "short")
    with pytest.raises(ValueError, match="unknown role 'boss'"):
        accounts.add_account("malee", "boss", PASSWORD)
    with pytest.raises(InvalidNameError):
        accounts.add_account("มาลี", "editor", PASSWORD)
    assert [a.name for a in accounts.store.accounts()] == ["somchai"]
    entry = accounts.store.audit_entries(action="user.add")[0]
    assert (entry.account, entry.target, entry.details) == ("cli:root", "somchai", {"role": "admin"})


def test_signing_in_opens_a_session_the_cookie_proves(accounts):
    accounts.add_account("malee", "editor", PASSWORD)
    signed = accounts.sign_in("Malee", PASSWORD, user_agent="Firefox/130 (call 081-234-5678)", address="10.0.0.7")
    assert signed.principal.name == "malee" and signed.principal.via == "session"
    assert accounts.session_principal(signed.session_id).name == "malee"
    assert accounts.session_principal("forged" + signed.session_id) is None
    assert csrf_matches(signed.session_id, signed.csrf_token)
    other = "1" if signed.csrf_token.endswith("0") else "0"
    assert not csrf_matches(signed.session_id, signed.csrf_token[:-1] + other)
    # Only the session id's hash is stored; the user agent is masked.
    engine = create_engine(accounts.store.engine.url)
    with engine.connect() as connection:
        row = connection.execute(select(SessionRecord.id_hash, SessionRecord.user_agent)).one()
    engine.dispose()
    assert row.id_hash != signed.session_id and len(row.id_hash) == 64
    assert "081-234-5678" not in row.user_agent and row.user_agent.startswith("Firefox/130")
    entry = accounts.store.audit_entries(action="sign_in.ok")[0]
    assert entry.account == "malee" and entry.address_hash and "10.0.0.7" not in entry.address_hash


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(accounts):
    accounts.add_account("malee", "editor", PASSWORD)
    with pytest.raises(InvalidCredentialsError) as wrong:
        accounts.sign_in("malee", PASSWORD + "!")
    with pytest.raises(InvalidCredentialsError) as unknown:
        accounts.sign_in("nobody", PASSWORD)
    with pytest.raises(InvalidCredentialsError):
        accounts.sign_in("not a valid name at all", PASSWORD)
    assert str(wrong.value) == str(unknown.value) == "wrong name or password"
    assert actions(accounts, "nobody") == ["sign_in.failed"]
    assert actions(accounts, "malee")[-1] == "sign_in.failed"


def test_lock_out_after_repeated_failures_refuses_even_the_right_password_until_it_expires(accounts, clock):
    accounts.add_account("malee", "editor", PASSWORD)
    for _ in range(2):
        with pytest.raises(InvalidCredentialsError):
            accounts.sign_in("malee", "wrong password!!")
    with pytest.raises(AccountLockedError) as locked:  # the third failure locks (max_failed_sign_ins=3)
        accounts.sign_in("malee", "wrong password!!")
    assert locked.value.until == clock.now.replace(minute=15)
    clock.advance(minutes=14)
    with pytest.raises(AccountLockedError):
        accounts.sign_in("malee", PASSWORD)  # right password, still locked
    clock.advance(minutes=1, seconds=1)
    assert accounts.sign_in("malee", PASSWORD).principal.name == "malee"
    assert actions(accounts, "malee")[-6:] == [
        "sign_in.failed",
        "sign_in.failed",
        "sign_in.failed",
        "sign_in.locked",
        "sign_in.refused_locked",
        "sign_in.ok",
    ]
    refused = accounts.store.audit_entries(action="sign_in.refused_locked")[0]
    assert refused.details == {"password_correct": True}


def test_after_a_lock_expires_the_count_starts_again(accounts, clock):
    accounts.add_account("malee", "editor", PASSWORD)
    for _ in range(2):
        with pytest.raises(InvalidCredentialsError):
            accounts.sign_in("malee", "wrong password!!")
    with pytest.raises(AccountLockedError):
        accounts.sign_in("malee", "wrong password!!")
    clock.advance(minutes=16)
    with pytest.raises(InvalidCredentialsError):  # one failure after the lock: not locked again at once
        accounts.sign_in("malee", "wrong password!!")
    assert accounts.account("malee").failed_sign_ins == 1


def test_an_administrator_unlocks_an_account(accounts):
    accounts.add_account("malee", "editor", PASSWORD)
    for _ in range(3):
        with pytest.raises((InvalidCredentialsError, AccountLockedError)):
            accounts.sign_in("malee", "wrong password!!")
    accounts.unlock("malee", by="somchai")
    assert accounts.sign_in("malee", PASSWORD).principal.name == "malee"


def test_a_disabled_account_cannot_sign_in_and_its_sessions_and_tokens_end(accounts):
    accounts.add_account("malee", "editor", PASSWORD)
    signed = accounts.sign_in("malee", PASSWORD)
    token = accounts.issue_token("malee")
    accounts.disable("malee", by="somchai")
    assert accounts.session_principal(signed.session_id) is None
    assert accounts.token_principal(token) is None
    with pytest.raises(InvalidCredentialsError):
        accounts.sign_in("malee", PASSWORD)


def test_a_session_ends_when_idle_and_at_its_absolute_lifetime(accounts, clock):
    accounts.add_account("malee", "editor", PASSWORD)
    idle = accounts.sign_in("malee", PASSWORD)
    clock.advance(minutes=29)
    assert accounts.session_principal(idle.session_id) is not None  # use restarts the idle clock
    clock.advance(minutes=29)
    assert accounts.session_principal(idle.session_id) is not None
    clock.advance(minutes=31)
    assert accounts.session_principal(idle.session_id) is None
    assert accounts.session_principal(idle.session_id) is None  # and it stays ended

    busy = accounts.sign_in("malee", PASSWORD)
    for _ in range(16):  # used every 29 minutes for 7h44, then past the 8 hours
        clock.advance(minutes=29)
        assert accounts.session_principal(busy.session_id) is not None
    clock.advance(minutes=20)
    assert accounts.session_principal(busy.session_id) is None


def test_sessions_nobody_uses_any_more_are_deleted_at_the_next_sign_in(accounts, clock):
    account = accounts.add_account("malee", "editor", PASSWORD)
    accounts.sign_in("malee", PASSWORD)
    clock.advance(minutes=31)
    accounts.sign_in("malee", PASSWORD)
    assert len(accounts.store.sessions_of(account.id)) == 1


def test_log_out_everywhere_ends_every_session_of_the_account_only(accounts):
    accounts.add_account("malee", "editor", PASSWORD)
    accounts.add_account("somchai", "admin", PASSWORD)
    laptop, tablet = accounts.sign_in("malee", PASSWORD), accounts.sign_in("malee", PASSWORD)
    other = accounts.sign_in("somchai", PASSWORD)
    accounts.sign_out_everywhere("malee", by="malee")
    assert accounts.session_principal(laptop.session_id) is None
    assert accounts.session_principal(tablet.session_id) is None
    assert accounts.session_principal(other.session_id) is not None
    assert accounts.sign_in("malee", PASSWORD).principal.name == "malee"  # a new sign-in works


def test_a_new_password_ends_the_sessions_and_the_old_password(accounts):
    accounts.add_account("malee.sukjai", "editor", PASSWORD)
    signed = accounts.sign_in("malee.sukjai", PASSWORD)
    with pytest.raises(PasswordRejectedError, match="account name"):
        accounts.set_password("malee.sukjai", "MALEE.SUKJAI")
    accounts.set_password("malee.sukjai", "a brand new passphrase", by="malee.sukjai")
    assert accounts.session_principal(signed.session_id) is None
    with pytest.raises(InvalidCredentialsError):
        accounts.sign_in("malee.sukjai", PASSWORD)
    assert accounts.sign_in("malee.sukjai", "a brand new passphrase")
    with pytest.raises(AccountNotFoundError):
        accounts.set_password("nobody", "a brand new passphrase")


def test_tokens_are_stored_as_hashes_and_revoked_tokens_stop_working(accounts, clock):
    accounts.add_account("robot", "editor", PASSWORD)
    first, second = accounts.issue_token("robot"), accounts.issue_token("robot")
    assert first.startswith("cbt_") and len(first) > 40
    principal = accounts.token_principal(first)
    assert (principal.name, principal.role, principal.via) == ("robot", "editor", "token")
    assert accounts.token_principal(first + "x") is None and accounts.token_principal("cbt_nope") is None
    engine = create_engine(accounts.store.engine.url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(ApiTokenRecord.prefix, ApiTokenRecord.token_hash).order_by(ApiTokenRecord.id)
        ).all()
    engine.dispose()
    assert all(first not in (row.prefix + row.token_hash) for row in rows)
    assert [row.prefix for row in rows] == [first[:12], second[:12]]
    assert accounts.revoke_tokens("robot", first[:12], by="somchai") == [first[:12]]
    assert accounts.token_principal(first) is None
    assert accounts.token_principal(second) is not None
    assert actions(accounts, "somchai") == ["token.revoke"]


def test_audit_details_are_masked(accounts):
    accounts.audit("malee", "catalogue.update", "passport", {"note": "โทร 081-234-5678 หรือ a@b.co"})
    entry = accounts.store.audit_entries(account="malee")[0]
    assert "081-234-5678" not in entry.details["note"] and "a@b.co" not in entry.details["note"]


def test_a_name_with_control_characters_is_refused_and_audited_without_them(accounts):
    with pytest.raises(InvalidCredentialsError):
        accounts.sign_in("mal\x00ee\n", PASSWORD)
    assert accounts.store.audit_entries(action="sign_in.failed")[0].account == "malee"
