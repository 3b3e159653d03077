from celery import shared_task

from . import services


@shared_task
def maintain_access_log():
    """Beat, daily: the partitions of the coming months, then the digest of the newest entry
    to the data protection officer (outbox) and the application log. Retention of the log
    is part of the shop's daily retention run (shop.tasks.apply_retention)."""
    services.ensure_partitions()
    digest = services.send_digest()
    return str(digest) if digest else None
