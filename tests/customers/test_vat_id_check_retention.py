"""VIES checks (``customers.VatIdCheck``) are the tax proof of the invoices without VAT, kept
as long as those invoices. A confirmation is reused for VIES_CACHE_HOURS, so a check made in
late December may prove an order of early January, whose invoice is kept a year longer: the
retention keeps a check while an invoice (or a not yet invoiced order) of its VAT ID, placed
within that window after it, is kept — and deletes the others past the invoices' period."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from customers.models import VatIdCheck
from customers.personal_data import delete_vat_id_checks
from orders.models import Invoice, Order
from orders.services import create_invoice
from shop import retention

pytestmark = pytest.mark.django_db

VAT_ID = "ATU13585627"
OTHER_VAT_ID = "ATU12011204"
VIENNA = {
    "first_name": "Anna",
    "last_name": "Huber",
    "company": "Anna Huber Handel e.U.",
    "street": "Graben 1",
    "postcode": "1010",
    "city": "Wien",
    "country": "AT",
}
# A run in mid-2026: the invoices' cutoff is 1 January of some year (8 years in Germany).
NOW = timezone.make_aware(datetime(2026, 6, 1, 3, 0))
RULE = "VIES checks of VAT IDs"


@pytest.fixture
def cutoff():
    limit = retention.cutoff(retention.INVOICES, NOW)
    assert (timezone.localtime(limit).month, timezone.localtime(limit).day) == (1, 1)
    return limit


def check_at(moment, vat_id=VAT_ID):
    return VatIdCheck.objects.create(
        vat_id=vat_id, checked_at=moment, result=VatIdCheck.Result.CONFIRMED, name="Anna Huber"
    )


@pytest.fixture
def order_at(make_order):
    """An order of ``vat_id`` placed at ``placed``, invoiced at ``invoiced`` (None: not)."""

    def make(placed, invoiced=None, vat_id=VAT_ID):
        order = make_order(email="anna@example.com", billing=dict(VIENNA), vat_id=vat_id)
        Order.objects.filter(pk=order.pk).update(created=placed)
        order.refresh_from_db()
        if invoiced is not None:
            invoice = create_invoice(order)
            Invoice.objects.filter(pk=invoice.pk).update(created=invoiced, order_date=placed)
        return order

    return make


def kept():
    return set(VatIdCheck.objects.values_list("pk", flat=True))


def test_a_december_check_proving_a_january_order_is_kept_by_the_run_between_them(
    settings, cutoff, order_at
):
    settings.VIES_CACHE_HOURS = 24 * 6  # a shop reusing a confirmation for six days
    december_28 = check_at(cutoff - timedelta(days=3, hours=14))
    order_at(cutoff + timedelta(days=1, hours=9), invoiced=cutoff + timedelta(days=3))
    unrelated = check_at(cutoff - timedelta(days=200), vat_id=OTHER_VAT_ID)

    assert delete_vat_id_checks(cutoff, dry_run=True) == 1
    assert delete_vat_id_checks(cutoff) == 1
    assert kept() == {december_28.pk}
    assert not VatIdCheck.objects.filter(pk=unrelated.pk).exists()


def test_the_default_window_keeps_a_new_years_eve_check_of_a_new_years_day_order(cutoff, order_at):
    new_years_eve = check_at(cutoff - timedelta(hours=4))
    order_at(cutoff + timedelta(hours=9), invoiced=cutoff + timedelta(days=2))
    assert delete_vat_id_checks(cutoff) == 0
    assert kept() == {new_years_eve.pk}


def test_an_order_outside_the_reuse_window_keeps_no_old_check(cutoff, order_at):
    """With VIES_CACHE_HOURS 24, an order of 2 January was proven by a check of that day: a
    check of the same VAT ID a week earlier is not its proof."""
    week_before = check_at(cutoff - timedelta(days=5))
    own = check_at(cutoff + timedelta(days=1, hours=8))
    order_at(cutoff + timedelta(days=1, hours=9), invoiced=cutoff + timedelta(days=3))
    assert delete_vat_id_checks(cutoff) == 1
    assert kept() == {own.pk}
    assert not VatIdCheck.objects.filter(pk=week_before.pk).exists()


def test_a_december_order_invoiced_in_january_keeps_its_check(cutoff, order_at):
    check = check_at(cutoff - timedelta(days=1, hours=3))
    order_at(cutoff - timedelta(days=1, hours=2), invoiced=cutoff + timedelta(days=4))
    assert delete_vat_id_checks(cutoff) == 0
    assert kept() == {check.pk}


def test_a_check_whose_invoice_is_past_its_period_is_deleted(cutoff, order_at):
    check_at(cutoff - timedelta(days=10))
    order_at(cutoff - timedelta(days=10) + timedelta(hours=1), invoiced=cutoff - timedelta(days=9))
    assert delete_vat_id_checks(cutoff) == 1
    assert not VatIdCheck.objects.exists()


def test_a_january_order_not_invoiced_yet_keeps_its_december_check(cutoff, order_at):
    check = check_at(cutoff - timedelta(hours=2))
    order_at(cutoff + timedelta(hours=3))
    assert delete_vat_id_checks(cutoff) == 0
    assert kept() == {check.pk}


def test_the_invoices_copy_keeps_the_check_of_an_erased_order(cutoff, order_at):
    """An erasure takes the VAT ID out of the order (orders.erasure); the invoice keeps its
    own copy, and with it the check it rests on."""
    check = check_at(cutoff - timedelta(hours=2))
    order = order_at(cutoff + timedelta(hours=3), invoiced=cutoff + timedelta(days=1))
    Order.objects.filter(pk=order.pk).update(billing_vat_id="Deleted")
    assert delete_vat_id_checks(cutoff) == 0
    assert kept() == {check.pk}


def test_the_retention_run_keeps_the_proof_and_a_dry_run_changes_nothing(
    settings, cutoff, order_at
):
    settings.VIES_CACHE_HOURS = 24 * 6
    december_28 = check_at(cutoff - timedelta(days=3, hours=14))
    order_at(cutoff + timedelta(days=1, hours=9), invoiced=cutoff + timedelta(days=3))
    unrelated = check_at(cutoff - timedelta(days=200), vat_id=OTHER_VAT_ID)
    recent = check_at(NOW - timedelta(days=1), vat_id=OTHER_VAT_ID)
    before = kept()

    record, results = retention.run(dry_run=True, now=NOW)
    assert record is None
    (result,) = [r for r in results if r["rule"] == RULE]
    assert result["count"] == 1 and not result["error"]
    assert kept() == before  # the dry run changed nothing

    record, results = retention.run(now=NOW)
    (result,) = [r for r in results if r["rule"] == RULE]
    assert result["count"] == 1 and not result["error"]
    assert kept() == {december_28.pk, recent.pk}
    assert not VatIdCheck.objects.filter(pk=unrelated.pk).exists()
