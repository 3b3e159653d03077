"""What a partial refund may credit, one rule for the service and the backoffice form: the
units of a line ordered, less those credit notes credited, less those open returns hold
(they are credited by refunding their return). The inverse holds too: a return cannot take
units a credit note has paid back already. The value of the units a return holds stays
reserved for its credit note: an adjustment elsewhere cannot credit it first."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from orders import services
from orders.aftersales import Return
from orders.models import CreditNote, Order
from orders.services import OrderError
from orders.services.refunds import refundable_units
from tests.factories import ProductFactory

from .factories import ship_all

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def lamp(db):
    return ProductFactory(name="Lamp", price=D("30.00"), stock=10)


@pytest.fixture
def delivered(make_order, lamp):
    """3 lamps at 30.00, invoiced (card: paid) and shipped."""
    order = make_order({lamp.pk: 3})
    services.create_invoice(order)
    services.create_shipment(order, ship_all(order))
    return Order.objects.get(pk=order.pk)


def line(order):
    return order.lines.get()


def form_max(admin_client, order):
    page = admin_client.get(reverse("admin:orders_creditnote_new", args=[order.pk]))
    assert page.status_code == 200
    found = re.search(
        rf'name="qty_{line(order).pk}"[^>]*max="(\d+)"', page.content.decode(), flags=re.S
    )
    return int(found.group(1)) if found else 0


def test_units_an_open_return_holds_are_not_refundable_by_a_partial_refund(admin_client, delivered):
    lamp_line = line(delivered)
    assert refundable_units(delivered) == {lamp_line.pk: 3}
    assert form_max(admin_client, delivered) == 3
    ret = services.create_return(delivered, {lamp_line.pk: 2}, "defective")
    # the form offers what the service accepts: 3 ordered − 2 held by the open return
    assert refundable_units(delivered) == {lamp_line.pk: 1}
    assert form_max(admin_client, delivered) == 1
    with pytest.raises(OrderError, match=f"Only 1 × Lamp can be credited here.*{ret.number}"):
        services.create_credit_note(delivered, {lamp_line.pk: 2})
    # sent through the form anyway (the browser's max is no guard): refused, nothing issued
    url = reverse("admin:orders_creditnote_new", args=[delivered.pk])
    page = admin_client.post(url, {f"qty_{lamp_line.pk}": "2", "preview": "1"})
    assert ret.number in page.content.decode() and page.context["plan"] is None
    assert not CreditNote.objects.exists()

    services.create_credit_note(delivered, {lamp_line.pk: 1})
    assert refundable_units(delivered) == {}
    assert form_max(admin_client, delivered) == 0  # the line is no longer offered
    # the return still gets its two units credited, once
    services.refund_return(ret)
    assert Return.objects.get(pk=ret.pk).status == Return.Status.REFUNDED
    assert Order.objects.get(pk=delivered.pk).credited_total == D("90.00")
    assert sorted(note.grand_total for note in CreditNote.objects.all()) == [D("30.00"), D("60.00")]


def test_a_rejected_return_gives_its_units_back_to_the_partial_refund(delivered):
    lamp_line = line(delivered)
    ret = services.create_return(delivered, {lamp_line.pk: 2}, "defective")
    assert refundable_units(delivered) == {lamp_line.pk: 1}
    services.reject_return(ret, "Not ours")
    assert refundable_units(delivered) == {lamp_line.pk: 3}
    services.create_credit_note(delivered, {lamp_line.pk: 3})
    assert Order.objects.get(pk=delivered.pk).credited_total == D("90.00")


def test_a_return_cannot_take_units_a_credit_note_has_refunded(delivered):
    lamp_line = line(delivered)
    services.create_credit_note(delivered, {lamp_line.pk: 2})
    with pytest.raises(OrderError, match="Only 1 × Lamp can be returned"):
        services.create_return(delivered, {lamp_line.pk: 2}, "defective")
    assert not Return.objects.exists()
    ret = services.create_return(delivered, {lamp_line.pk: 1}, "defective")
    services.refund_return(ret)
    assert Order.objects.get(pk=delivered.pk).credited_total == D("90.00")


def test_an_adjustment_cannot_credit_the_money_an_open_return_will_be_refunded_with(delivered):
    """Without a unit of the return's line, an extra credit could use up what is left of the
    invoice: the return could then not be refunded any more."""
    lamp_line = line(delivered)
    ret = services.create_return(delivered, {lamp_line.pk: 2}, "defective")
    left = delivered.grand_total  # 90.00 + shipping, nothing credited yet
    with pytest.raises(OrderError, match=f"kept for the open return \\({ret.number}\\)"):
        services.create_credit_note(
            delivered, adjustment=str(left - D("59.99")), adjustment_text="Goodwill"
        )
    assert not CreditNote.objects.exists()
    # an extra credit that leaves the return its 60.00 is fine, and the return is refunded
    services.create_credit_note(delivered, adjustment="10.00", adjustment_text="Goodwill")
    services.refund_return(ret)
    assert Order.objects.get(pk=delivered.pk).credited_total == D("70.00")


def test_refunding_one_return_leaves_another_open_returns_money_to_it(delivered):
    lamp_line = line(delivered)
    first = services.create_return(delivered, {lamp_line.pk: 1}, "defective")
    second = services.create_return(delivered, {lamp_line.pk: 1}, "other")
    # the first return's note cannot credit what the second one will be refunded with
    too_much = delivered.grand_total - D("59.99")
    with pytest.raises(OrderError, match=f"kept for the open return \\({second.number}\\)"):
        services.refund_return(first, adjustment=str(too_much), adjustment_text="Goodwill")
    assert Return.objects.get(pk=first.pk).status == Return.Status.REQUESTED
    services.refund_return(first)
    services.refund_return(second)
    assert Return.objects.filter(status=Return.Status.REFUNDED).count() == 2
