"""The Celery app: Redis broker, task autodiscovery, the beat schedule and the hand-off."""

import logging
import os

from celery import Celery
from celery.schedules import crontab

from .breaker import CircuitBreaker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")

log = logging.getLogger(__name__)

app = Celery("shop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Without CELERY_BROKER_URL tasks run in-process (eagerly). Celery still serialises their
# arguments through a producer connection; with no URL at all kombu falls back to AMQP on
# "localhost" and logs "No hostname was supplied" for every first dispatch (seen in
# seed_demo). The in-memory transport is what "no broker" means.
IN_PROCESS_BROKER = "memory://localhost/"


@app.on_after_configure.connect
def _in_process_broker(sender, **kwargs):
    if not sender.conf.broker_url:
        sender.conf.broker_url = IN_PROCESS_BROKER


broker = CircuitBreaker("Celery broker", "BROKER_RETRY_AFTER", 30)


def hand_off(task, *args):
    """Queue ``task(*args)`` on the broker; True if it was handed over.

    Never raises and never waits longer than about ``BROKER_TIMEOUT``: a broker that is down,
    or up but not answering, costs one timeout, after which the breaker skips the broker for
    ``BROKER_RETRY_AFTER`` seconds. The caller keeps its own record (an outbox row, a job
    row) so that beat can hand the work over again later.
    """
    if broker.is_open:
        log.info("Broker skipped (recent failure): %s%r not queued", task.name, args)
        return False
    try:
        task.delay(*args)
    except Exception as exc:  # kombu OperationalError, redis TimeoutError, …
        broker.trip(exc)
        log.warning("%s%r not queued: %s", task.name, args, exc)
        return False
    return True


app.conf.beat_schedule = {
    # The outbox safety net: anything still pending (broker or SMTP was down) is sent again.
    "resend-pending-outbox": {
        "task": "shop.tasks.resend_pending_emails",
        "schedule": 60.0,
    },
    # The retention policy for every category of personal data (shop.retention): sent
    # e-mails after OUTBOX_RETENTION_DAYS, access-log months after ACCESS_LOG_RETENTION_DAYS,
    # invoices, orders, guest data, helpdesk threads, reviews after their periods.
    "apply-retention": {
        "task": "shop.tasks.apply_retention",
        "schedule": crontab(hour=3, minute=29),
    },
    "purge-expired-sessions": {
        "task": "shop.tasks.clear_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
    # One-time form tokens (shop.formtokens) of pages sent more than 30 days ago.
    "forget-sent-forms": {
        "task": "shop.tasks.forget_sent_forms",
        "schedule": crontab(hour=3, minute=19),
    },
    # Back-in-stock notices (shop.stock_notices): beat finds the products in stock again,
    # whichever way their stock changed (backoffice, import, returns: queryset updates).
    "shop-send-stock-notices": {
        "task": "shop.tasks.send_stock_notices",
        "schedule": crontab(minute="*/15"),
    },
    # Customers' e-mail answers to helpdesk threads (no-op unless IMAP_URL is set).
    "helpdesk-poll-inbound-mail": {
        "task": "helpdesk.tasks.poll_inbound_mail",
        "schedule": 120.0,
    },
    # Background jobs (bulk work) whose worker died are failed with a reason; lost queued
    # jobs handed over (shop.jobs.recover).
    "shop-recover-background-jobs": {
        "task": "shop.tasks.recover_background_jobs",
        "schedule": 15.0,
    },
    # Codes sold for points of campaigns whose budget is used up: voided, points back (also
    # right after the redemption that used it up; this catches a lost hand-over).
    "vouchers-withdraw-codes-of-used-up-campaigns": {
        "task": "vouchers.tasks.withdraw_codes_of_used_up_campaigns",
        "schedule": crontab(hour=4, minute=7),
    },
    # Storefront registrations whose address never confirmed them (customers.confirmation).
    "customers-purge-unconfirmed-registrations": {
        "task": "customers.tasks.purge_unconfirmed_registrations",
        "schedule": crontab(hour=4, minute=13),
    },
    # Code jobs whose worker died are restarted (or failed); lost queued jobs handed over.
    "vouchers-recover-code-jobs": {
        "task": "vouchers.tasks.recover_code_jobs",
        "schedule": 15.0,
    },
    # Access log: partitions of the coming months, and the digest of its newest entry to
    # the data protection officer (DATA_PROTECTION_EMAIL) and the application log.
    "privacy-maintain-access-log": {
        "task": "privacy.tasks.maintain_access_log",
        "schedule": crontab(hour=3, minute=53),
    },
    # Review requests N days after delivery (no-op while ShopSettings.review_request_days
    # is empty).
    "reviews-send-requests": {
        "task": "reviews.tasks.send_review_requests",
        "schedule": crontab(minute=23),
    },
    # Expired gift cards: the leftover balance is written off in the ledger.
    "giftcards-expire": {
        "task": "giftcards.tasks.expire_giftcards",
        "schedule": crontab(hour=2, minute=41),
    },
}
