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
    # Sent e-mails are copies of personal data: deleted after OUTBOX_RETENTION_DAYS.
    "purge-sent-outbox": {
        "task": "shop.tasks.purge_sent_emails",
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
    # Access-log retention (ACCESS_LOG_RETENTION_DAYS); the purge itself is logged.
    "privacy-purge-access-log": {
        "task": "privacy.tasks.purge_access_log",
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
