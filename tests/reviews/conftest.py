import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_throttle():
    # The review throttle counts in the cache, which outlives a test's transaction.
    cache.clear()
    yield
    cache.clear()
