"""A hung broker or cache never turns a placed order into an error page (issue 19 §1).

A private ``redis-server`` is paused with SIGSTOP: it keeps accepting connections (the
kernel does that) but never answers — what a saturated or half-dead Redis looks like. Orders
go through the real checkout view while it hangs; each answer is the success redirect within
a few seconds, /healthz says which part hangs, and once Redis runs again every e-mail is
sent exactly once (by a real worker and beat's re-send).
"""

import json
import time
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from orders.models import Order
from shop.models import OutboxEmail
from shop.tasks import resend_pending_emails
from tests.checkout import checkout_through_page
from tests.factories import PaymentMethodFactory, ProductFactory, ShippingMethodFactory
from tests.helpdesk.factories import ContactTopicFactory
from tests.processes import (
    celery_on_broker,
    private_redis,
    reset_broker_connections,
    running_worker,
    wait_for,
    worker_log,
)

# Not a benchmark: the bound the issue asks for ("a few seconds"); without the timeouts a
# request waits until gunicorn kills it (30 s) or for ever.
RESPONSE_BOUND = 5.0


@pytest.fixture
def catalog(db):
    return (
        ProductFactory(price=Decimal("20.00"), stock=None),
        ShippingMethodFactory(),
        PaymentMethodFactory(code="card", name="Credit card", kind="card"),
    )


def order_while_timed(client, catalog, email):
    product, shipping, payment = catalog
    started = time.monotonic()
    response = checkout_through_page(client, product, shipping, payment, email=email)
    return response, time.monotonic() - started


def assert_success(client, response, elapsed):
    assert response.status_code == 302, response.content[:500]
    assert response["Location"] == reverse("orders:success")
    assert elapsed < RESPONSE_BOUND, f"the checkout took {elapsed:.1f} s"
    assert client.get(response["Location"]).status_code == 200  # the success page


def eml_files(mail_dir, email_id):
    return list(mail_dir.glob(f"*-{email_id}.eml"))


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_orders_placed_while_the_broker_hangs_succeed_and_each_email_is_sent_once(
    settings, tmp_path, catalog
):
    settings.BROKER_TIMEOUT = 1
    with private_redis() as redis_server, celery_on_broker(redis_server.url(), settings):
        client = Client()
        response, elapsed = order_while_timed(client, catalog, "before@example.com")
        assert_success(client, response, elapsed)  # the broker answers: the normal path

        redis_server.pause()
        try:
            for n in range(3):
                client = Client()
                response, elapsed = order_while_timed(client, catalog, f"hung{n}@example.com")
                assert_success(client, response, elapsed)
            started = time.monotonic()
            health = Client().get("/healthz")
            assert time.monotonic() - started < settings.HEALTHZ_TIMEOUT + 1
            assert health.status_code == 503
            assert json.loads(health.content)["broker"].startswith("error")
            assert json.loads(health.content)["database"] == "ok"
        finally:
            redis_server.resume()

        assert Order.objects.count() == 4
        emails = list(OutboxEmail.objects.all())
        assert {e.to[0] for e in emails} >= {f"hung{n}@example.com" for n in range(3)}
        assert any(e.status == OutboxEmail.Status.PENDING for e in emails)

        # The broker is back: a worker takes what reached the queue, beat's re-send the rest.
        with running_worker(redis_server.url(), tmp_path) as worker:
            reset_broker_connections()
            resend_pending_emails.delay()  # what beat sends every minute
            wait_for(
                lambda: not OutboxEmail.objects.exclude(status=OutboxEmail.Status.SENT).exists(),
                60,
                message="every e-mail sent",
            )
            queue = redis_server.client()
            wait_for(lambda: queue.llen("celery") == 0, 30, message="the queue drained")
            time.sleep(1)  # the last message taken may still be running
        log = worker_log(worker)
        for email in OutboxEmail.objects.all():
            assert email.attempts == 1
            assert len(eml_files(tmp_path / "mail", email.pk)) == 1, log[-3000:]


@pytest.mark.django_db(transaction=True)
def test_orders_and_contact_requests_while_the_cache_hangs_succeed(settings, catalog, mailoutbox):
    settings.HELPDESK_CONTACT_LIMIT = 5
    topic = ContactTopicFactory(recipient_email="service@example.com")
    with private_redis() as redis_server:
        settings.REDIS_URL = redis_server.url()
        settings.CACHES = {
            "default": {
                "BACKEND": "shop.cache.RedisCache",
                "LOCATION": redis_server.url(),
                "OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
            }
        }
        cache.set("warm", 1)  # a pooled connection exists when Redis stops answering
        assert cache.get("warm") == 1
        redis_server.pause()
        try:
            for n in range(3):
                client = Client()
                response, elapsed = order_while_timed(client, catalog, f"cache{n}@example.com")
                assert_success(client, response, elapsed)
            # The contact form counts requests per client in the cache (rate limit).
            started = time.monotonic()
            response = Client().post(
                reverse("helpdesk:contact"),
                {
                    "name": "Erika",
                    "email": "erika@example.com",
                    "topic": str(topic.pk),
                    "subject": "Parcel",
                    "message": "Where is my parcel?",
                },
            )
            assert response.status_code == 302
            assert time.monotonic() - started < RESPONSE_BOUND
            started = time.monotonic()
            health = Client().get("/healthz")
            assert time.monotonic() - started < settings.HEALTHZ_TIMEOUT + 1
            assert health.status_code == 503
            assert json.loads(health.content)["cache"].startswith("error")
        finally:
            redis_server.resume()
        assert Client().get("/healthz").status_code == 200  # answers again at once

    # Tasks run in-process here: every e-mail went out at commit, exactly once.
    assert Order.objects.count() == 3
    sent = [m.extra_headers["X-Shop-Outbox-Id"] for m in mailoutbox]
    emails = list(OutboxEmail.objects.all())
    assert len(emails) >= 5  # 3 confirmations, the contact request and its receipt
    for email in emails:
        assert email.status == OutboxEmail.Status.SENT and email.attempts == 1
        assert sent.count(str(email.pk)) == 1
