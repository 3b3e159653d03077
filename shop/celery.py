"""The Celery app: Redis broker, task autodiscovery and the beat schedule."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")

app = Celery("shop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

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
    # Customers' e-mail answers to helpdesk threads (no-op unless IMAP_URL is set).
    "helpdesk-poll-inbound-mail": {
        "task": "helpdesk.tasks.poll_inbound_mail",
        "schedule": 120.0,
    },
    # Access log: partitions of the coming months, and the digest of its newest entry to
    # the data protection officer (DATA_PROTECTION_EMAIL) and the application log.
    "privacy-maintain-access-log": {
        "task": "privacy.tasks.maintain_access_log",
        "schedule": crontab(hour=3, minute=53),
    },
    # Expired gift cards: the leftover balance is written off in the ledger.
    "giftcards-expire": {
        "task": "giftcards.tasks.expire_giftcards",
        "schedule": crontab(hour=2, minute=41),
    },
}
