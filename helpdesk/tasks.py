from celery import shared_task

from . import inbound


@shared_task
def poll_inbound_mail():
    """Beat: customers' e-mail answers from the IMAP mailbox (off when IMAP_URL is unset)."""
    return inbound.poll_mailbox()
