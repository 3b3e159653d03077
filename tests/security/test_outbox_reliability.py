"""Outbox reliability end to end (SPEC S13/S16, issue 13 point 5).

Broker down: the checkout still succeeds at once, the confirmation waits in the outbox and the
beat task sends it once the broker is back. SMTP down: the send is retried with growing
back-off, the error shows in the backoffice outbox list, and nothing is ever sent twice.
(tests/shop/test_outbox.py covers the outbox API itself.)
"""

import smtplib
import threading
import time
from datetime import timedelta

import pytest
from django.core import mail as django_mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from orders.models import Order
from shop import mail
from shop.celery import app as celery_app
from shop.models import OutboxEmail
from shop.tasks import resend_pending_emails, send_outbox_email
from tests.checkout import checkout_through_page
from tests.race import run_concurrently

CLOSED_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1


class FailingSMTPBackend(BaseEmailBackend):
    """An SMTP server that drops the connection for every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class SlowRecordingBackend(BaseEmailBackend):
    """Takes a moment per message (so concurrent senders overlap) and records what it sent."""

    sent = []
    lock = threading.Lock()

    def send_messages(self, email_messages):
        time.sleep(0.3)
        with self.lock:
            self.sent.extend(m.extra_headers["X-Shop-Outbox-Id"] for m in email_messages)
        return len(email_messages)


@pytest.fixture
def broker_down():
    """Celery as in production (not eager), with a broker that refuses connections."""
    conf = celery_app.conf
    # conf.get: the stored values. (conf.broker_write_url falls back to broker_url when it
    # is unset; saving that and setting it back would pin the write URL for later tests.)
    saved = {key: conf.get(key) for key in ("task_always_eager", "broker_url", "broker_write_url")}
    conf.task_always_eager = False
    conf.broker_url = CLOSED_BROKER
    conf.broker_write_url = CLOSED_BROKER
    celery_app._pool = None  # no connection pool left over from an earlier configuration
    yield
    for key, value in saved.items():
        setattr(conf, key, value)
    celery_app._pool = None


def confirmation_rows(order):
    return OutboxEmail.objects.filter(template="order_confirmation", to=[order.email])


@pytest.mark.django_db
def test_broker_down_checkout_succeeds_and_beat_sends_once_the_broker_is_back(
    client,
    product,
    shipping,
    card_payment,
    broker_down,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = checkout_through_page(client, product, shipping, card_payment)
    elapsed = time.monotonic() - started
    # Not a benchmark: a generous bound that a hanging broker reconnect loop would break.
    assert elapsed < 20, f"checkout took {elapsed:.1f}s with the broker down"
    assert response.status_code == 302 and response["Location"] == reverse("orders:success")
    assert callbacks, "the dispatch runs after commit"
    order = Order.objects.get()
    row = confirmation_rows(order).get()
    assert row.status == OutboxEmail.Status.PENDING and row.attempts == 0
    assert mailoutbox == []
    # The customer sees the normal success page.
    assert order.number in client.get(response["Location"]).content.decode()

    # The broker is back (eager again): the beat task sends what is due — exactly once.
    celery_app.conf.task_always_eager = True
    assert resend_pending_emails.delay().get() == 1
    row.refresh_from_db()
    assert row.status == OutboxEmail.Status.SENT and row.attempts == 1
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [order.email]
    # A second beat run and a late duplicate dispatch from the queue send nothing.
    assert resend_pending_emails.delay().get() == 0
    assert send_outbox_email.delay(row.pk).get() is None
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_dispatch_with_broker_down_leaves_the_row_pending(broker_down, mailoutbox):
    row = OutboxEmail.objects.create(
        to=["a@example.com"], subject="Hi", body_text="Hello", next_attempt_at=timezone.now()
    )
    mail.dispatch(row.pk)  # swallowed: logs a warning, raises nothing
    row.refresh_from_db()
    assert row.status == OutboxEmail.Status.PENDING and row.attempts == 0
    assert mailoutbox == []


@pytest.mark.django_db
def test_smtp_failure_is_retried_with_backoff_visible_and_never_sent_twice(
    client,
    admin_client,
    product,
    shipping,
    card_payment,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.EMAIL_BACKEND = f"{__name__}.FailingSMTPBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 5
    with django_capture_on_commit_callbacks(execute=True):
        response = checkout_through_page(client, product, shipping, card_payment)
    assert response.status_code == 302  # the SMTP outage never reaches the customer
    order = Order.objects.get()
    row = confirmation_rows(order).get()
    assert row.status == OutboxEmail.Status.PENDING
    assert row.attempts == 1
    assert row.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    first_delay = row.next_attempt_at - timezone.now()
    assert timedelta(seconds=20) < first_delay <= timedelta(seconds=30)

    # Not due yet: beat leaves it alone.
    assert resend_pending_emails() == 0
    row.refresh_from_db()
    assert row.attempts == 1

    # Visible in the backoffice outbox list: status, attempts and the error.
    html = admin_client.get(reverse("admin:shop_outboxemail_changelist")).content.decode()
    assert "SMTPServerDisconnected: Connection unexpectedly closed" in html
    assert "Pending" in html
    assert f"Your order {order.number}" in html

    # Time passes, SMTP still down: the next attempt backs off further.
    OutboxEmail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert resend_pending_emails() == 0
    row.refresh_from_db()
    assert row.attempts == 2 and row.status == OutboxEmail.Status.PENDING
    assert row.next_attempt_at - timezone.now() > first_delay + timedelta(seconds=20)

    # SMTP is back: the next beat run sends it once; repeats send nothing.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    django_mail.outbox = []
    OutboxEmail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert resend_pending_emails() == 1
    assert resend_pending_emails() == 0
    assert mail.send_now(row.pk) is None
    assert mail.send_now(row.pk) is None
    assert send_outbox_email(row.pk) is None
    row.refresh_from_db()
    assert row.status == OutboxEmail.Status.SENT and row.attempts == 3 and row.last_error == ""
    assert len(django_mail.outbox) == 1
    html = admin_client.get(reverse("admin:shop_outboxemail_changelist")).content.decode()
    assert "SMTPServerDisconnected" not in html


@pytest.mark.django_db
def test_smtp_failure_until_max_attempts_marks_failed_and_stops_retrying(settings, mailoutbox):
    settings.EMAIL_BACKEND = f"{__name__}.FailingSMTPBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 3
    row = OutboxEmail.objects.create(
        to=["a@example.com"], subject="Hi", body_text="Hello", next_attempt_at=timezone.now()
    )
    for _ in range(5):
        OutboxEmail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        resend_pending_emails()
    row.refresh_from_db()
    assert row.status == OutboxEmail.Status.FAILED and row.attempts == 3
    assert "SMTPServerDisconnected" in row.last_error


@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_send_a_row_only_once(settings):
    """A worker's dispatch and the beat re-send racing on one row: one message goes out."""
    settings.EMAIL_BACKEND = f"{__name__}.SlowRecordingBackend"
    SlowRecordingBackend.sent = []
    row = OutboxEmail.objects.create(
        to=["a@example.com"], subject="Hi", body_text="Hello", next_attempt_at=timezone.now()
    )
    results = run_concurrently(lambda _: mail.send_now(row.pk), 4)
    assert sorted(results, key=str) == [None, None, None, "sent"]
    assert SlowRecordingBackend.sent == [str(row.pk)]
    row.refresh_from_db()
    assert row.status == OutboxEmail.Status.SENT and row.attempts == 1
