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
