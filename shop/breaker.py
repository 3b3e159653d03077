"""Circuit breakers for the shop's optional network dependencies (broker, Redis cache).

A request may call the broker or the cache several times. When that dependency hangs, each
call waits for its socket timeout; without a breaker a checkout that queues three e-mails and
reads the cache five times would wait eight timeouts. After a failure the breaker stays open
for ``retry_after`` seconds: calls are skipped at once (the caller takes its fallback — the
outbox row stays pending, the cache answers "miss") and the first call after that period
tries again. The state is per process, which is what bounds the response time of that process.
"""

import logging
import threading
import time

from django.conf import settings

log = logging.getLogger(__name__)


class CircuitBreaker:
    def __init__(self, name, retry_after_setting, default_retry_after):
        self.name = name
        self._setting = retry_after_setting
        self._default = default_retry_after
        self._open_until = 0.0
        self._lock = threading.Lock()

    @property
    def retry_after(self):
        return float(getattr(settings, self._setting, self._default))

    @property
    def is_open(self):
        """True while calls should be skipped (a failure less than retry_after ago)."""
        return time.monotonic() < self._open_until

    def trip(self, exc):
        """Record a failure: skip calls for the next ``retry_after`` seconds."""
        with self._lock:
            first = not self.is_open
            self._open_until = time.monotonic() + self.retry_after
        if first:
            log.warning(
                "%s unavailable (%s: %s); not used for %.0f s",
                self.name,
                type(exc).__name__,
                exc,
                self.retry_after,
            )

    def reset(self):
        self._open_until = 0.0
