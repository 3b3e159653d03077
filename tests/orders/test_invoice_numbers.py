"""Gapless invoice numbers per year, also under concurrent creation (PostgreSQL)."""

import pytest
from django.utils import timezone

from orders import services
from orders.models import Invoice, InvoiceCounter
from orders.services import OrderError
from tests.race import run_concurrently


@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_invoices_get_numbers_one_to_eight(make_order):
    orders = [make_order() for _ in range(8)]
    outcomes = run_concurrently(lambda i: services.create_invoice(orders[i]), len(orders))
    assert [o for o in outcomes if not isinstance(o, Invoice)] == []
    year = timezone.localdate().year
    sequences = sorted(Invoice.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, 9))
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [
        f"{year}-{n:06d}" for n in range(1, 9)
    ]
    assert InvoiceCounter.objects.get(year=year).last_number == 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_invoice_of_one_order_creates_one(make_order):
    order = make_order()

    def invoice(_):
        try:
            services.create_invoice(order)
            return "ok"
        except OrderError:
            return "refused"

    outcomes = run_concurrently(invoice, 4)
    assert sorted(outcomes, key=str) == ["ok", "refused", "refused", "refused"]
    assert Invoice.objects.count() == 1
    assert InvoiceCounter.objects.get().last_number == 1  # refused attempts used no number


@pytest.mark.django_db
def test_a_rolled_back_invoice_leaves_no_gap(make_order, monkeypatch):
    first, second = make_order(), make_order()

    def fail(*args, **kwargs):
        raise RuntimeError("capture failed")

    monkeypatch.setattr(services.lifecycle, "_set_paid", fail)
    with pytest.raises(RuntimeError):
        services.create_invoice(first)
    monkeypatch.undo()
    invoice = services.create_invoice(second)
    assert invoice.sequence == 1
    assert not Invoice.objects.filter(order=first).exists()


@pytest.mark.django_db
def test_numbers_restart_each_year(make_order):
    year = timezone.localdate().year
    InvoiceCounter.objects.create(year=year - 1, last_number=41)
    invoice = services.create_invoice(make_order())
    assert invoice.number == f"{year}-000001"
    assert InvoiceCounter.objects.get(year=year - 1).last_number == 41
