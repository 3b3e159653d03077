"""Retention for everything (issue 23): a period per category with legal defaults, rules the
apps register, a daily beat task and `apply_retention [--dry-run]`, each run recorded."""

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from helpdesk.models import Thread
from orders.models import Invoice, Order
from orders.services import create_invoice, refund_order
from reviews.models import Review
from shop import retention
from shop.celery import app as celery_app
from shop.models import RetentionPolicy, RetentionRun
from tests.helpdesk.factories import MessageFactory, ThreadFactory
from tests.reviews.factories import ReviewFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=BERLIN)


def _years_ago(years, days=0):
    return timezone.now() - timedelta(days=365 * years + days)


def _age(model, pk, field, when):
    model.objects.filter(pk=pk).update(**{field: when})


@pytest.mark.parametrize(
    ("country", "kept_from"),
    [
        ("DE", datetime(2018, 1, 1, tzinfo=BERLIN)),  # 8 years after the end of the year
        ("DK", datetime(2021, 1, 1, tzinfo=BERLIN)),  # 5 years
        ("PL", datetime(2020, 1, 1, tzinfo=BERLIN)),  # 5 years after the year the tax fell due
    ],
)
def test_the_sellers_country_decides_how_long_invoices_are_kept(country, kept_from):
    policy = RetentionPolicy.load()
    policy.country = country
    policy.save()
    assert retention.cutoff(retention.INVOICES, now=NOW) == kept_from
    # An invoice of the last day before that is past its period; one a day later is not.
    assert retention.expires(retention.INVOICES, kept_from - timedelta(days=1)) <= NOW.date()
    assert retention.expires(retention.INVOICES, kept_from + timedelta(days=1)) > NOW.date()


def test_an_operators_period_replaces_the_legal_default_and_reviews_stay_until_erased():
    policy = RetentionPolicy.load()
    assert str(retention.period(retention.INVOICES, policy)) == "8 years"
    assert retention.cutoff(retention.REVIEWS, now=NOW) is None
    policy.invoice_years, policy.review_years = 12, 4
    policy.save()
    assert retention.cutoff(retention.INVOICES, now=NOW) == datetime(2014, 1, 1, tzinfo=BERLIN)
    assert retention.cutoff(retention.REVIEWS, now=NOW) == NOW.replace(year=2022)


def test_invoiced_orders_are_anonymised_after_the_invoice_period_amounts_stay(make_order, customer):
    old = make_order(customer=customer, email=customer.email)
    old_invoice = create_invoice(old)
    young = make_order(customer=customer, email=customer.email)
    young_invoice = create_invoice(young)
    _age(Invoice, old_invoice.pk, "created", _years_ago(12))
    _age(Order, old.pk, "created", _years_ago(12))
    _age(Invoice, young_invoice.pk, "created", _years_ago(7))
    _age(Order, young.pk, "created", _years_ago(7))

    call_command("apply_retention")

    old_invoice.refresh_from_db()
    old.refresh_from_db()
    assert old_invoice.buyer_email.endswith("@invalid") and old_invoice.buyer_city == ""
    assert old_invoice.grand_total == young_invoice.grand_total  # the amounts stay
    assert old.customer is None and old.email.endswith("@invalid")
    young_invoice.refresh_from_db()
    assert young_invoice.buyer_email == customer.email
    assert Order.objects.get(pk=young.pk).customer == customer


def test_a_credit_note_keeps_its_invoice_until_its_own_period_ends(make_order, customer):
    order = make_order(customer=customer, email=customer.email)
    invoice = create_invoice(order)
    refund_order(order, reason="broken")
    _age(Invoice, invoice.pk, "created", _years_ago(12))
    invoice.refresh_from_db()
    assert retention.run()[1]  # the credit note is from today
    invoice.refresh_from_db()
    assert invoice.buyer_email == customer.email


def test_guest_orders_lose_their_personal_data_while_the_invoice_keeps_the_buyer(make_order):
    guest = make_order(email="gast@example.com")
    invoice = create_invoice(guest)
    recent_guest = make_order(email="neu@example.com")
    _age(Order, guest.pk, "created", _years_ago(3))

    call_command("apply_retention")

    guest.refresh_from_db()
    assert guest.email.endswith("@invalid") and guest.billing_street != "Musterstraße 1"
    invoice.refresh_from_db()
    assert invoice.buyer_email == "gast@example.com"  # accounting keeps it for 8 years
    assert Order.objects.get(pk=recent_guest.pk).email == "neu@example.com"


def test_withdrawal_statements_follow_their_order_and_unmatched_ones_have_a_period(make_order):
    from orders.aftersales import Withdrawal
    from orders.services.withdrawals import record_withdrawal

    guest = make_order(email="gast@example.com")
    statement = record_withdrawal(
        name="Gerda Gast",
        email="gast@example.com",
        order_number=guest.number,
        reason="Gerda Gast changed her mind",
        order=guest,
    )
    stranger = record_withdrawal(
        name="Sam Fremd", email="sam@example.com", order_number="999999", reason="Sam here"
    )
    recent = record_withdrawal(name="Neu Kunde", email="neu@example.com", order_number="1")
    assert stranger.order is None and recent.order is None
    _age(Order, guest.pk, "created", _years_ago(3))
    _age(Withdrawal, stranger.pk, "received_at", _years_ago(3))

    call_command("apply_retention")

    for withdrawal in (statement, stranger):
        withdrawal.refresh_from_db()
        assert withdrawal.email.endswith("@invalid") and withdrawal.name != "Gerda Gast"
        assert "Gast" not in withdrawal.reason and "Sam" not in withdrawal.reason
    assert statement.order_id == guest.pk  # what was withdrawn, and when, stays
    recent.refresh_from_db()
    assert recent.email == "neu@example.com"


def test_orders_without_invoice_are_anonymised_after_the_limitation_period(make_order, customer):
    stale = make_order(customer=customer, email=customer.email)
    _age(Order, stale.pk, "created", _years_ago(5))
    call_command("apply_retention")
    stale.refresh_from_db()
    assert stale.customer is None and stale.email.endswith("@invalid")


def test_closed_threads_are_deleted_after_the_period_open_ones_stay():
    closed = MessageFactory(thread=ThreadFactory(status=Thread.Status.CLOSED)).thread
    open_ = MessageFactory(thread=ThreadFactory(status=Thread.Status.REPORTED)).thread
    recent = ThreadFactory(status=Thread.Status.CLOSED)
    for thread in (closed, open_):
        _age(Thread, thread.pk, "updated", _years_ago(4))
    call_command("apply_retention")
    assert not Thread.objects.filter(pk=closed.pk).exists()
    assert set(Thread.objects.values_list("pk", flat=True)) == {open_.pk, recent.pk}


def test_reviews_are_kept_until_erased_unless_a_period_is_set():
    review = ReviewFactory(author_name="Jan Kowalski", text="Jan Kowalski likes it")
    _age(Review, review.pk, "created", _years_ago(20))
    call_command("apply_retention")
    review.refresh_from_db()
    assert review.author_name == "Jan Kowalski"

    policy = RetentionPolicy.load()
    policy.review_years = 5
    policy.save()
    call_command("apply_retention")
    review.refresh_from_db()
    assert review.author_name != "Jan Kowalski" and review.email.endswith("@invalid")
    assert "Kowalski" not in review.text and review.rating == 4


def test_dry_run_prints_what_would_happen_and_changes_nothing(make_order, capsys):
    guest = make_order(email="gast@example.com")
    _age(Order, guest.pk, "created", _years_ago(3))
    runs = RetentionRun.objects.count()
    call_command("apply_retention", "--dry-run")
    out = capsys.readouterr().out
    assert "Guest data · guest orders: 1 would be anonymised" in out
    assert "Reviews · review authors: kept (until erased)" in out
    assert Order.objects.get(pk=guest.pk).email == "gast@example.com"
    assert RetentionRun.objects.count() == runs


def test_each_run_is_recorded_and_written_to_the_application_log(make_order, caplog):
    from shop.tasks import apply_retention

    guest = make_order(email="gast@example.com")
    _age(Order, guest.pk, "created", _years_ago(3))
    with caplog.at_level(logging.INFO, logger="shop.retention"):
        result = apply_retention()
    run = RetentionRun.objects.get(pk=result["run"])
    assert run.ok and run.trigger == "beat" and run.total == 1
    guest_rule = next(r for r in run.results if r["rule"] == "guest orders")
    assert guest_rule["count"] == 1 and guest_rule["action"] == "anonymise"
    assert {r["category"] for r in run.results} == set(retention.CATEGORIES)
    assert "guest orders (guest_data, 2 years): 1 anonymise" in caplog.text


def test_a_failing_rule_is_recorded_and_the_others_still_run(make_order, capsys):
    def broken(cutoff, dry_run):
        raise RuntimeError("disk full")

    guest = make_order(email="gast@example.com")
    _age(Order, guest.pk, "created", _years_ago(3))
    retention.register("broken test rule", retention.THREADS, apply=broken, action="delete")
    try:
        with pytest.raises(CommandError, match="Some retention rules failed"):
            call_command("apply_retention")
    finally:
        retention._rules.pop("broken test rule")
    run = RetentionRun.objects.latest("started")
    assert not run.ok
    assert next(r for r in run.results if r["rule"] == "broken test rule")["error"]
    assert Order.objects.get(pk=guest.pk).email.endswith("@invalid")


def test_every_category_has_a_rule_and_beat_applies_them_daily():
    assert {r.category for r in retention.rules()} == set(retention.CATEGORIES)
    schedule = celery_app.conf.beat_schedule["apply-retention"]
    assert schedule["task"] == "shop.tasks.apply_retention"
    assert schedule["schedule"].hour == {3}


def test_the_policy_page_shows_the_periods_and_the_law(admin_client):
    response = admin_client.get("/backoffice/shop/retentionpolicy/", follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "§ 147 AO" in html and "8 years" in html and "until erased" in html
    response = admin_client.post(
        response.redirect_chain[-1][0],
        {"country": "PL", "order_years": 3, "guest_years": 2, "thread_years": 3},
    )
    assert response.status_code == 302
    assert str(retention.period(retention.INVOICES)) == "5 years"
