import copy
import os
import uuid
from decimal import Decimal
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings as django_settings
from django.test.utils import override_settings

from orders.services import CheckoutData, place_order
from shop.cache import RedisCache
from tests.factories import (
    PaymentMethodFactory,
    ProductFactory,
    ShippingMethodFactory,
    StaffFactory,
    UserFactory,
)

BILLING = {
    "first_name": "Erika",
    "last_name": "Mustermann",
    "street": "Musterstraße 1",
    "postcode": "10115",
    "city": "Berlin",
    "country": "DE",
}


# Argon2 (shop/settings.py) is deliberately slow. The suite hashes with MD5 from the start of the
# session (also for users created at import time and in the live server's thread); tests of the
# configured hashing itself take the ``production_password_hashers`` fixture.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PRODUCTION_PASSWORD_HASHERS = list(django_settings.PASSWORD_HASHERS)


def pytest_configure(config):
    engine = django_settings.DATABASES["default"]["ENGINE"]
    if not engine.endswith("postgresql"):
        raise pytest.UsageError(
            f"The test suite needs PostgreSQL (row locks, triggers, COPY), not {engine}. "
            "Run it with `make test`, or set DATABASE_URL=postgres://..."
        )
    # Sends setting_changed, so Django's cached hasher list is rebuilt.
    override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS).enable()
    _flush_past_the_log_guards()
    _one_redis_db_per_worker()
    _own_cache_keys()


def _one_redis_db_per_worker():
    """`make test` runs the suite in parallel (pytest-xdist, one worker per core).
    pytest-django gives each worker its own test database (test_shop_gw0, test_shop_gw1, …);
    Redis is shared, so worker gwN moves to db number base + N: the cache's clear() empties a
    whole db (a demo shop's set-up must not drop another worker's throttle counters), and the
    Celery tests' worker must not take tasks queued for another worker's database."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return
    number = int(worker[2:])

    def moved(url):
        parts = urlsplit(url)
        db = int(parts.path.strip("/") or 0)
        return urlunsplit(parts._replace(path=f"/{(db + number) % 16}"))

    if django_settings.REDIS_URL:
        url = moved(django_settings.REDIS_URL)
        caches = copy.deepcopy(django_settings.CACHES)
        caches["default"]["LOCATION"] = url
        override_settings(REDIS_URL=url, CACHES=caches).enable()
        os.environ["REDIS_URL"] = url  # for the processes a test starts (gunicorn, celery)
    if os.environ.get("CELERY_TEST_BROKER_URL"):
        os.environ["CELERY_TEST_BROKER_URL"] = moved(os.environ["CELERY_TEST_BROKER_URL"])


class OwnKeysRedisCache(RedisCache):
    """The shop's Redis cache whose ``clear()`` deletes only this test process's keys (its
    ``KEY_PREFIX``), not the whole Redis db: other test processes share it — the other
    xdist workers once their db numbers wrap (base + N modulo 16), and other test sessions
    whose base db is this worker's (``REDIS_URL=…/6`` with ``-n 2`` puts gw1 on db 7, another
    session's base). A test's ``cache.clear()`` there flushed their rate-limit counters in the
    middle of a test (``test_wrong_passwords_are_limited_per_account`` saw no limit)."""

    def clear(self):
        def delete_own_keys():
            client = self._cache.get_client(write=True)
            keys = list(client.scan_iter(match=f"{self.key_prefix}:*", count=1000))
            for start in range(0, len(keys), 1000):
                client.delete(*keys[start : start + 1000])
            return True

        return self._cache._guarded(False, delete_own_keys)


def _own_cache_keys():
    """Each test process writes its cache keys under a prefix of its own (rate-limit
    counters are keyed by a customer's pk, which every worker's and every session's test
    database hands out again from 1), and clears only those (:class:`OwnKeysRedisCache`).
    The processes a test starts (gunicorn, celery) are given the same prefix."""
    default = django_settings.CACHES["default"]
    if not default["BACKEND"].endswith("RedisCache"):
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    prefix = f"{default.get('KEY_PREFIX') or 'shop'}:test-{worker}-{uuid.uuid4().hex[:12]}"
    caches = copy.deepcopy(django_settings.CACHES)
    caches["default"]["KEY_PREFIX"] = prefix
    caches["default"]["BACKEND"] = f"{__name__}.{OwnKeysRedisCache.__name__}"
    override_settings(CACHES=caches).enable()
    os.environ["CACHE_KEY_PREFIX"] = prefix


def _flush_past_the_log_guards():
    """The access log refuses TRUNCATE (privacy/0005), also to the database superuser the
    suite runs as. Emptying the tables between transactional tests is the one deliberate
    exception: it runs with ``session_replication_role = replica`` (superuser only), which
    switches ordinary triggers off for that transaction."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    sql_flush = DatabaseOperations.sql_flush

    def flush_without_triggers(self, style, tables, **kwargs):
        statements = sql_flush(self, style, tables, **kwargs)
        return ["SET LOCAL session_replication_role = replica", *statements] if statements else []

    DatabaseOperations.sql_flush = flush_without_triggers


@pytest.fixture(scope="session")
def demo_copy(tmp_path_factory):
    """``demo_copy.load(settings)``: the demo shop of seed_demo, seeded once per test process
    and restored from a copy afterwards (tests/demo_copy.py)."""
    from tests.demo_copy import DemoCopy

    return DemoCopy(tmp_path_factory.mktemp("demo-copy"))


@pytest.fixture
def production_password_hashers(settings):
    """The hasher list of shop/settings.py (Argon2 first), for the tests of hashing itself."""
    settings.PASSWORD_HASHERS = PRODUCTION_PASSWORD_HASHERS
    return PRODUCTION_PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def _media_and_mail(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    # imagekit remembers in the cache (Redis) which resized pictures exist; a test's media
    # folder is new, so it must not trust what an earlier test or run wrote there.
    settings.IMAGEKIT_CACHE_PREFIX = f"imagekit:{uuid.uuid4().hex}:"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    settings.AXES_ENABLED = False
    settings.BACKOFFICE_REQUIRE_2FA = False  # tests/security/test_twofactor.py turns it on
    # No test asks the EU's VIES service (a .env with SHOP_ENV=production would set it):
    # tests/orders/test_vies_check.py points it at a local server.
    settings.VIES_URL = ""


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the shop's default language: a request activates the language of
    its URL (/de/…) for the thread, and a later test's reverse() and factories must not
    inherit it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _no_cached_pages():
    """Whole pages are kept per process under the storefront version, a sequence that a
    test's rollback does not move back: a page of an earlier test must not answer."""
    from django.core.cache import caches

    from shop import pagecache

    caches["storefront_pages"].clear()
    caches["template_fragments"].clear()  # some are kept per storefront version too
    pagecache._kept.clear()  # the kept rows and fragments (settings, methods, nav), likewise
    yield


@pytest.fixture(autouse=True)
def _no_kept_backoffice_rows(request):
    """Staff rows and rendered backoffice lists are kept per process under counters that a
    test's rollback moves back (shop.staffrows, shop.keptlists): nothing of an earlier test
    may answer. Inside a test's transaction, which never commits, the orders' list version
    moves at each statement instead of at the commit (orders/0033)."""
    from shop import keptlists, staffrows

    staffrows.forget()
    keptlists.forget()
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if not transactional and (marker is not None or "db" in request.fixturenames):
        from django.db import connection

        request.getfixturevalue("db")
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS orders_order_list_changed IMMEDIATE")
    yield
    staffrows.forget()
    keptlists.forget()


@pytest.fixture(autouse=True)
def _own_rate_limit_counters(monkeypatch):
    """Each test counts its own rate-limit hits (shop.ratelimit): the counters of a client
    (127.0.0.1 for every test) live in the cache for an hour, and a test that followed ten
    refused codes of earlier tests in the same process saw "Too many discount codes". The
    counters a test hit are deleted after it."""
    from django.core.cache import cache

    from shop.ratelimit import RateLimit

    counted = set()
    hit = RateLimit.hit

    def counting(self, client):
        counted.add(self.key(client))
        return hit(self, client)

    monkeypatch.setattr(RateLimit, "hit", counting)
    yield
    if counted:
        cache.delete_many(list(counted))


@pytest.fixture(autouse=True)
def _breakers_closed():
    """A test that made the broker or the cache fail must not leave the next test skipping
    them (the breakers are per process: shop/breaker.py)."""
    from customers.vies import breaker as vies_breaker
    from shop.cache import breaker as cache_breaker
    from shop.celery import broker as broker_breaker

    for breaker in (cache_breaker, broker_breaker, vies_breaker):
        breaker.reset()
    yield
    for breaker in (cache_breaker, broker_breaker, vies_breaker):
        breaker.reset()


@pytest.fixture
def fresh_cache():
    """An empty cache before and after the test: rate-limit counters (failed code, gift-card
    and order-number lookups: shop.ratelimit) live there and outlive a test's transaction.
    Use it in a module with ``pytest.mark.usefixtures("fresh_cache")``."""
    from django.core.cache import cache

    cache.clear()
    yield cache
    cache.clear()


@pytest.fixture
def shipping(db):
    return ShippingMethodFactory()


@pytest.fixture
def card_payment(db):
    return PaymentMethodFactory(code="card", name="Credit card", kind="card")


@pytest.fixture
def invoice_payment(db):
    return PaymentMethodFactory(code="invoice", name="Pay on invoice", kind="invoice")


@pytest.fixture
def prepayment(db):
    """Prepayment by bank transfer (a test module may define its own, named otherwise)."""
    return PaymentMethodFactory(code="prepay", name="Prepayment", kind="prepayment")


@pytest.fixture
def product(db):
    return ProductFactory(price=Decimal("20.00"), tax_rate=Decimal("19.00"))


@pytest.fixture
def customer(db):
    return UserFactory()


@pytest.fixture
def staff(db):
    user = StaffFactory(is_superuser=True)
    return user


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def checkout_data(shipping, card_payment):
    def make(**overrides):
        values = {
            "email": "erika@example.com",
            "billing": dict(BILLING),
            "shipping_method_id": shipping.pk,
            "payment_method_id": card_payment.pk,
            # what the checkout requires for downloads (ignored for other carts)
            "digital_consent": True,
        }
        values.update(overrides)
        return CheckoutData(**values)

    return make


@pytest.fixture
def make_order(checkout_data, product):
    """Place a real order through the checkout service."""

    def make(items=None, customer=None, **overrides):
        return place_order(items or {product.pk: 1}, checkout_data(**overrides), customer=customer)

    return make


def reset_statement_timeout_for_flush():
    """A storefront request leaves ``STOREFRONT_STATEMENT_TIMEOUT`` on the connection for the
    rest of its life (shop.middleware.StatementTimeoutMiddleware): a transactional test's
    flush (one TRUNCATE of every table) then ran under 5 s and failed on a slow machine with
    a busy disk. Inside a test's transaction the SET is rolled back with it, so only a
    connection outside one is reset."""
    from django.db import DatabaseError, InterfaceError, connections

    from shop.db import _timeouts, set_statement_timeout

    conn = connections["default"]
    driver = conn.connection
    if driver is None or conn.in_atomic_block or not _timeouts.get(driver):
        return
    try:
        set_statement_timeout(0)
    except (DatabaseError, InterfaceError, RuntimeError):
        pass  # a connection a test broke (the flush gets a new one), or no database access


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item):
    # Before the fixtures' teardown, where pytest-django flushes the database.
    reset_statement_timeout_for_flush()
