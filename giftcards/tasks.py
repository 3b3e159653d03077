from celery import shared_task

from . import services


@shared_task
def expire_giftcards():
    """Daily (beat): write off the balance left on cards past their last day."""
    return services.expire_cards()
