from celery import shared_task

from . import review_requests, services


@shared_task
def send_review_requests():
    """Beat: ask for reviews N days after delivery (off while ShopSettings has no N); and
    delete the reviews whose address did not confirm them in time."""
    services.purge_unconfirmed()
    return review_requests.send_review_requests()
