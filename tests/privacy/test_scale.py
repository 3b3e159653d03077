"""`seed_scale --access-log N`: a hash-chained log spread over past months, loaded month by
month into partitions that get the log's indexes and guards (the bench's data set)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from privacy import benchmarks, services
from privacy.models import AccessLogEntry, AccessLogHead
from privacy.services.retention import month_start

pytestmark = pytest.mark.django_db


def _partition_facts(name):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [name])
        indexes = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
            [name],
        )
        triggers = {row[0] for row in cursor.fetchall()}
    return indexes, triggers


def test_seed_scale_writes_a_verifiable_chain_into_monthly_partitions(
    monkeypatch, product, shipping, staff
):
    monkeypatch.setattr(benchmarks, "PER_DAY", 60)  # 3,000 entries over 50 days
    out = StringIO()
    call_command("seed_scale", "--access-log", "3000", stdout=out)

    assert "access log: 3,000 entries" in out.getvalue()
    result = services.verify_chain()
    assert result.ok and result.checked == 3000
    head = AccessLogHead.objects.get()
    newest = AccessLogEntry.objects.order_by("-id").first()
    assert (head.last_id, head.last_hash) == (newest.pk, newest.hash)

    oldest = AccessLogEntry.objects.order_by("id").first()
    assert oldest.time < timezone.now() - timedelta(days=30)  # spread over past months
    name = f"privacy_accesslogentry_p{month_start(oldest.time):%Y_%m}"
    indexes, triggers = _partition_facts(name)
    assert any("gin (subjects)" in sql for sql in indexes)
    assert {"privacy_no_truncate", "privacy_accesslogentry_append_only"} <= triggers
    with pytest.raises(DatabaseError, match="DELETE refused"), transaction.atomic():
        AccessLogEntry.objects.filter(pk=oldest.pk).delete()

    # The app appends on top of it, and a second load goes on after the newest entry.
    services.write_entry(user=staff, action="detail", subjects=["customer:1"])
    call_command("seed_scale", "--access-log", "100", stdout=StringIO())
    result = services.verify_chain()
    assert result.ok and result.checked == 3101
