from celery import shared_task

from . import confirmation


@shared_task
def purge_unconfirmed_registrations():
    """Beat, daily: registrations whose address never confirmed them are deleted."""
    return confirmation.purge_unconfirmed_registrations()
