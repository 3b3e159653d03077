from celery import shared_task

from . import services


@shared_task(acks_late=True)
def run_code_job(job_id):
    """Generate or assign codes for a CodeJob recorded by the backoffice."""
    return services.run_job(job_id)
