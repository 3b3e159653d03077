"""A dry run of the retention policy reports what the real run would do: a record an earlier
rule of the same run handles is not counted again by a later one (an old guest order without
invoice is anonymised once, as "order without invoice", not again as a guest order)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from helpdesk.models import Thread
from orders.models import Order
from shop import retention
from shop.models import RetentionRun
from tests.helpdesk.factories import ThreadFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def _aged(order, year):
    Order.objects.filter(pk=order.pk).update(created=datetime(year, 6, 1, tzinfo=BERLIN))


def _counts(results):
    return {r["rule"]: (r["count"], r["error"]) for r in results}


def test_the_dry_run_counts_a_guest_order_only_once(make_order, capsys):
    now = timezone.now()
    older = make_order(email="gast1@example.com")  # past the limitation period and guest data
    newer = make_order(email="gast2@example.com")  # only past the guest-data period
    _aged(older, now.year - 4)
    _aged(newer, now.year - 2 if now.month > 6 else now.year - 3)

    call_command("apply_retention", "--dry-run")
    out = capsys.readouterr().out
    assert "orders without invoice: 1 would be anonymised" in out
    assert "guest orders: 1 would be anonymised" in out
    assert Order.objects.get(pk=older.pk).email == "gast1@example.com"  # nothing changed

    call_command("apply_retention")
    out = capsys.readouterr().out
    assert "orders without invoice: 1 were anonymised" in out
    assert "guest orders: 1 were anonymised" in out


def test_every_rules_dry_run_count_is_what_the_real_run_does(make_order, settings):
    """The class of the bug: for every registered rule, on data every rule has work in."""
    from axes.models import AccessAttempt

    now = timezone.now()
    for year in (now.year - 5, now.year - 4, now.year - 3):
        _aged(make_order(email=f"gast{year}@example.com"), year)
    thread = ThreadFactory(status=Thread.Status.CLOSED)
    Thread.objects.filter(pk=thread.pk).update(updated=now - timedelta(days=365 * 4))
    attempt = AccessAttempt.objects.create(
        username="x@example.com",
        user_agent="",
        http_accept="",
        path_info="",
        get_data="",
        post_data="",
        failures_since_start=1,
    )
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=now - timedelta(days=90))

    _none, planned = retention.run(dry_run=True)
    assert RetentionRun.objects.count() == 0
    assert Order.objects.filter(email__startswith="gast").count() == 3  # rolled back
    assert Thread.objects.filter(pk=thread.pk).exists()
    _run, done = retention.run()
    assert _counts(planned) == _counts(done)
    assert sum(count for count, _error in _counts(done).values()) >= 5


def test_an_order_with_open_business_waits_for_a_later_run(make_order):
    """A guest order whose refund is still owed kept nothing to pay it back with: retention
    anonymised it, the very case in which an erasure is refused (an audit). It waits until
    the payout is recorded."""
    owed = make_order(email="gast.owed@example.com")
    done = make_order(email="gast.done@example.com")
    long_ago = timezone.now() - timedelta(days=3 * 365)
    Order.objects.filter(pk=owed.pk).update(payment_status="refund_pending", created=long_ago)
    Order.objects.filter(pk=done.pk).update(created=long_ago)
    retention.run(trigger="test")
    assert Order.objects.get(pk=owed.pk).email == "gast.owed@example.com"
    assert Order.objects.get(pk=done.pk).email.endswith("@invalid")
    Order.objects.filter(pk=owed.pk).update(payment_status="refunded")
    retention.run(trigger="test")
    assert Order.objects.get(pk=owed.pk).email.endswith("@invalid")
