"""Issue 23: a log nobody can quietly shorten — TRUNCATE refused everywhere, no purge flag,
a guarded head, retention by whole months, the daily digest as a witness, least privilege."""

import logging
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from privacy import services
from privacy.models import AccessLogAnchor, AccessLogEntry, AccessLogHead
from shop.db import grant_app_role, table
from shop.models import OutboxEmail

pytestmark = pytest.mark.django_db

ENTRY, HEAD, ANCHOR = table(AccessLogEntry), table(AccessLogHead), table(AccessLogAnchor)


def _partitions():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass ORDER BY 1",
            [AccessLogEntry._meta.db_table],
        )
        return [row[0] for row in cursor.fetchall()]


def _execute(sql, params=None):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks in the way
        cursor.execute(sql, params)


def _write_at(monkeypatch, when, n=1):
    monkeypatch.setattr(timezone, "now", lambda: when)
    ids = [services.write_entry(username="clerk@example.com", action="list") for _ in range(n)]
    monkeypatch.undo()
    return ids


# --- hole 1: TRUNCATE -------------------------------------------------------------------------


def test_truncate_of_every_log_table_and_partition_is_refused(staff):
    services.write_entry(user=staff, action="detail", subjects=["customer:1"])
    tables = [ENTRY, HEAD, ANCHOR, f"{ENTRY}, {HEAD}"] + _partitions()
    for name in tables:
        with pytest.raises(DatabaseError, match="append-only, TRUNCATE refused"):
            _execute(f"TRUNCATE {name}")
    assert AccessLogEntry.objects.count() == 1
    assert services.verify_chain().ok and services.verify_chain().checked == 1


def test_the_head_row_only_moves_forward_and_is_never_deleted(staff):
    first = services.write_entry(user=staff, action="list")
    services.write_entry(user=staff, action="list")
    before = AccessLogHead.objects.values().get()
    previous = AccessLogEntry.objects.get(pk=first)
    with pytest.raises(DatabaseError, match="only moves forward"):  # rewind to the first
        _execute(
            f"UPDATE {HEAD} SET last_id = %s, last_hash = %s, last_time = %s",
            [previous.pk, previous.hash, previous.time],
        )
    with pytest.raises(DatabaseError, match="only moves forward"):
        _execute(f"UPDATE {HEAD} SET last_hash = prev_hash")
    with pytest.raises(DatabaseError, match="DELETE refused"):
        _execute(f"DELETE FROM {HEAD}")
    with pytest.raises(DatabaseError):  # a second, forged head
        _execute(f"INSERT INTO {HEAD} VALUES (2, 'a', 'b', 5, now())")
    assert AccessLogHead.objects.values().get() == before


# --- hole 2: the purge flag -------------------------------------------------------------------


def test_setting_the_old_purge_flag_deletes_nothing(staff):
    ids = [services.write_entry(user=staff, action="list") for _ in range(3)]
    for statement in (
        f"DELETE FROM {ENTRY} WHERE id = %s",
        f"UPDATE {ENTRY} SET note = 'x' WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('privacy.purge', 'on', true)")
                cursor.execute(statement, [ids[-1]])
    assert AccessLogEntry.objects.count() == 3


def test_entry_times_never_go_back_so_months_agree_with_the_chain(monkeypatch, staff):
    later = services.write_entry(user=staff, action="list")
    earlier_clock = _write_at(monkeypatch, timezone.now() - timedelta(days=40))[0]
    a, b = AccessLogEntry.objects.get(pk=later), AccessLogEntry.objects.get(pk=earlier_clock)
    assert b.pk > a.pk and b.time == a.time  # the clock went back: the entry keeps up
    assert services.verify_chain().ok


def test_retention_drops_whole_months_and_records_the_anchor(monkeypatch, settings, staff):
    settings.ACCESS_LOG_RETENTION_DAYS = 30  # a purge may only keep more than this
    services.set_retention_floor(30)
    now = timezone.now()
    old = _write_at(monkeypatch, now - timedelta(days=120), 2)
    middle = _write_at(monkeypatch, now - timedelta(days=45), 2)
    recent = services.write_entry(user=staff, action="detail")
    services.ensure_partitions()  # the old months leave the default partition
    old_month = services.retention.month_start(now - timedelta(days=120))
    partition = f"privacy_accesslogentry_p{old_month:%Y_%m}"
    assert partition in _partitions()

    dry = services.purge_access_log(60, dry_run=True)
    assert dry.purged == 2 and partition in _partitions()

    result = services.purge_access_log(60)
    assert result.purged == 2
    assert partition not in _partitions()  # detached and dropped, not deleted row by row
    assert not AccessLogEntry.objects.filter(pk__in=old).exists()
    assert AccessLogEntry.objects.filter(pk__in=[*middle, recent]).count() == 3
    anchor = AccessLogAnchor.objects.get()
    assert (anchor.last_purged_id, anchor.purged) == (old[-1], 2)
    assert anchor.cutoff <= now - timedelta(days=60)
    verified = services.verify_chain()
    assert verified.ok and verified.checked == 4  # 3 kept + the purge's own entry


def test_the_database_refuses_to_purge_younger_entries_than_its_floor(monkeypatch, settings, staff):
    # The setting was lowered since the last migrate: the floor of the database still holds.
    settings.ACCESS_LOG_RETENTION_DAYS = 30
    services.set_retention_floor(400)
    ids = _write_at(monkeypatch, timezone.now() - timedelta(days=200), 2)
    services.ensure_partitions()
    with pytest.raises(CommandError, match="at least 400 days"):
        call_command("purge_access_log", "--days", "100")
    with pytest.raises(DatabaseError, match="kept for at least"), transaction.atomic():
        with connection.cursor() as cursor:  # straight to the function: the same answer
            cursor.execute("SELECT * FROM privacy_accesslog_purge(now(), false)")
    assert AccessLogEntry.objects.filter(pk__in=ids).count() == 2
    assert not AccessLogAnchor.objects.exists()


def test_partitions_of_the_coming_months_exist_after_maintenance(staff):
    services.ensure_partitions(3)
    month = services.retention.month_start(timezone.now())
    names = _partitions()
    for _ in range(4):
        assert f"privacy_accesslogentry_p{month:%Y_%m}" in names
        month = services.retention.month_start(month + timedelta(days=32))
    assert "privacy_accesslogentry_default" in names


# --- the witness: the daily digest ------------------------------------------------------------


def test_daily_digest_goes_to_the_dpo_and_the_application_log(settings, staff, caplog):
    from privacy.tasks import maintain_access_log

    settings.DATA_PROTECTION_EMAIL = "dpo@example.com"
    last = services.write_entry(user=staff, action="detail", subjects=["customer:7"])
    head = AccessLogHead.objects.get()
    with caplog.at_level(logging.INFO, logger="privacy.access_log"):
        maintain_access_log()
    email = OutboxEmail.objects.get(template="privacy_access_log_digest")
    assert email.to == ["dpo@example.com"]
    assert f"#{last}" in email.body_text and head.last_hash in email.body_text
    assert f"#{last}" in caplog.text and head.last_hash in caplog.text


def test_verify_with_a_digest_proves_the_entry_is_still_in_the_chain(staff, tmp_path, capsys):
    services.write_entry(user=staff, action="list")
    digest = services.head_digest()
    services.write_entry(user=staff, action="detail")
    saved = tmp_path / "digest.txt"
    saved.write_text(f"Newest entry: #{digest.entry_id}\nHash: {digest.hash}\n")

    call_command("verify_access_log", "--digest", digest.hash)
    call_command("verify_access_log", "--digest", str(saved))
    out = capsys.readouterr().out
    assert out.count(f"The chain contains the digest's entry #{digest.entry_id}") == 2
    assert "2 entries verified" in out

    unknown = "ab" * 32
    with pytest.raises(CommandError, match="Digest NOT proven"):
        call_command("verify_access_log", "--digest", unknown)
    with pytest.raises(CommandError, match="neither a hash"):
        call_command("verify_access_log", "--digest", str(tmp_path / "missing.txt"))


def test_a_digest_entry_removed_by_a_superuser_is_caught(staff):
    first = services.write_entry(user=staff, action="list")
    digest = services.head_digest()
    # The worst case: triggers off, the whole log rewritten from scratch after the digest.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(f"DELETE FROM {ENTRY} WHERE id = %s", [first])
        cursor.execute(f"DELETE FROM {HEAD}")
        cursor.execute("SET LOCAL session_replication_role = origin")
    services.write_entry(user=staff, action="list")
    assert services.verify_chain().ok  # a fresh chain on its own looks fine …
    result = services.verify_chain(digest)  # … but yesterday's digest is not in it
    assert not result.ok and "does not contain" in result.message


# --- least privilege --------------------------------------------------------------------------

APP_ROLE = "shop_w23_app_test"


@pytest.fixture
def app_role():
    """A web/worker role as docker-compose sets it up (created in this test's transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {APP_ROLE} NOLOGIN")
    grant_app_role(APP_ROLE)
    return APP_ROLE


@contextmanager
def acting_as(role):
    """SET ROLE for the block (reset even when a statement inside fails)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {role}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def _as(role, sql, params=None):
    with acting_as(role), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def test_the_app_role_cannot_truncate_delete_update_or_insert_the_log(app_role, staff):
    entry = services.write_entry(user=staff, action="detail", subjects=["customer:1"])
    partition = _partitions()[0]
    refused = [
        f"TRUNCATE {ENTRY}",
        f"TRUNCATE {HEAD}",
        f"TRUNCATE {ANCHOR}",
        f"TRUNCATE {partition}",
        f"DELETE FROM {ENTRY} WHERE id = {entry}",
        f"DELETE FROM {partition}",
        f"UPDATE {ENTRY} SET note = 'x' WHERE id = {entry}",
        f"UPDATE {HEAD} SET last_hash = prev_hash",
        f"DELETE FROM {HEAD}",
        f"DELETE FROM {ANCHOR}",
        f"INSERT INTO {ANCHOR} (time, cutoff, last_purged_id, last_purged_hash, purged) "
        "VALUES (now(), now(), 1, 'x', 1)",
        f"INSERT INTO {ENTRY} (id, time, username, action, subjects, path, ip, note, "
        "prev_hash, hash) VALUES (999999, now(), 'x', 'list', '[]', '', '', '', 'x', 'y')",
    ]
    for sql in refused:
        with pytest.raises(DatabaseError, match="permission denied"):
            _as(app_role, sql)
    # What the web and worker processes do is allowed: read, append, purge, maintain.
    assert _as(app_role, f"SELECT count(*) FROM {ENTRY}") == [(1,)]
    with acting_as(app_role):
        appended = services.write_entry(username="web", action="list", subjects=["customer:2"])
        services.ensure_partitions()
        services.purge_access_log(dry_run=True)
    assert AccessLogEntry.objects.filter(pk=appended).exists()
    assert services.verify_chain().ok


def test_the_app_role_keeps_full_rights_on_the_shop_tables(app_role, customer):
    rows = _as(app_role, "UPDATE customers_user SET first_name = 'X' WHERE id = %s", [customer.pk])
    assert rows is None
    customer.refresh_from_db()
    assert customer.first_name == "X"


OWNER_ROLE = "shop_w23_owner_test"


@pytest.mark.django_db(transaction=True)
def test_migrate_connects_as_the_owner_and_grants_the_app_role(settings):
    from io import StringIO

    from django.db.models.signals import post_migrate

    from shop.db import role_name

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {OWNER_ROLE} LOGIN SUPERUSER")
    app_role = role_name()
    seen = []

    def during_migrate(**kwargs):
        seen.append(role_name())

    post_migrate.connect(during_migrate, dispatch_uid="w23-owner-test")
    try:
        settings.MIGRATE_DATABASE = {
            key: connection.settings_dict[key] for key in ("NAME", "HOST", "PORT")
        } | {"USER": OWNER_ROLE, "PASSWORD": ""}
        out = StringIO()
        call_command("migrate", verbosity=1, stdout=out)
    finally:
        post_migrate.disconnect(dispatch_uid="w23-owner-test")
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {OWNER_ROLE}")
            cursor.execute(f"DROP ROLE {OWNER_ROLE}")
    assert seen and set(seen) == {OWNER_ROLE}
    assert f"Granted the web and worker role {app_role} its rights." in out.getvalue()
    assert role_name() == app_role  # the app's own connection afterwards
