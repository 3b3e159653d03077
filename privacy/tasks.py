from celery import shared_task

from . import services


@shared_task
def purge_access_log():
    """Retention purge, for a periodic (beat) schedule; see `manage.py purge_access_log`."""
    return services.purge_access_log()
