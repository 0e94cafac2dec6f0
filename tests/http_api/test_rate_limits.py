"""The rate limiter: a moving window per namespace and key, with the wait a client must obey."""

from __future__ import annotations

import time

import pytest

from http_api.rate_limits import Limit, RateLimiter, retry_after_header


def test_allows_the_count_then_refuses_with_the_wait_until_the_oldest_hit_leaves():
    limiter = RateLimiter()
    limit = Limit(3, 2)
    assert [limiter.hit("chat", "a", limit) for _ in range(3)] == [None, None, None]
    wait = limiter.hit("chat", "a", limit)
    assert wait is not None and 1.5 < wait <= 2.0
    time.sleep(wait + 0.05)
    assert limiter.hit("chat", "a", limit) is None  # obeying Retry-After is enough


def test_keys_and_namespaces_are_counted_apart():
    limiter = RateLimiter()
    limit = Limit(1, 60)
    assert limiter.hit("chat", "a", limit) is None
    assert limiter.hit("chat", "a", limit) is not None
    assert limiter.hit("chat", "b", limit) is None
    assert limiter.hit("line", "a", limit) is None


def test_a_moving_window_allows_no_double_burst_at_a_window_edge():
    limiter = RateLimiter()
    limit = Limit(2, 1)
    assert limiter.hit("n", "k", limit) is None
    time.sleep(0.6)
    assert limiter.hit("n", "k", limit) is None
    time.sleep(0.5)  # past a fixed one-second window's edge, but the second hit is still inside ours
    assert limiter.hit("n", "k", limit) is None  # the first hit has left the window
    assert limiter.hit("n", "k", limit) is not None


def test_refused_hits_do_not_push_the_wait_back():
    limiter = RateLimiter()
    limit = Limit(1, 1)
    limiter.hit("n", "k", limit)
    first = limiter.hit("n", "k", limit)
    for _ in range(20):
        limiter.hit("n", "k", limit)
    later = limiter.hit("n", "k", limit)
    assert first is not None and later is not None and later <= first


def test_reset_forgets_every_count():
    limiter = RateLimiter()
    limit = Limit(1, 60)
    limiter.hit("n", "k", limit)
    limiter.reset()
    assert limiter.hit("n", "k", limit) is None


def test_storage_comes_from_a_uri_and_a_bad_one_fails_at_start():
    assert RateLimiter("memory://").hit("n", "k", Limit(1, 1)) is None
    with pytest.raises(Exception, match="nosuch"):
        RateLimiter("nosuch://localhost")


@pytest.mark.parametrize(("count", "seconds"), [(0, 1), (1, 0), (-1, 5)])
def test_a_limit_needs_a_positive_count_and_window(count, seconds):
    with pytest.raises(ValueError):
        Limit(count, seconds)


@pytest.mark.parametrize(("wait", "header"), [(0.001, "1"), (1.0, "1"), (1.01, "2"), (59.5, "60")])
def test_retry_after_rounds_up_to_whole_seconds(wait, header):
    assert retry_after_header(wait) == header
