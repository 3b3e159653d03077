"""A killed worker never strands a bulk job (issue 19 §2).

The tests with a real worker start ``celery worker`` processes on a private Redis, let an
operator start a job in the backoffice, SIGKILL the worker while the job is inside its
transaction, and check: the progress page stops saying "running" within JOB_STALE_AFTER,
nothing partial exists, beat's recovery restarts the job and it ends with exactly the
requested result — no duplicate code, no customer assigned twice, no e-mail sent twice.
"""

import os
import signal
import threading
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shop.models import OutboxEmail
from tests.factories import ProductFactory, StaffFactory, UserFactory
from tests.processes import (
    celery_on_broker,
    kill_worker,
    private_redis,
    running_worker,
    test_database_url,
    wait_for,
    worker_log,
)
from vouchers import jobs
from vouchers.models import Campaign, Code, CodeJob

from .factories import CampaignFactory, CodeFactory

HEARTBEAT, STALE = 0.2, 2.0


@pytest.fixture
def fast_jobs(settings):
    settings.JOB_HEARTBEAT_INTERVAL = HEARTBEAT
    settings.JOB_STALE_AFTER = STALE
    settings.JOB_MAX_ATTEMPTS = 3
    return {
        "JOB_HEARTBEAT_INTERVAL": str(HEARTBEAT),
        "JOB_STALE_AFTER": str(STALE),
        "JOB_MAX_ATTEMPTS": "3",
    }


def status_json(client, job):
    return client.get(reverse("admin:vouchers_codejob_status", args=[job.pk])).json()


def progress_page(client, job):
    return client.get(job.get_absolute_url()).content.decode()


def generate_params(name="Recovered", count=50, mask="R<NUM:1000>"):
    return {
        "name": name,
        "count": count,
        "mask": mask,
        "kind": "single",
        "discount_type": "percent",
        "discount_value": "10",
    }


# ------------------------------------------------------------------ without a worker


@pytest.mark.django_db
def test_a_running_job_whose_worker_went_silent_is_not_shown_as_running(admin_client, fast_jobs):
    job = CodeJob.objects.create(
        kind="generate",
        params=generate_params(),
        status="running",
        attempts=1,
        progress=52,
        heartbeat=timezone.now() - timedelta(seconds=STALE + 1),
    )
    state = status_json(admin_client, job)
    assert state["running"] is False and state["interrupted"] is True
    assert state["poll"] is True  # beat will restart it: the page keeps watching
    assert "Running" not in state["status_label"] and "Interrupted" in state["status_label"]
    html = progress_page(admin_client, job)
    assert "The worker running this job stopped" in html
    listing = admin_client.get(reverse("admin:vouchers_codejob_changelist")).content.decode()
    assert "Interrupted" in listing
    # A job with a fresh heartbeat is running.
    CodeJob.objects.filter(pk=job.pk).update(heartbeat=timezone.now())
    assert status_json(admin_client, job)["running"] is True


@pytest.mark.django_db
def test_one_status_answer_agrees_with_itself_when_the_job_goes_stale_while_it_is_written(
    fast_jobs, monkeypatch
):
    """The label, "running" and "interrupted" of one answer come from one reading of the
    job's silence: a job crossing JOB_STALE_AFTER between two readings once answered
    "Running" and "interrupted" at the same time (seen in CI under load)."""
    from vouchers.admin.jobs import CodeJobAdmin

    start = timezone.now()
    job = CodeJob.objects.create(
        kind="generate",
        params=generate_params(),
        status="running",
        attempts=1,
        heartbeat=start - timedelta(seconds=STALE - 0.5),
    )
    # Each reading of the clock is a second later: the job goes stale during the answer.
    ticks = iter(start + timedelta(seconds=n) for n in range(100))
    monkeypatch.setattr("vouchers.models.timezone.now", lambda: next(ticks))
    state = CodeJobAdmin.status_data(job)
    assert state["interrupted"] is (not state["running"])
    assert ("Interrupted" in state["status_label"]) is state["interrupted"]
    assert ("Running" in state["status_label"]) is state["running"]


@pytest.mark.django_db
def test_beat_restarts_an_interrupted_job_which_then_completes_exactly(
    admin_client, fast_jobs, django_capture_on_commit_callbacks
):
    job = CodeJob.objects.create(kind="generate", params=generate_params(count=40))
    assert jobs._claim(job.pk) == 1  # attempt 1 started …
    CodeJob.objects.filter(pk=job.pk).update(heartbeat=timezone.now() - timedelta(seconds=60))
    # … and its worker died: nothing was written (the work is one transaction).
    assert not Campaign.objects.filter(name="Recovered").exists()
    with django_capture_on_commit_callbacks(execute=True):
        counts = jobs.recover_jobs()  # tasks run in-process here: attempt 2 runs at once
    assert counts == {"restarted": 1, "failed": 0, "handed_over": 0}
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 2 and job.result == 40
    campaign = Campaign.objects.get(name="Recovered")
    assert job.campaign == campaign and campaign.codes.count() == 40
    assert status_json(admin_client, job)["status_label"] == "Done"


@pytest.mark.django_db
def test_after_the_last_attempt_the_job_fails_with_a_reason_the_operator_sees(
    admin_client, fast_jobs
):
    job = CodeJob.objects.create(
        kind="generate",
        params=generate_params(),
        status="running",
        attempts=3,
        heartbeat=timezone.now() - timedelta(seconds=60),
    )
    assert jobs.recover_jobs() == {"restarted": 0, "failed": 1, "handed_over": 0}
    job.refresh_from_db()
    assert job.status == "failed" and job.finished is not None
    state = status_json(admin_client, job)
    assert state["running"] is False and state["poll"] is False
    assert (
        "stopped before it finished" in state["error"] and "Nothing was written" in (state["error"])
    )
    assert "Nothing was written" in progress_page(admin_client, job)


@pytest.mark.django_db
def test_a_queued_job_no_worker_took_is_handed_over_again(fast_jobs):
    job = CodeJob.objects.create(
        kind="generate", params=generate_params(), heartbeat=timezone.now() - timedelta(hours=1)
    )
    counts = jobs.recover_jobs()  # in-process: the hand-over runs it
    assert counts["handed_over"] == 1
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 1


@pytest.mark.django_db
def test_a_run_that_lost_the_job_to_a_newer_attempt_cannot_finish_it(fast_jobs):
    job = CodeJob.objects.create(kind="generate", params=generate_params())
    assert jobs._claim(job.pk) == 1
    # Presumed dead, restarted, and taken by attempt 2 …
    CodeJob.objects.filter(pk=job.pk).update(attempts=2)
    # … when attempt 1 wakes up and tries to finish: refused, nothing overwritten.
    with pytest.raises(jobs.Superseded):
        jobs._finish(job.pk, 1, status="done", result=1)
    job.refresh_from_db()
    assert job.status == "running" and job.result is None


@pytest.mark.django_db
def test_a_redelivered_message_of_a_finished_job_does_nothing(fast_jobs):
    job = CodeJob.objects.create(kind="generate", params=generate_params(count=5))
    assert jobs.run_job(job.pk) == "done"
    assert jobs.run_job(job.pk) is None  # e.g. the broker redelivers after a restart
    assert Code.objects.count() == 5


@pytest.mark.django_db
def test_the_heartbeat_writes_progress_and_time_to_the_job_row(fast_jobs):
    job = CodeJob.objects.create(kind="generate", params=generate_params(), status="running")
    CodeJob.objects.filter(pk=job.pk).update(attempts=1, heartbeat=None)
    beat = jobs.Heartbeat(job.pk, 1)
    beat.report(64)
    beat.beat()
    job.refresh_from_db()
    assert job.progress == 64 and job.heartbeat is not None
    beat.report(100)
    beat.beat()
    job.refresh_from_db()
    assert job.progress == 99  # 100 only with the committed result


# ------------------------------------------------------------------ with real workers


class TableLock:
    """Holds a lock on a table from another connection, so a worker's job blocks inside its
    transaction (a point where the test can kill it) until the lock is released."""

    def __init__(self, model, mode):
        self.conn = psycopg.connect(test_database_url())
        self.conn.execute(f'LOCK TABLE "{model._meta.db_table}" IN {mode} MODE')

    def release(self):
        self.conn.rollback()
        self.conn.close()


def pool_children(proc):
    path = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    return [int(pid) for pid in path.read_text().split()] if path.exists() else []


@pytest.fixture
def staff_client(db):
    client = Client()
    client.force_login(StaffFactory(is_superuser=True))
    return client


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_generation_job_killed_mid_run_is_restarted_and_ends_with_exactly_the_codes(
    settings, tmp_path, fast_jobs, staff_client
):
    count = 12_000
    with (
        private_redis() as redis_server,
        celery_on_broker(redis_server.url(), settings),
        running_worker(redis_server.url(), tmp_path, name="first", env=fast_jobs) as worker,
    ):
        lock = TableLock(Code, "SHARE")  # the COPY of the codes waits for it
        try:
            response = staff_client.post(
                reverse("admin:vouchers_campaign_generate"),
                {
                    "name": "Big campaign",
                    "kind": "single",
                    "count": str(count),
                    "discount_type": "percent",
                    "discount_value": "10",
                    "mask": "BIG<NUM:100000>",
                },
            )
            job = CodeJob.objects.get()
            assert response["Location"] == job.get_absolute_url()
            # The worker took it and is writing the codes (its heartbeat says so).
            wait_for(
                lambda: status_json(staff_client, job)["progress"] >= 30,
                60,
                message=f"the job to run\n{worker_log(worker)[-3000:]}",
            )
            assert status_json(staff_client, job)["running"] is True
            kill_worker(worker)  # OOM killer, deploy, lost node
        finally:
            lock.release()
        # Within JOB_STALE_AFTER the page stops saying "running".
        state = wait_for(
            lambda: (s := status_json(staff_client, job))["interrupted"] and s,
            STALE + 5,
            message="the page to show the job interrupted",
        )
        assert state["running"] is False and "Running" not in state["status_label"]
        assert not Campaign.objects.filter(name="Big campaign").exists()  # nothing partial
        assert not Code.objects.exists()

        assert jobs.recover_jobs()["restarted"] == 1  # what beat does every 15 s
        with running_worker(redis_server.url(), tmp_path, name="second", env=fast_jobs) as second:
            wait_for(
                lambda: CodeJob.objects.get(pk=job.pk).is_finished,
                90,
                message=f"the restarted job\n{worker_log(second)[-3000:]}",
            )
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert job.attempts == 2 and job.result == count
    campaign = Campaign.objects.get(name="Big campaign")
    texts = list(campaign.codes.values_list("text", flat=True))
    assert len(texts) == len(set(texts)) == count == Code.objects.count()
    assert status_json(staff_client, job)["status_label"] == "Done"


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_assignment_job_whose_pool_process_is_killed_assigns_and_mails_each_customer_once(
    settings, tmp_path, fast_jobs, staff_client, make_order
):
    product = ProductFactory(price=Decimal("40.00"))
    customers = [UserFactory(email=f"loyal{n}@example.com") for n in range(12)]
    for customer in customers:
        make_order({product.pk: 2}, customer=customer)
    campaign = CampaignFactory(kind="assigned", name="Thank you")
    for n in range(20):
        CodeFactory(campaign=campaign, text=f"THANKS{n:03d}")
    OutboxEmail.objects.all().delete()  # the order confirmations are not the subject here

    with (
        private_redis() as redis_server,
        celery_on_broker(redis_server.url(), settings),
        running_worker(
            redis_server.url(), tmp_path, name="prefork", pool="prefork", env=fast_jobs
        ) as worker,
    ):
        # The codes are assigned; the e-mails to queue wait for this lock: the job is killed
        # at the most dangerous point, inside its transaction, just before the commit.
        lock = TableLock(OutboxEmail, "SHARE")
        try:
            response = staff_client.post(
                reverse("admin:vouchers_campaign_assign"),
                {"campaign": campaign.pk, "min_orders": "1", "notify": "on", "assign": "1"},
            )
            job = CodeJob.objects.get()
            assert response["Location"] == job.get_absolute_url()
            wait_for(
                lambda: status_json(staff_client, job)["progress"] >= 80,
                60,
                message=f"the job to assign\n{worker_log(worker)[-3000:]}",
            )
            children = pool_children(worker)
            assert children, "a prefork worker has a pool process"
            for pid in children:
                os.kill(pid, signal.SIGKILL)  # only the pool process: Celery acks the task
        finally:
            lock.release()
        wait_for(
            lambda: status_json(staff_client, job)["interrupted"],
            STALE + 5,
            message="the page to show the job interrupted",
        )
        assert not Code.objects.filter(assigned_to__isnull=False).exists()
        assert not OutboxEmail.objects.exists()

        assert jobs.recover_jobs()["restarted"] == 1
        wait_for(
            lambda: CodeJob.objects.get(pk=job.pk).is_finished,
            90,
            message=f"the restarted job\n{worker_log(worker)[-3000:]}",
        )
        wait_for(
            lambda: not OutboxEmail.objects.exclude(status=OutboxEmail.Status.SENT).exists(),
            60,
            message="the e-mails sent",
        )
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert job.attempts == 2 and job.result == len(customers)
    for customer in customers:
        assert campaign.codes.filter(assigned_to=customer).count() == 1
    emails = list(OutboxEmail.objects.filter(template="voucher_assigned"))
    assert sorted(e.to[0] for e in emails) == sorted(c.email for c in customers)
    for email in emails:
        assert email.attempts == 1
        assert len(list((tmp_path / "mail").glob(f"*-{email.pk}.eml"))) == 1


@pytest.mark.django_db(transaction=True)
def test_a_heartbeat_never_waits_for_the_row_lock_of_the_jobs_own_transaction(fast_jobs):
    job = CodeJob.objects.create(kind="generate", params=generate_params(), status="running")
    CodeJob.objects.filter(pk=job.pk).update(attempts=1, heartbeat=None)
    holder = psycopg.connect(test_database_url())
    try:  # the job's transaction writing its result holds the row
        holder.execute(
            f'SELECT 1 FROM "{CodeJob._meta.db_table}" WHERE id = %s FOR UPDATE', [job.pk]
        )
        finished = threading.Event()
        beat = jobs.Heartbeat(job.pk, 1)
        worker = threading.Thread(target=lambda: (beat.beat(), finished.set()))
        worker.start()
        assert finished.wait(5), "the heartbeat waited for the lock"
        worker.join()
    finally:
        holder.rollback()
        holder.close()
    job.refresh_from_db()
    assert job.heartbeat is None  # skipped this time …
    beat.beat()
    job.refresh_from_db()
    assert job.heartbeat is not None  # … and written at the next beat
