"""The rules of staff accounts over the store: adding accounts, signing in and out, lock-out,
session lifetimes, API tokens, CSRF tokens, and an audit entry for each of them.

Every decision reads the time from an injected clock, so lock-out and expiry are tested without
sleeping. Sign-in answers a wrong password, an unknown name and a disabled account alike (one
argon2 verification each, :func:`backoffice.accounts.passwords.verify_or_dummy`); only a locked
account is told apart, because its owner must learn to wait.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from backoffice.accounts.passwords import check_password_rules, hash_password, needs_rehash, verify_or_dummy
from backoffice.accounts.roles import Permission, can, parse_role, permissions_of
from backoffice.accounts.store import Account, AccountNotFoundError, StaffSession, StaffStore
from backoffice.settings import BackofficeSettings
from nlu.pii import mask_pii

__all__ = [
    "TOKEN_PREFIX",
    "AccountLockedError",
    "InvalidCredentialsError",
    "InvalidNameError",
    "Principal",
    "SignedIn",
    "StaffAccounts",
    "normalise_name",
]

TOKEN_PREFIX = "cbt_"  # "citizenbot token": a secret scanner (and a person) can recognise a leaked one
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_USER_AGENT_CHARS = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # PostgreSQL refuses NUL in text; none belongs in a name


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


class InvalidCredentialsError(Exception):
    """Wrong name or password, or a disabled account: one answer for all, so none can be told apart."""


class AccountLockedError(Exception):
    """Too many wrong passwords: no sign-in until ``until``, whatever the password."""

    def __init__(self, until: dt.datetime) -> None:
        super().__init__(f"locked until {until.isoformat()}")
        self.until = until


class InvalidNameError(ValueError):
    """An account name that breaks the naming rule."""


def normalise_name(name: str) -> str:
    """Account names are lower-case ASCII (letters, digits, ``.``, ``_``, ``-``), at most 64 characters."""
    value = name.strip().lower()
    if not _NAME.fullmatch(value):
        raise InvalidNameError(
            f"{name!r} is not a valid account name: use 1-64 lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return value


@dataclass(frozen=True)
class Principal:
    """Who is making a request, and how they proved it."""

    account_id: int
    name: str
    display_name: str
    role: str
    via: Literal["session", "token"]
    session_hash: str | None = None  # the signed-in session (via == "session")

    def can(self, permission: Permission) -> bool:
        return can(self.role, permission)

    @property
    def permissions(self) -> list[Permission]:
        return permissions_of(self.role)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "display_name": self.display_name,
            "role": self.role,
            "permissions": list(self.permissions),
            "via": self.via,
        }


@dataclass(frozen=True)
class SignedIn:
    principal: Principal
    session_id: str  # the cookie's value: shown to the browser once, stored only as its hash
    csrf_token: str
    expires_at: dt.datetime


def _principal(account: Account, via: Literal["session", "token"], session_hash: str | None = None) -> Principal:
    return Principal(account.id, account.name, account.display_name, account.role, via, session_hash)


class StaffAccounts:
    def __init__(
        self,
        store: StaffStore,
        settings: BackofficeSettings | None = None,
        *,
        clock: Callable[[], dt.datetime] = _utcnow,
        address_key: bytes | None = None,
    ) -> None:
        self.store = store
        self.settings = settings or BackofficeSettings()
        self._clock = clock
        # Client addresses in the audit log are keyed hashes (the same client gives the same value, nobody
        # can list the IPv4 space to reverse it); without a key they are left out.
        self._address_key = address_key

    def close(self) -> None:
        self.store.close()

    def now(self) -> dt.datetime:
        return self._clock()

    # --- the audit log -------------------------------------------------------------------------

    def address_hash(self, address: str | None) -> str | None:
        if not address or self._address_key is None:
            return None
        return hmac.new(self._address_key, address.encode("utf-8"), hashlib.sha256).hexdigest()[:32]

    def audit(
        self,
        account: str,
        action: str,
        target: str | None = None,
        details: dict[str, Any] | None = None,
        address: str | None = None,
    ) -> None:
        self.store.audit(self.now(), account, action, target, details, self.address_hash(address))

    # --- managing accounts ---------------------------------------------------------------------

    def add_account(
        self, name: str, role: str, password: str, *, display_name: str | None = None, by: str = "cli"
    ) -> Account:
        """Raises InvalidNameError, ValueError (role), PasswordRejectedError or AccountExistsError."""
        name = normalise_name(name)
        checked_role = parse_role(role)
        check_password_rules(password, name)
        shown = (display_name or "").strip()[:120] or name
        account = self.store.create_account(name, shown, checked_role, hash_password(password), self.now())
        self.audit(by, "user.add", name, {"role": checked_role})
        return account

    def _existing(self, name: str) -> Account:
        account = self.store.account(normalise_name(name))
        if account is None:
            raise AccountNotFoundError(f"no account is named {name.strip()!r}")
        return account

    def account(self, name: str) -> Account:
        """Raises AccountNotFoundError (or InvalidNameError for a name no account can have)."""
        return self._existing(name)

    def set_password(self, name: str, password: str, *, by: str = "cli") -> Account:
        """A new password ends every session of the account (whoever knew the old one is logged out)."""
        account = self._existing(name)
        check_password_rules(password, account.name)
        self.store.update_account(
            account.name, self.now(), password_hash=hash_password(password), failed_sign_ins=0, locked_until=None
        )
        updated = self.store.end_all_sessions(account.name, self.now())
        self.audit(by, "user.password", account.name)
        return updated

    def set_role(self, name: str, role: str, *, by: str = "cli") -> Account:
        account = self._existing(name)
        checked = parse_role(role)
        updated = self.store.update_account(account.name, self.now(), role=checked)
        self.audit(by, "user.role", account.name, {"from": account.role, "to": checked})
        return updated

    def disable(self, name: str, *, by: str = "cli") -> Account:
        """No more sign-ins, sessions or tokens for the account; its history stays."""
        account = self._existing(name)
        self.store.update_account(account.name, self.now(), active=False)
        updated = self.store.end_all_sessions(account.name, self.now())
        revoked = self.store.revoke_tokens(account.id, None, self.now())
        self.audit(by, "user.disable", account.name, {"tokens_revoked": len(revoked)})
        return updated

    def enable(self, name: str, *, by: str = "cli") -> Account:
        account = self._existing(name)
        updated = self.store.update_account(account.name, self.now(), active=True)
        self.audit(by, "user.enable", account.name)
        return updated

    def unlock(self, name: str, *, by: str = "cli") -> Account:
        account = self._existing(name)
        updated = self.store.update_account(account.name, self.now(), failed_sign_ins=0, locked_until=None)
        self.audit(by, "user.unlock", account.name)
        return updated

    def is_locked(self, account: Account) -> bool:
        return account.locked_until is not None and account.locked_until > self.now()

    # --- API tokens ----------------------------------------------------------------------------

    def issue_token(self, name: str, *, by: str = "cli") -> str:
        """A new token for the account, returned once; only its SHA-256 is kept."""
        account = self._existing(name)
        if not account.active:
            raise InvalidCredentialsError(f"the account {account.name!r} is disabled")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        prefix = token[: len(TOKEN_PREFIX) + 8]
        self.store.add_token(account.id, prefix, _sha256(token), self.now())
        self.audit(by, "token.issue", account.name, {"prefix": prefix})
        return token

    def revoke_tokens(self, name: str, prefix: str | None = None, *, by: str = "cli") -> list[str]:
        """Revoke the account's tokens starting with ``prefix`` (all when None); the prefixes revoked."""
        account = self._existing(name)
        revoked = self.store.revoke_tokens(account.id, prefix, self.now())
        if revoked:
            self.audit(by, "token.revoke", account.name, {"prefixes": revoked})
        return revoked

    def token_principal(self, token: str) -> Principal | None:
        """The account behind a live API token of an active account, else None."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        found = self.store.token_and_account(_sha256(token))
        if found is None:
            return None
        record, account = found
        if record.revoked_at is not None or not account.active:
            return None
        self.store.touch_token(record.id, self.now())
        return _principal(account, "token")

    # --- signing in and out --------------------------------------------------------------------

    def sign_in(self, name: str, password: str, *, user_agent: str = "", address: str | None = None) -> SignedIn:
        """Check the password and open a session; raises InvalidCredentialsError or AccountLockedError.

        Every outcome is audited under the name that was typed (masked, cut to 64 characters)."""
        typed = mask_pii(_CONTROL.sub("", name).strip().lower())[:64] or "(empty)"
        try:
            account = self.store.account(normalise_name(name))
        except InvalidNameError:
            account = None
        now = self.now()
        matches = verify_or_dummy(account.password_hash if account else None, password)
        if account is None or not account.active:
            self.audit(typed, "sign_in.failed", typed, {"reason": "unknown or disabled account"}, address)
            raise InvalidCredentialsError("wrong name or password")
        if self.is_locked(account):
            assert account.locked_until is not None
            self.audit(account.name, "sign_in.refused_locked", account.name, {"password_correct": matches}, address)
            raise AccountLockedError(account.locked_until)
        if not matches:
            settings = self.settings
            lock_until = now + dt.timedelta(minutes=settings.lockout_minutes)
            if account.locked_until is not None:  # an earlier lock has run out: count afresh
                self.store.record_sign_in(account.id)
            after = self.store.record_failed_sign_in(account.id, settings.max_failed_sign_ins, lock_until)
            self.audit(account.name, "sign_in.failed", account.name, {"failures": after.failed_sign_ins}, address)
            if self.is_locked(after):
                self.audit(
                    account.name,
                    "sign_in.locked",
                    account.name,
                    {"failures": after.failed_sign_ins, "until": lock_until.isoformat()},
                    address,
                )
                raise AccountLockedError(lock_until)
            raise InvalidCredentialsError("wrong name or password")
        self.store.record_sign_in(account.id, hash_password(password) if needs_rehash(account.password_hash) else None)
        # Sessions nobody will use again (idle too long, past their end) go at each sign-in: no job needed.
        self.store.delete_sessions_ended_before(now - dt.timedelta(minutes=self.settings.session_idle_minutes), now)
        session_id = secrets.token_urlsafe(32)
        expires_at = now + dt.timedelta(hours=self.settings.session_hours)
        agent = mask_pii(_CONTROL.sub("", user_agent))[:_USER_AGENT_CHARS]
        session = StaffSession(_sha256(session_id), account.id, account.session_generation, now, now, expires_at, agent)
        self.store.create_session(session)
        self.audit(account.name, "sign_in.ok", account.name, {"user_agent": agent}, address)
        principal = _principal(account, "session", session.id_hash)
        return SignedIn(principal, session_id, csrf_token_for(session_id), expires_at)

    def session_principal(self, session_id: str) -> Principal | None:
        """The account behind a session cookie, if the session is live; its idle clock restarts."""
        if not session_id or len(session_id) > 200:
            return None
        id_hash = _sha256(session_id)
        found = self.store.session_and_account(id_hash)
        if found is None:
            return None
        session, account = found
        now = self.now()
        idle = dt.timedelta(minutes=self.settings.session_idle_minutes)
        live = (
            account.active
            and session.generation == account.session_generation
            and now < session.expires_at
            and now - session.last_seen < idle
        )
        if not live:
            self.store.delete_session(id_hash)
            return None
        self.store.touch_session(id_hash, now)
        return _principal(account, "session", id_hash)

    def sign_out(self, principal: Principal, address: str | None = None) -> None:
        if principal.session_hash is not None:
            self.store.delete_session(principal.session_hash)
        self.audit(principal.name, "sign_out", principal.name, {"via": principal.via}, address)

    def sign_out_everywhere(self, name: str, *, by: str, address: str | None = None) -> None:
        """Void every session of the account, on every device and replica."""
        account = self._existing(name)
        self.store.end_all_sessions(account.name, self.now())
        self.audit(by, "sign_out.everywhere", account.name, None, address)


def csrf_token_for(session_id: str) -> str:
    """The session's CSRF token: derived from the session id (a 256-bit secret only the browser's
    HTTP-only cookie holds), so a page can be given it again at any time and nothing more is stored."""
    return hashlib.sha256(b"citizenbot-csrf:" + session_id.encode("utf-8")).hexdigest()


def csrf_matches(session_id: str, given: str) -> bool:
    """Constant-time comparison of the token a request sent with the session's own."""
    return hmac.compare_digest(csrf_token_for(session_id).encode("ascii"), given.encode("utf-8", "replace"))
