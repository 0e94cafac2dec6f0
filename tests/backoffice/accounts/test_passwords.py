"""Password rules and argon2 hashing."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from backoffice.accounts import passwords
from backoffice.accounts.passwords import (
    PasswordRejectedError,
    check_password_rules,
    hash_password,
    needs_rehash,
    verify_or_dummy,
)


def test_a_hash_is_argon2id_salted_and_verifies_only_the_password():
    first, second = hash_password("correct horse battery"), hash_password("correct horse battery")
    assert first.startswith("$argon2id$") and first != second  # a salt of its own each time
    assert "correct horse" not in first
    assert verify_or_dummy(first, "correct horse battery")
    assert not verify_or_dummy(first, "correct horse batterY")


def test_no_account_never_verifies_and_a_damaged_hash_is_a_mismatch():
    assert not verify_or_dummy(None, "correct horse battery")
    assert not verify_or_dummy("not-a-hash", "correct horse battery")


def test_the_dummy_hash_costs_what_a_real_one_costs():
    """Same parameters as today's hashes, so an unknown name takes as long as a wrong password."""
    assert not needs_rehash(passwords._dummy_hash())


def test_weaker_parameters_need_a_rehash():
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash("correct horse battery")
    assert needs_rehash(weak) and verify_or_dummy(weak, "correct horse battery")


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short-pass1", "at least 12 characters"),
        ("x" * 1025, "at most 1024 characters"),
        ("Somchai.Admin", "must not be the account name"),
    ],
)
def test_password_rules(password, problem):
    with pytest.raises(PasswordRejectedError, match=problem):
        check_password_rules(password, "somchai.admin")
    check_password_rules("a good long passphrase", "somchai.admin")
