from celery import shared_task
from django.core import management

from . import mail, retention


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
def apply_retention():
    """Beat, daily: the retention policy for every category of personal data (shop.retention:
    anonymise what accounting needs, delete the rest — sent e-mails after
    OUTBOX_RETENTION_DAYS, access-log months after ACCESS_LOG_RETENTION_DAYS included)."""
    run, _results = retention.run(trigger="beat")
    return {"run": run.pk, "ok": run.ok, "rows": run.total}


@shared_task
def clear_sessions():
    management.call_command("clearsessions")


@shared_task
def forget_sent_forms():
    """Beat, daily: the one-time tokens of forms sent long ago (shop.formtokens)."""
    from . import formtokens

    return formtokens.forget_old()


@shared_task
def send_stock_notices():
    """Beat, every 15 minutes: one e-mail to each confirmed back-in-stock notice whose
    product is in stock again (shop.stock_notices.send_due)."""
    from . import stock_notices

    return stock_notices.send_due()


@shared_task(acks_late=True)
def run_background_job(job_id):
    """Run a backoffice background job (``shop.jobs``)."""
    from . import jobs

    return jobs.run(job_id)


@shared_task
def recover_background_jobs():
    """Beat: fail background jobs whose worker died, hand lost queued ones over again."""
    from . import jobs

    return jobs.recover()
