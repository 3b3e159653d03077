"""Django's Redis cache, made harmless when Redis hangs or is gone.

The cache holds only what can be lost: rate-limit counters, the cached CSP origin. So a
failing Redis call is logged and answered like a miss (``get`` → default, ``set``/``add`` →
nothing stored, ``incr`` → a fresh counter) instead of failing the request. Each call has a
socket timeout (``REDIS_TIMEOUT``); after a failure the breaker skips Redis for
``REDIS_RETRY_AFTER`` seconds, so a request that uses the cache ten times waits for one
timeout, not ten. While Redis is away, rate limits count from zero again (they fail open):
a dead cache must not stop customers from checking out.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

from .breaker import CircuitBreaker

breaker = CircuitBreaker("Redis cache", "REDIS_RETRY_AFTER", 10)


class ResilientRedisCacheClient(RedisCacheClient):
    def _guarded(self, fallback, method, *args):
        if breaker.is_open:
            return fallback
        try:
            return method(*args)
        except self._lib.RedisError as exc:
            breaker.trip(exc)
            return fallback

    def add(self, key, value, timeout):
        return self._guarded(False, super().add, key, value, timeout)

    def get(self, key, default):
        return self._guarded(default, super().get, key, default)

    def set(self, key, value, timeout):
        return self._guarded(None, super().set, key, value, timeout)

    def touch(self, key, timeout):
        return self._guarded(False, super().touch, key, timeout)

    def delete(self, key):
        return self._guarded(False, super().delete, key)

    def get_many(self, keys):
        return self._guarded({}, super().get_many, keys)

    def has_key(self, key):
        return self._guarded(False, super().has_key, key)

    def incr(self, key, delta):
        return self._guarded(delta, super().incr, key, delta)

    def set_many(self, data, timeout):
        return self._guarded([], super().set_many, data, timeout)

    def delete_many(self, keys):
        return self._guarded(False, super().delete_many, keys)

    def clear(self):
        return self._guarded(False, super().clear)

    def ping(self):
        """Ask Redis directly, bypassing the breaker (for /healthz); raises on failure."""
        return self.get_client(write=True).ping()


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ResilientRedisCacheClient

    def ping(self):
        return self._cache.ping()
