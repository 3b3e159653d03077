from celery import shared_task

from . import jobs


@shared_task(acks_late=True)
def run_code_job(job_id):
    """Generate or assign codes for a CodeJob recorded by the backoffice."""
    return jobs.run_job(job_id)


@shared_task
def recover_code_jobs():
    """Beat: restart (or fail) jobs whose worker died; hand lost queued jobs over again."""
    return jobs.recover_jobs()


@shared_task
def withdraw_codes_of_used_up_campaign(campaign_id):
    """Codes sold for points of a campaign whose budget is used up: voided, points back."""
    from .services import withdraw_codes_of_used_up_campaign as withdraw

    return len(withdraw(campaign_id))


@shared_task
def withdraw_codes_of_used_up_campaigns():
    """Beat, daily: the same for every such campaign (what a lost task left)."""
    from .services import withdraw_codes_of_used_up_campaigns as withdraw

    return withdraw()
