"""The staff store: accounts, sessions, API tokens and the audit log, in SQL through SQLAlchemy.

SQLite by default, PostgreSQL by URL (``store.staff_url``); the tables come from migrations
(knowledge/migrations/staff, ADR 0009), never ``create_all``. The store only reads and writes rows:
the rules (lock-out, lifetimes, who may do what) live in :mod:`backoffice.accounts.service`, which
passes every timestamp in, so tests run on an injected clock. Rows leave as frozen snapshots, never
as live ORM objects.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from backoffice.accounts.models import AccountRecord, ApiTokenRecord, AuditRecord, SessionRecord
from knowledge.database import create_store_engine
from knowledge.migrations.runner import upgrade
from nlu.pii import mask_deep

__all__ = [
    "Account",
    "AccountExistsError",
    "AccountNotFoundError",
    "ApiToken",
    "AuditEntry",
    "StaffSession",
    "StaffStore",
    "as_utc",
]


def as_utc(value: dt.datetime) -> dt.datetime:
    """SQLite gives naive UTC timestamps where PostgreSQL gives aware ones (ADR 0009): make both aware."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _maybe_utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else as_utc(value)


class AccountExistsError(ValueError):
    """An account with this name exists already."""


class AccountNotFoundError(LookupError):
    """No account has this name."""


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    display_name: str
    role: str
    active: bool
    failed_sign_ins: int
    locked_until: dt.datetime | None
    session_generation: int
    created_at: dt.datetime
    updated_at: dt.datetime
    password_hash: str = field(repr=False)

    @classmethod
    def of(cls, record: AccountRecord) -> Account:
        return cls(
            id=record.id,
            name=record.name,
            display_name=record.display_name,
            role=record.role,
            active=record.active,
            failed_sign_ins=record.failed_sign_ins,
            locked_until=_maybe_utc(record.locked_until),
            session_generation=record.session_generation,
            created_at=as_utc(record.created_at),
            updated_at=as_utc(record.updated_at),
            password_hash=record.password_hash,
        )


@dataclass(frozen=True)
class StaffSession:
    id_hash: str
    account_id: int
    generation: int
    created_at: dt.datetime
    last_seen: dt.datetime
    expires_at: dt.datetime
    user_agent: str

    @classmethod
    def of(cls, record: SessionRecord) -> StaffSession:
        return cls(
            record.id_hash,
            record.account_id,
            record.generation,
            as_utc(record.created_at),
            as_utc(record.last_seen),
            as_utc(record.expires_at),
            record.user_agent,
        )


@dataclass(frozen=True)
class ApiToken:
    id: int
    account_id: int
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @classmethod
    def of(cls, record: ApiTokenRecord) -> ApiToken:
        return cls(
            record.id,
            record.account_id,
            record.prefix,
            as_utc(record.created_at),
            _maybe_utc(record.last_used_at),
            _maybe_utc(record.revoked_at),
        )


@dataclass(frozen=True)
class AuditEntry:
    at: dt.datetime
    account: str
    action: str
    target: str | None
    details: dict[str, Any]
    address_hash: str | None

    @classmethod
    def of(cls, record: AuditRecord) -> AuditEntry:
        return cls(
            as_utc(record.at),
            record.account,
            record.action,
            record.target,
            json.loads(record.details),
            record.address_hash,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "account": self.account,
            "action": self.action,
            "target": self.target,
            "details": self.details,
        }


class StaffStore:
    def __init__(self, url: str) -> None:
        # Foreign keys on: deleting an account takes its sessions and tokens along, on SQLite as on PostgreSQL.
        self.engine = create_store_engine(url, foreign_keys=True)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        upgrade(self.engine, "staff")  # migrations, never create_all (ADR 0009)

    def close(self) -> None:
        self.engine.dispose()

    # --- accounts ------------------------------------------------------------------------------

    def create_account(self, name: str, display_name: str, role: str, password_hash: str, now: dt.datetime) -> Account:
        record = AccountRecord(
            name=name,
            display_name=display_name,
            role=role,
            password_hash=password_hash,
            active=True,
            failed_sign_ins=0,
            session_generation=0,
            created_at=now,
            updated_at=now,
        )
        try:
            with self._sessions.begin() as session:
                session.add(record)
        except IntegrityError as error:  # the unique name, also when two processes add it at once
            raise AccountExistsError(f"an account named {name!r} exists already") from error
        return Account.of(record)

    def account(self, name: str) -> Account | None:
        with self._sessions() as session:
            record = session.scalar(select(AccountRecord).where(AccountRecord.name == name))
            return None if record is None else Account.of(record)

    def account_by_id(self, account_id: int) -> Account | None:
        with self._sessions() as session:
            record = session.get(AccountRecord, account_id)
            return None if record is None else Account.of(record)

    def accounts(self) -> list[Account]:
        with self._sessions() as session:
            return [Account.of(r) for r in session.scalars(select(AccountRecord).order_by(AccountRecord.name))]

    def _record(self, session: Session, name: str) -> AccountRecord:
        record = session.scalar(select(AccountRecord).where(AccountRecord.name == name).with_for_update())
        if record is None:
            raise AccountNotFoundError(f"no account is named {name!r}")
        return record

    def update_account(self, name: str, now: dt.datetime, **values: Any) -> Account:
        """Set the given columns (role, display_name, active, password_hash, ...) and ``updated_at``."""
        with self._sessions.begin() as session:
            record = self._record(session, name)
            for column, value in values.items():
                setattr(record, column, value)
            record.updated_at = now
            return Account.of(record)

    def end_all_sessions(self, name: str, now: dt.datetime) -> Account:
        """Log out everywhere: bump the generation (void sessions anywhere) and delete the session rows."""
        with self._sessions.begin() as session:
            record = self._record(session, name)
            record.session_generation += 1
            record.updated_at = now
            session.execute(delete(SessionRecord).where(SessionRecord.account_id == record.id))
            return Account.of(record)

    def record_failed_sign_in(self, account_id: int, max_failures: int, lock_until: dt.datetime) -> Account:
        """Count one wrong password; the ``max_failures``-th in a row locks the account until ``lock_until``."""
        with self._sessions.begin() as session:
            record = session.get(AccountRecord, account_id, with_for_update=True)
            if record is None:
                raise AccountNotFoundError(f"no account has id {account_id}")
            record.failed_sign_ins += 1
            if record.failed_sign_ins >= max_failures:
                record.locked_until = lock_until
            return Account.of(record)

    def record_sign_in(self, account_id: int, password_hash: str | None = None) -> None:
        """A correct password: the failure count and any expired lock are cleared (and the hash renewed)."""
        values: dict[str, Any] = {"failed_sign_ins": 0, "locked_until": None}
        if password_hash is not None:
            values["password_hash"] = password_hash
        with self._sessions.begin() as session:
            session.execute(update(AccountRecord).where(AccountRecord.id == account_id).values(**values))

    # --- sessions ------------------------------------------------------------------------------

    def create_session(self, record: StaffSession) -> None:
        with self._sessions.begin() as session:
            session.add(
                SessionRecord(
                    id_hash=record.id_hash,
                    account_id=record.account_id,
                    generation=record.generation,
                    created_at=record.created_at,
                    last_seen=record.last_seen,
                    expires_at=record.expires_at,
                    user_agent=record.user_agent,
                )
            )

    def session_and_account(self, id_hash: str) -> tuple[StaffSession, Account] | None:
        with self._sessions() as session:
            row = session.execute(
                select(SessionRecord, AccountRecord)
                .join(AccountRecord, AccountRecord.id == SessionRecord.account_id)
                .where(SessionRecord.id_hash == id_hash)
            ).first()
            return None if row is None else (StaffSession.of(row[0]), Account.of(row[1]))

    def touch_session(self, id_hash: str, now: dt.datetime) -> None:
        with self._sessions.begin() as session:
            session.execute(update(SessionRecord).where(SessionRecord.id_hash == id_hash).values(last_seen=now))

    def delete_session(self, id_hash: str) -> None:
        with self._sessions.begin() as session:
            session.execute(delete(SessionRecord).where(SessionRecord.id_hash == id_hash))

    def sessions_of(self, account_id: int) -> list[StaffSession]:
        with self._sessions() as session:
            query = select(SessionRecord).where(SessionRecord.account_id == account_id)
            return [StaffSession.of(r) for r in session.scalars(query.order_by(SessionRecord.created_at))]

    def delete_sessions_ended_before(self, idle_before: dt.datetime, now: dt.datetime) -> int:
        """Housekeeping: sessions idle since before the cut-off or past their end are of no use any more."""
        with self._sessions.begin() as session:
            result = session.execute(
                delete(SessionRecord).where((SessionRecord.last_seen < idle_before) | (SessionRecord.expires_at <= now))
            )
            return int(getattr(result, "rowcount", 0) or 0)

    # --- API tokens ----------------------------------------------------------------------------

    def add_token(self, account_id: int, prefix: str, token_hash: str, now: dt.datetime) -> ApiToken:
        record = ApiTokenRecord(account_id=account_id, prefix=prefix, token_hash=token_hash, created_at=now)
        with self._sessions.begin() as session:
            session.add(record)
        return ApiToken.of(record)

    def token_and_account(self, token_hash: str) -> tuple[ApiToken, Account] | None:
        with self._sessions() as session:
            row = session.execute(
                select(ApiTokenRecord, AccountRecord)
                .join(AccountRecord, AccountRecord.id == ApiTokenRecord.account_id)
                .where(ApiTokenRecord.token_hash == token_hash)
            ).first()
            return None if row is None else (ApiToken.of(row[0]), Account.of(row[1]))

    def touch_token(self, token_id: int, now: dt.datetime) -> None:
        with self._sessions.begin() as session:
            session.execute(update(ApiTokenRecord).where(ApiTokenRecord.id == token_id).values(last_used_at=now))

    def tokens_of(self, account_id: int) -> list[ApiToken]:
        with self._sessions() as session:
            query = select(ApiTokenRecord).where(ApiTokenRecord.account_id == account_id)
            return [ApiToken.of(r) for r in session.scalars(query.order_by(ApiTokenRecord.id))]

    def revoke_tokens(self, account_id: int, prefix: str | None, now: dt.datetime) -> list[str]:
        """Revoke the account's live tokens (those starting with ``prefix``, or all); their prefixes."""
        with self._sessions.begin() as session:
            query = select(ApiTokenRecord).where(
                ApiTokenRecord.account_id == account_id, ApiTokenRecord.revoked_at.is_(None)
            )
            revoked = []
            for record in session.scalars(query.with_for_update()):
                if prefix is None or record.prefix.startswith(prefix):
                    record.revoked_at = now
                    revoked.append(record.prefix)
            return revoked

    # --- audit log -----------------------------------------------------------------------------

    def audit(
        self,
        at: dt.datetime,
        account: str,
        action: str,
        target: str | None = None,
        details: dict[str, Any] | None = None,
        address_hash: str | None = None,
    ) -> None:
        """Append one entry; ``details`` are masked (national IDs, phones, e-mails) before they are stored."""
        record = AuditRecord(
            at=at,
            account=account[:64],
            action=action[:64],
            target=None if target is None else target[:200],
            details=json.dumps(mask_deep(details or {}), ensure_ascii=False, default=str),
            address_hash=address_hash,
        )
        with self._sessions.begin() as session:
            session.add(record)

    def audit_entries(
        self, *, account: str | None = None, action: str | None = None, limit: int = 100
    ) -> list[AuditEntry]:
        """Newest first, optionally of one account or one action (a prefix such as ``sign_in.``)."""
        query = select(AuditRecord)
        if account is not None:
            query = query.where(AuditRecord.account == account)
        if action is not None:
            query = query.where(AuditRecord.action.startswith(action))
        query = query.order_by(AuditRecord.id.desc()).limit(limit)
        with self._sessions() as session:
            return [AuditEntry.of(r) for r in session.scalars(query)]

    def count_accounts(self) -> int:
        with self._sessions() as session:
            return int(session.scalar(select(func.count()).select_from(AccountRecord)) or 0)
