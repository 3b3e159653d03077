"""Code jobs: generating ≥ 10,000 codes and assigning codes, run by a Celery worker.

What happens when the worker dies mid-job (OOM killer, deploy, lost node):

* **Nothing partial.** The work (campaign + codes, or the assignments with their e-mails in
  the outbox) and the job's "done" are ONE transaction. A killed worker's transaction is
  rolled back by PostgreSQL: no codes, no assignment, no e-mail.
* **Noticed within a bounded time.** While a job runs, a heartbeat thread writes the time
  and the progress to the job row every ``JOB_HEARTBEAT_INTERVAL`` seconds, on its own
  connection (outside the job's transaction). A running job whose heartbeat is older than
  ``JOB_STALE_AFTER`` has lost its worker: the progress page says so at once, never "running".
* **Restarted or failed.** The beat task ``recover_code_jobs`` puts such a job back in the
  queue as the next attempt, or — after ``JOB_MAX_ATTEMPTS`` runs — marks it failed with a
  reason the operator sees. It also hands over again a queued job that no worker took
  within ``JOB_STALE_AFTER`` (its message was lost, or the broker was down when it started).
* **Retrying is idempotent.** A run claims the job by raising ``attempts``; only the run that
  holds the current attempt may finish it (the row is locked and checked in the job's own
  transaction), so a worker presumed dead that wakes up cannot commit a second result.
  Generation creates the campaign under a unique name; assignment gives codes only to
  customers who hold none of the campaign yet; e-mails are queued in the same transaction.

Why a heartbeat and not the broker's visibility timeout: the visibility timeout would have to
be longer than the longest job (a million codes, a large assignment), so a crash would be
noticed only after that long; and when only the pool process is killed, Celery acknowledges
the message, which then never comes back at all. The heartbeat notices a dead worker after
``JOB_STALE_AFTER`` seconds whatever the job's length, and needs nothing from the broker.
"""

import logging
import threading
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.celery import hand_off

from .errors import VoucherError
from .models import CodeJob
from .services import Criteria, assign_to_matching, generate_campaign

log = logging.getLogger(__name__)


class Superseded(Exception):
    """Another run took the job over while this one was presumed dead."""


def job_progress(job):
    return 100 if job.status == CodeJob.Status.DONE else job.progress


def start_job(kind, params, *, campaign=None, user=None):
    """Record a job; it is handed to Celery after commit."""
    job = CodeJob.objects.create(
        kind=kind,
        params=params,
        campaign=campaign,
        created_by=user if user else None,
        heartbeat=timezone.now(),
    )
    transaction.on_commit(lambda: _dispatch(job.pk))
    return job


def _dispatch(job_id):
    from .tasks import run_code_job

    if not hand_off(run_code_job, job_id):
        # The broker is down or hangs: the job stays queued and beat hands it over again.
        log.warning("Code job %s not handed to the queue; beat will retry", job_id)


def run_job(job_id):
    """Run a queued job (the Celery task). Returns the final status, or None when there was
    nothing to do (already finished, running elsewhere, or taken over by a newer attempt)."""
    attempt = _claim(job_id)
    if attempt is None:
        return None
    job = CodeJob.objects.select_related("campaign").get(pk=job_id)
    heartbeat = Heartbeat(job_id, attempt)
    heartbeat.start()
    try:
        try:
            with transaction.atomic():
                result, campaign, not_emailed = _work(job, heartbeat.report)
                _finish(
                    job_id,
                    attempt,
                    status=CodeJob.Status.DONE,
                    result=result,
                    not_emailed=not_emailed,
                    campaign=campaign,
                    progress=100,
                    error="",
                )
            return CodeJob.Status.DONE
        except Superseded:
            log.warning("Code job %s attempt %s was superseded; rolled back", job_id, attempt)
            return None
        except VoucherError as exc:
            error = exc.message
        except Exception as exc:
            log.exception("Code job %s failed", job_id)
            error = _("Unexpected error: %(error)s") % {"error": exc.__class__.__name__}
        try:
            _finish(job_id, attempt, status=CodeJob.Status.FAILED, error=error)
        except Superseded:
            return None
        return CodeJob.Status.FAILED
    finally:
        heartbeat.stop()


def _claim(job_id):
    """Mark a queued job running as the next attempt; that attempt's number, or None."""
    with transaction.atomic():
        job = (
            CodeJob.objects.select_for_update()
            .filter(pk=job_id, status=CodeJob.Status.QUEUED)
            .first()
        )
        if job is None:
            return None  # finished, running elsewhere, or unknown: a redelivered message
        job.status = CodeJob.Status.RUNNING
        job.attempts += 1
        job.heartbeat = timezone.now()
        job.progress = 0
        job.error = ""
        job.save(update_fields=["status", "attempts", "heartbeat", "progress", "error"])
        return job.attempts


def _work(job, progress):
    if job.kind == CodeJob.Kind.GENERATE:
        params = dict(job.params)
        for key in ("discount_value", "min_order_value", "budget"):
            if params.get(key) is not None:
                params[key] = Decimal(params[key])
        for key in ("valid_from", "valid_to"):
            if params.get(key):
                params[key] = datetime.fromisoformat(params[key]).date()
        campaign = generate_campaign(**params, progress=progress)
        return campaign.codes.count(), campaign, None
    params = job.params
    notify = params.get("notify", False)
    assignment = assign_to_matching(
        job.campaign, Criteria.from_dict(params["criteria"]), notify=notify, progress=progress
    )
    return assignment.assigned, job.campaign, assignment.not_emailed if notify else None


def _finish(job_id, attempt, **values):
    """Write the outcome if ``attempt`` still owns the job, else raise Superseded.

    Inside the job's transaction this locks the row (FOR UPDATE) until the commit: a
    concurrent recovery then sees the finished job, and this run never overwrites a newer
    attempt's work.
    """
    with transaction.atomic():
        owned = (
            CodeJob.objects.select_for_update()
            .filter(pk=job_id, attempts=attempt, status=CodeJob.Status.RUNNING)
            .exists()
        )
        if not owned:
            raise Superseded(job_id)
        CodeJob.objects.filter(pk=job_id).update(finished=timezone.now(), **values)


class Heartbeat(threading.Thread):
    """Writes "still alive" and the progress to the job row while the job runs.

    Its own thread has its own database connection, so the writes are visible at once,
    outside the job's long transaction. When the process dies the heartbeat stops with it.
    """

    def __init__(self, job_id, attempt):
        super().__init__(name=f"codejob-{job_id}-heartbeat", daemon=True)
        self.job_id = job_id
        self.attempt = attempt
        self.progress = 0
        self._done = threading.Event()

    def report(self, percent):
        self.progress = max(self.progress, min(99, int(percent)))

    def run(self):
        try:
            while not self._done.wait(settings.JOB_HEARTBEAT_INTERVAL):
                self.beat()
        finally:
            connection.close()

    def beat(self):
        # SKIP LOCKED: while the job's own transaction holds the row (only in its last
        # moment, when it writes the result) this beat is skipped instead of waiting.
        mine = (
            CodeJob.objects.filter(
                pk=self.job_id, attempts=self.attempt, status=CodeJob.Status.RUNNING
            )
            .select_for_update(skip_locked=True)
            .values("pk")
        )
        try:
            with transaction.atomic():
                CodeJob.objects.filter(pk__in=mine).update(
                    heartbeat=timezone.now(), progress=self.progress
                )
        except DatabaseError as exc:  # try again at the next beat
            log.warning("Heartbeat of code job %s failed: %s", self.job_id, exc)
            connection.close()

    def stop(self):
        self._done.set()
        self.join(timeout=10)


def recover_jobs():
    """Beat: restart or fail running jobs whose worker died; hand queued jobs that no worker
    took over again. Returns ``{"restarted": n, "failed": n, "handed_over": n}``."""
    now = timezone.now()
    silent_since = now - timedelta(seconds=settings.JOB_STALE_AFTER)
    silent = Q(heartbeat__lt=silent_since) | Q(heartbeat__isnull=True, created__lt=silent_since)
    counts = {"restarted": 0, "failed": 0, "handed_over": 0}
    to_dispatch = []
    for job in CodeJob.objects.filter(silent, status=CodeJob.Status.RUNNING):
        this_run = CodeJob.objects.filter(silent, pk=job.pk, attempts=job.attempts).filter(
            status=CodeJob.Status.RUNNING
        )
        if job.attempts >= settings.JOB_MAX_ATTEMPTS:
            if this_run.update(
                status=CodeJob.Status.FAILED,
                finished=now,
                error=_(
                    "The worker running this job stopped before it finished (%(attempts)s "
                    "attempts; for example it ran out of memory or was restarted). Nothing "
                    "was written. Please start the job again, perhaps with fewer codes."
                )
                % {"attempts": job.attempts},
            ):
                counts["failed"] += 1
                log.warning("Code job %s failed after %s interrupted runs", job.pk, job.attempts)
        elif this_run.update(status=CodeJob.Status.QUEUED, heartbeat=now, progress=0):
            counts["restarted"] += 1
            to_dispatch.append(job.pk)
            log.warning("Code job %s: worker lost in attempt %s; restarting", job.pk, job.attempts)
    for job in CodeJob.objects.filter(silent, status=CodeJob.Status.QUEUED):
        if CodeJob.objects.filter(
            pk=job.pk, status=CodeJob.Status.QUEUED, heartbeat=job.heartbeat
        ).update(heartbeat=now):
            counts["handed_over"] += 1
            to_dispatch.append(job.pk)
    for job_id in to_dispatch:
        _dispatch(job_id)
    return counts
