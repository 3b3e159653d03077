import pytest
from django.core.cache import cache

from shop.ratelimit import RateLimit


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_attempt_counts_every_try_and_refuses_those_over_the_limit():
    limit = RateLimit("test:attempts", limit=3, window=60)
    assert [limit.attempt("10.0.0.1") for _ in range(5)] == [False, False, False, True, True]
    assert limit.attempt("10.0.0.2") is False  # per client


def test_exceeded_only_counts_what_was_hit():
    limit = RateLimit("test:hits", limit=2, window=60)
    assert not limit.exceeded("10.0.0.1")
    assert not limit.exceeded("10.0.0.1")  # checking does not count
    limit.hit("10.0.0.1")
    assert not limit.exceeded("10.0.0.1")
    assert limit.hit("10.0.0.1") == 2
    assert limit.exceeded("10.0.0.1")


def test_scopes_are_separate_and_an_unknown_client_shares_one_bucket():
    first = RateLimit("test:a", limit=1, window=60)
    second = RateLimit("test:b", limit=1, window=60)
    first.hit("")
    assert first.exceeded(None) and first.exceeded("")
    assert not second.exceeded("")
    assert first.key("") == "test:a:unknown"


def test_a_new_window_starts_when_the_counter_expires():
    limit = RateLimit("test:window", limit=1, window=60)
    limit.hit("10.0.0.1")
    assert limit.exceeded("10.0.0.1")
    cache.delete(limit.key("10.0.0.1"))  # what the cache does after ``window`` seconds
    assert not limit.exceeded("10.0.0.1")


def test_limits_named_by_a_setting_are_read_at_each_call(settings):
    limit = RateLimit("test:setting", limit=("TEST_RATE_LIMIT", 5), window=("TEST_WINDOW", 60))
    assert (limit.limit, limit.window) == (5, 60)
    settings.TEST_RATE_LIMIT = 1
    limit.hit("10.0.0.1")
    assert limit.exceeded("10.0.0.1")
