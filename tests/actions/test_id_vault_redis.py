"""The national-ID vault in a real Redis (actions/api/id_vault_redis.py): what one gateway process
keeps, another takes, once; entries expire with the in-memory vault's TTL; erasure forgets them."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import redis

from actions.api.id_vault_redis import RedisIdVault
from gateway.settings import Settings

REAL_ID = "1101700203451"


@pytest.fixture
def vaults(redis_url: str, redis_prefix: str) -> Iterator[tuple[RedisIdVault, RedisIdVault]]:
    """Two vaults on one Redis, as two gateway worker processes have."""
    prefix = redis_prefix.rstrip(":")
    first, second = (RedisIdVault.from_url(redis_url, prefix, ttl_seconds=30) for _ in range(2))
    yield first, second
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()
    first.close()
    second.close()


def test_what_one_process_keeps_another_takes_once(vaults: tuple[RedisIdVault, RedisIdVault]):
    turn, action = vaults
    surrogate = turn.stand_in("web:abc", REAL_ID)
    assert surrogate != REAL_ID and surrogate[-4:] == REAL_ID[-4:]
    assert len(action) == 1
    assert action.take("web:other", surrogate) is None  # another conversation's surrogate is nothing
    assert action.take("web:abc", surrogate) == REAL_ID
    assert turn.take("web:abc", surrogate) is None  # forgotten as it was returned
    assert len(turn) == 0


def test_entries_expire_after_the_in_memory_ttl(redis_url: str, redis_prefix: str):
    vault = RedisIdVault.from_url(redis_url, redis_prefix.rstrip(":") + "ttl", ttl_seconds=0.3)
    try:
        surrogate = vault.stand_in("web:abc", REAL_ID)
        key = f"{redis_prefix.rstrip(':')}ttl:idvault:web:abc:{surrogate}"
        assert 0 < vault._redis.pttl(key) <= 300
        deadline = time.monotonic() + 5
        while vault._redis.exists(key) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert vault.take("web:abc", surrogate) is None
    finally:
        vault.close()


def test_the_ttl_is_the_masking_setting(redis_url: str, redis_prefix: str):
    from gateway.runtime import create_id_vault

    settings = Settings.model_validate(
        {"redis": {"url": redis_url, "key_prefix": redis_prefix.rstrip(":")}, "masking": {"id_vault_ttl_seconds": 90}}
    )
    vault = create_id_vault(settings)
    try:
        assert isinstance(vault, RedisIdVault)
        surrogate = vault.stand_in("line:U1", REAL_ID)
        ttl = vault._redis.pttl(f"{redis_prefix.rstrip(':')}:idvault:line:U1:{surrogate}")
        assert 85_000 < ttl <= 90_000
        assert vault.forget("line:U1") == 1
    finally:
        vault.close()


def test_forget_drops_one_conversation_only_even_with_glob_characters(vaults: tuple[RedisIdVault, RedisIdVault]):
    vault, _ = vaults
    odd = "web:a*b?[c]"
    kept = vault.stand_in("web:abc", REAL_ID)
    vault.stand_in(odd, REAL_ID)
    vault.stand_in(odd, "3101700203452")
    vault.stand_in(f"{odd}:longer", REAL_ID)
    assert vault.forget(odd) == 2
    assert vault.forget("web:abc:") == 0
    assert vault.take("web:abc", kept) == REAL_ID
    assert len(vault) == 1  # the "...:longer" conversation's entry


def test_without_a_redis_url_the_vault_stays_in_memory():
    from actions.api.id_vault import IdVault
    from gateway.runtime import create_id_vault

    vault = create_id_vault(Settings())
    assert type(vault) is IdVault


def test_a_redis_url_that_is_not_one_is_refused():
    with pytest.raises(ValueError, match=r"redis\.url must be"):
        Settings.model_validate({"redis": {"url": "http://cache:6379"}})
