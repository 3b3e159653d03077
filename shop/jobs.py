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

Vouchers keep their own ``CodeJob`` (code generation and assignment, with a campaign, its own
list and a heartbeat): that model predates this one and is pinned by its own screens.
"""

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
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


def run(job_id):
    """Run a queued job (the Celery task). A job runs once: a redelivered task finds it no
    longer queued and does nothing."""
    claimed = BackgroundJob.objects.filter(pk=job_id, status=BackgroundJob.Status.QUEUED).update(
        status=BackgroundJob.Status.RUNNING
    )
    if not claimed:
        return None
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
    job.save(
        update_fields=["status", "error", "progress", "result", "file", "filename", "finished"]
    )
    cache.delete(_progress_key(job_id))
    return job.status


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
