"""Background jobs of the backoffice: long bulk runs as Celery tasks with a progress page.

An app registers what a kind of job does (in ``AppConfig.ready()``, e.g. through its
``panels.register()``)::

    from shop import jobs
    jobs.register("orders.print_invoices", print_invoices_job)

and starts one from a view: ``job = jobs.start("orders.print_invoices", params, title=…,
permission="orders.view_order", user=request.user)``, then redirects to
``job.get_absolute_url()`` — the progress page, which polls ``status.json`` and offers the
result file when the job is done.

A handler is ``handler(job, progress)``: it reads ``job.params``, calls ``progress(done,
total)`` now and then, and returns a :class:`JobResult` (a summary, what it skipped and why,
and optionally a file). It runs in the language of the user who started it. The progress
lives in the cache while the job runs (the handler's own transactions may not be committed
yet), the result on the row.

A running job writes a heartbeat to its row (its own thread and connection, every
``JOB_HEARTBEAT_INTERVAL`` seconds). Beat (:func:`recover`) fails a running job silent for
``JOB_STALE_AFTER`` — its worker died: a redelivered task finds it running and does nothing,
so it said "Running" for ever while the orders it had done were done and nothing said which
— with a reason and what to do (start it again: the order handlers skip what is done), and
hands a queued job no worker took in that time to the broker again.

Vouchers keep their own ``CodeJob`` (code generation and assignment, with a campaign, its own
list and a heartbeat): that model predates this one and is pinned by its own screens.
"""

import logging
import threading
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .exceptions import DomainError
from .models import BackgroundJob

log = logging.getLogger(__name__)

_handlers = {}


@dataclass
class JobResult:
    summary: str
    done: int = 0
    skipped: list = field(default_factory=list)  # [(what, why)]
    file: tuple | None = None  # (filename, bytes)


def register(kind, handler):
    _handlers[kind] = handler


def handler(kind):
    return _handlers.get(kind)


def _progress_key(job_id):
    return f"shop:job:{job_id}:progress"


def progress_of(job):
    """Percent done; while the job runs it is only in the cache."""
    if not job.is_running:
        return job.progress
    return max(job.progress, int(cache.get(_progress_key(job.pk)) or 0))


def _create(kind, params, title, permission, user, language):
    if kind not in _handlers:
        raise ValueError(f"No background job {kind!r} is registered.")
    return BackgroundJob.objects.create(
        kind=kind,
        title=str(title)[:200],
        params=params,
        permission=permission,
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
        created_by=user,
    )


def run_inline(kind, params, *, title, permission="", user=None, language=None):
    """A short run done in the request itself, recorded like a job (its result page lists
    what was skipped and keeps the file for download)."""
    job = _create(kind, params, title, permission, user, language)
    run(job.pk)
    job.refresh_from_db()
    return job


def start(kind, params, *, title, permission="", user=None, language=None):
    """Record a job and hand it to Celery after commit."""
    from .tasks import run_background_job

    job = _create(kind, params, title, permission, user, language)

    def dispatch():
        try:
            run_background_job.delay(job.pk)
        except Exception as exc:  # broker down: say so on the progress page
            log.warning("Background job %s not dispatched: %s", job.pk, exc)
            BackgroundJob.objects.filter(pk=job.pk, status=BackgroundJob.Status.QUEUED).update(
                status=BackgroundJob.Status.FAILED,
                error=_("The job queue is not reachable. Please try again later."),
                finished=timezone.now(),
            )

    transaction.on_commit(dispatch)
    return job


class _Heartbeat(threading.Thread):
    """Writes "still alive" to the running job's row from a thread of its own, on its own
    connection (visible at once, outside the handler's transactions); it stops with the
    process."""

    def __init__(self, job_id):
        super().__init__(name=f"job-{job_id}-heartbeat", daemon=True)
        self.job_id = job_id
        self._done = threading.Event()

    def run(self):
        try:
            while not self._done.wait(settings.JOB_HEARTBEAT_INTERVAL):
                try:
                    BackgroundJob.objects.filter(
                        pk=self.job_id, status=BackgroundJob.Status.RUNNING
                    ).update(heartbeat=timezone.now())
                except DatabaseError as exc:  # the next beat tries again
                    log.warning("Heartbeat of job %s failed: %s", self.job_id, exc)
                    connection.close()
        finally:
            connection.close()

    def stop(self):
        self._done.set()
        self.join(timeout=10)


def run(job_id):
    """Run a queued job (the Celery task). A job runs once: a redelivered task finds it no
    longer queued and does nothing."""
    claimed = BackgroundJob.objects.filter(pk=job_id, status=BackgroundJob.Status.QUEUED).update(
        status=BackgroundJob.Status.RUNNING, heartbeat=timezone.now()
    )
    if not claimed:
        return None
    heartbeat = _Heartbeat(job_id)
    heartbeat.start()
    try:
        return _run(job_id)
    finally:
        heartbeat.stop()


def _run(job_id):
    job = BackgroundJob.objects.get(pk=job_id)
    work = _handlers.get(job.kind)

    def progress(done, total):
        percent = min(99, int(done * 100 / total)) if total else 0
        cache.set(_progress_key(job_id), percent, 3600)

    with translation.override(job.language):
        try:
            if work is None:
                raise DomainError(_("This kind of job is not known (any more)."))
            result = work(job, progress)
        except DomainError as exc:
            job.status, job.error = BackgroundJob.Status.FAILED, exc.message
        except Exception:
            log.exception("Background job %s failed", job_id)
            job.status = BackgroundJob.Status.FAILED
            job.error = _("The job failed unexpectedly; the error has been logged.")
        else:
            job.status, job.progress = BackgroundJob.Status.DONE, 100
            job.result = {
                "summary": str(result.summary),
                "done": result.done,
                "skipped": [[str(what), str(why)] for what, why in result.skipped],
            }
            if result.file:
                filename, content = result.file
                job.filename = filename
                job.file.save(filename, ContentFile(content), save=False)
    job.finished = timezone.now()
    # Only while still running: a job beat failed as interrupted (its worker too slow to
    # beat, say) keeps that verdict rather than a result nobody was told to wait for.
    BackgroundJob.objects.filter(pk=job_id, status=BackgroundJob.Status.RUNNING).update(
        status=job.status,
        error=job.error,
        progress=job.progress,
        result=job.result,
        file=job.file.name or "",
        filename=job.filename,
        finished=job.finished,
    )
    cache.delete(_progress_key(job_id))
    return job.status


def recover():
    """Beat: fail the running jobs whose worker died (no heartbeat for ``JOB_STALE_AFTER``)
    and hand the queued jobs no worker took in that time to the broker again. Returns
    ``{"failed": n, "handed_over": n}``."""
    from .tasks import run_background_job

    now = timezone.now()
    silent_since = now - timedelta(seconds=settings.JOB_STALE_AFTER)
    silent = models.Q(heartbeat__lt=silent_since) | models.Q(
        heartbeat__isnull=True, created__lt=silent_since
    )
    counts = {"failed": 0, "handed_over": 0}
    for job in BackgroundJob.objects.filter(silent, status=BackgroundJob.Status.RUNNING):
        with translation.override(job.language):
            error = _(
                "The worker running this job stopped before it finished (for example it was "
                "restarted). What it did until then is done; start the job again for the "
                "rest: what is done already is skipped."
            )
        if BackgroundJob.objects.filter(
            silent, pk=job.pk, status=BackgroundJob.Status.RUNNING
        ).update(status=BackgroundJob.Status.FAILED, error=error, finished=now):
            counts["failed"] += 1
            cache.delete(_progress_key(job.pk))
            log.warning("Background job %s lost its worker; marked failed", job.pk)
    for job in BackgroundJob.objects.filter(silent, status=BackgroundJob.Status.QUEUED):
        if BackgroundJob.objects.filter(
            pk=job.pk, status=BackgroundJob.Status.QUEUED, heartbeat=job.heartbeat
        ).update(heartbeat=now):
            counts["handed_over"] += 1
            try:
                run_background_job.delay(job.pk)
            except Exception as exc:  # the broker is down: the next beat tries again
                log.warning("Background job %s not handed over: %s", job.pk, exc)
    return counts


def may_follow(user, job):
    """The one who started the job, and whoever holds the job's permission."""
    if not user.is_active or not user.is_staff:
        return False
    if user.is_superuser or (job.created_by_id and job.created_by_id == user.pk):
        return True
    return bool(job.permission) and user.has_perm(job.permission)


def status_data(job):
    return {
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "progress": progress_of(job),
        "running": job.is_running,
        "error": job.error,
        "summary": job.result.get("summary", ""),
        "done": job.result.get("done", 0),
        "skipped": job.result.get("skipped", []),
        "has_file": bool(job.file),
    }
