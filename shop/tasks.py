from celery import shared_task
from django.core import management

from . import mail


@shared_task(bind=True, max_retries=5, default_retry_delay=30)
def send_outbox_email(self, email_id):
    status = mail.send_now(email_id)
    if (
        status == "pending" and not self.request.is_eager
    ):  # SMTP failed: retry with backoff; beat is the safety net
        raise self.retry(countdown=mail.backoff(self.request.retries + 1).total_seconds())
    return status


@shared_task
def resend_pending_emails():
    """Beat: send every pending outbox row that is due (broker or SMTP were down)."""
    sent = 0
    for email_id in list(mail.pending_due()[:500]):
        if mail.send_now(email_id) == "sent":
            sent += 1
    return sent


@shared_task
def purge_sent_emails():
    """Beat: delete sent e-mails older than OUTBOX_RETENTION_DAYS (they hold personal data)."""
    return mail.purge_sent()


@shared_task
def clear_sessions():
    management.call_command("clearsessions")


@shared_task(acks_late=True)
def run_background_job(job_id):
    """Run a backoffice background job (``shop.jobs``)."""
    from . import jobs

    return jobs.run(job_id)
