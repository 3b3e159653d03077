"""Fixed-window rate limits in the cache, per client (e.g. per IP address).

A window starts with the first counted hit of a client and lasts ``window`` seconds; within
it at most ``limit`` hits are allowed. The counter lives in the shared cache (Redis), so the
limit holds across web processes.

Two ways to use a limit:

* count every attempt, then refuse the ones over the limit (guessing card numbers)::

      if BALANCE_CHECKS.attempt(client_ip(request)):
          ...refuse...

* refuse once the limit is used up, and count only what was accepted (contact forms)::

      if CONTACT.exceeded(ip):
          ...refuse...
      ...store the request...
      CONTACT.hit(ip)
"""

from django.conf import settings
from django.core.cache import cache


class RateLimit:
    """``limit`` hits per ``window`` seconds under the cache key ``"<scope>:<client>"``.

    ``limit`` and ``window`` are numbers or names of settings with a default, read at each
    call, so tests and operators can change them: ``limit=("REVIEW_THROTTLE_LIMIT", 3)``.
    """

    def __init__(self, scope, *, limit, window):
        self.scope = scope
        self._limit = limit
        self._window = window

    @staticmethod
    def _value(spec):
        if isinstance(spec, tuple):
            name, default = spec
            return getattr(settings, name, default)
        return spec

    @property
    def limit(self):
        return self._value(self._limit)

    @property
    def window(self):
        return self._value(self._window)

    def key(self, client):
        return f"{self.scope}:{client or 'unknown'}"

    def count(self, client):
        return cache.get(self.key(client)) or 0

    def exceeded(self, client):
        """True once ``client`` has used up the limit of the current window."""
        return self.count(client) >= self.limit

    def hit(self, client):
        """Count one hit for ``client``; returns the hits in the current window."""
        key, window = self.key(client), self.window
        cache.add(key, 0, timeout=window)
        try:
            return cache.incr(key)
        except ValueError:  # the key expired between add() and incr()
            cache.set(key, 1, timeout=window)
            return 1

    def attempt(self, client):
        """Count one attempt; True if it is over the limit (and must be refused)."""
        return self.hit(client) > self.limit


# Gift-card numbers must not be found by trying them. The checkout's gift-card field
# (orders.views) and the balance check (giftcards.views) draw on one allowance per client:
# each balance check, and each number the checkout page looks up for the first time
# (unknown, mistyped, blocked …). It lives here, below both apps.
GIFTCARD_LOOKUP_LIMIT = 10
GIFTCARD_LOOKUP_WINDOW = 600  # seconds
GIFTCARD_LOOKUPS = RateLimit(
    "giftcards:balance", limit=GIFTCARD_LOOKUP_LIMIT, window=GIFTCARD_LOOKUP_WINDOW
)

# Discount codes must not be found by trying either: codes that did not work (unknown, not
# issued, used …) on the cart page (vouchers.views) or the checkout page (orders.views) are
# counted per client; past the limit no new code is looked up until the window ends. A code
# that works counts nothing, so a customer applying codes is never held up.
CODE_FAILED_LOOKUPS = RateLimit(
    "vouchers:code-failed",
    limit=("VOUCHER_CODE_FAILED_LIMIT", 10),
    window=("VOUCHER_CODE_FAILED_WINDOW", 3600),
)
