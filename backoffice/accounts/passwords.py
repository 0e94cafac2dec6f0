"""Password rules and hashing: argon2id through argon2-cffi (docs/adr/0010-staff-accounts.md).

A wrong password and an unknown account must look the same from outside, in the answer and in the
time it takes: :func:`verify_or_dummy` verifies against a fixed dummy hash when there is no account,
so both paths run one argon2 verification.
"""

from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = [
    "MAX_PASSWORD_CHARS",
    "MIN_PASSWORD_CHARS",
    "PasswordRejectedError",
    "check_password_rules",
    "hash_password",
    "needs_rehash",
    "verify_or_dummy",
]

MIN_PASSWORD_CHARS = 12
# Long enough for any passphrase or manager-generated password, short enough that hashing a huge
# "password" is no denial of service.
MAX_PASSWORD_CHARS = 1024

# argon2-cffi's defaults follow RFC 9106's second recommended option (argon2id, 64 MiB, 3 passes);
# parameters live in each hash, so raising them later rehashes accounts as they sign in.
_HASHER = PasswordHasher()


class PasswordRejectedError(ValueError):
    """The password breaks a rule; the message says which, without echoing the password."""


def check_password_rules(password: str, account_name: str) -> None:
    """Refuse a password that is too short, too long, or the account name itself."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise PasswordRejectedError(f"the password must have at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        raise PasswordRejectedError(f"the password must have at most {MAX_PASSWORD_CHARS} characters")
    if password.strip().casefold() == account_name.strip().casefold():
        raise PasswordRejectedError("the password must not be the account name")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


# A hash of a random string nobody kept, made with today's parameters: verifying against it costs what
# verifying a real account's hash costs, from the first sign-in on. Should the hasher's parameters
# change, a fresh dummy is made once instead, so the two paths keep taking the same time.
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$4PTeiHFo8/fnSClEVc62bA$Pl8ZIhh+arIvK3vJ/O9plazsy8a5K3W4LB8XHfuJQCg"


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    if not _HASHER.check_needs_rehash(_DUMMY_HASH):
        return _DUMMY_HASH
    return _HASHER.hash(secrets.token_urlsafe(24))


def verify_or_dummy(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches ``stored_hash``; with no hash (no such account) a dummy is verified
    so the caller takes as long either way. A damaged stored hash counts as a mismatch."""
    try:
        return _HASHER.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's (checked on each sign-in)."""
    try:
        return _HASHER.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
