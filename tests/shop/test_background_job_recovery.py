"""A background job whose worker died (killed, restarted, out of memory) is failed by beat
with a reason and what to do, instead of saying "Running" for ever (an audit: the task is
redelivered, finds the row running and does nothing); a queued job no worker took is handed
to the broker again. A job that is alive beats and is left alone."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from shop import jobs
from shop.celery import app
from shop.models import BackgroundJob

pytestmark = pytest.mark.django_db


def job_of(staff, language="de", **fields):
    job = jobs._create(
        "orders.ship", {"ids": []}, "Ship orders", "orders.change_order", staff, language
    )
    BackgroundJob.objects.filter(pk=job.pk).update(**fields)
    return BackgroundJob.objects.get(pk=job.pk)


def test_a_running_job_whose_worker_died_is_failed_with_a_reason(staff, settings):
    long_ago = timezone.now() - timedelta(seconds=settings.JOB_STALE_AFTER + 5)
    dead = job_of(staff, status=BackgroundJob.Status.RUNNING, heartbeat=long_ago)
    alive = job_of(staff, status=BackgroundJob.Status.RUNNING, heartbeat=timezone.now())
    assert jobs.run(dead.pk) is None  # the redelivered task does nothing
    assert jobs.recover() == {"failed": 1, "handed_over": 0}
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == BackgroundJob.Status.FAILED and dead.finished
    with translation.override("de"):
        assert "stopped before it finished" not in dead.error  # in the starter's language
    assert not jobs.status_data(dead)["running"]
    assert alive.status == BackgroundJob.Status.RUNNING


def test_a_queued_job_nobody_took_is_handed_over_again_and_runs(staff, settings):
    long_ago = timezone.now() - timedelta(seconds=settings.JOB_STALE_AFTER + 5)
    lost = job_of(staff, language="en")
    BackgroundJob.objects.filter(pk=lost.pk).update(created=long_ago)
    counts = jobs.recover()  # CELERY_TASK_ALWAYS_EAGER in the tests: it runs at once
    assert counts["handed_over"] == 1
    lost.refresh_from_db()
    assert lost.status == BackgroundJob.Status.DONE
    assert jobs.recover() == {"failed": 0, "handed_over": 0}


def test_a_finished_job_keeps_no_heartbeat_running_and_beat_recovers_jobs(staff):
    job = job_of(staff, language="en")
    assert jobs.run(job.pk) == BackgroundJob.Status.DONE
    job.refresh_from_db()
    assert job.heartbeat is not None and job.result["summary"]
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "shop.tasks.recover_background_jobs" in tasks
