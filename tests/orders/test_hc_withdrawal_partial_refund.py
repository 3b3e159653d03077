"""A withdrawal settled without its return (issue HC): the plain partial refund — and any
return's refund — that leaves every unit of the order credited while a statement received
in the withdrawal period is on record credits the delivery costs too (Art. 13 CRD,
§ 357 BGB), by the one rule the withdrawal return follows (``withdrawal_shipping_owed``)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from orders import services
from orders.aftersales import Withdrawal
from orders.models import CreditNote, Order
from orders.services import OrderError
from orders.services.refunds import withdrawal_shipping_owed
from orders.services.returns import withdrawal_shipping_due
from tests.factories import ProductFactory

from .factories import ship_all

pytestmark = pytest.mark.django_db
D = Decimal
SHIPPING = D("4.90")  # the checkout_data fixture's shipping method


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def vase(db):
    return ProductFactory(name="Blue vase", price=D("20.00"), stock=10)


@pytest.fixture
def mug(db):
    return ProductFactory(name="Mug", price=D("8.00"), stock=10)


def delivered(make_order, items, **kwargs):
    order = make_order(items, **kwargs)
    services.create_invoice(order)
    services.create_shipment(order, ship_all(order))
    return Order.objects.get(pk=order.pk)


def statement(order, items=None):
    return services.record_withdrawal(
        name="Erika Mustermann", email=order.email, order_number=order.number, items=items
    )


def everything(order):
    return {line.pk: line.quantity for line in order.lines.all()}


def test_a_partial_refund_settling_a_withdrawal_refuses_to_leave_out_the_delivery_costs(
    make_order, vase, mug
):
    order = delivered(make_order, {vase.pk: 1, mug.pk: 2})
    statement(order)
    for shipping in ("", "0", "4.89"):
        with pytest.raises(OrderError, match="delivery costs of €4.90") as refused:
            services.create_credit_note(order, everything(order), shipping=shipping)
        assert refused.value.field == "shipping"
        with pytest.raises(OrderError, match="delivery costs of €4.90"):
            services.preview_credit_note(order, everything(order), shipping)
    assert not CreditNote.objects.exists()

    note = services.create_credit_note(order, everything(order), shipping="4.90")
    assert note.shipping_total == SHIPPING and note.is_final
    assert Order.objects.get(pk=order.pk).status == Order.Status.CLOSED


def test_only_the_note_that_completes_the_order_owes_them(make_order, vase, mug):
    order = delivered(make_order, {vase.pk: 1, mug.pk: 1})
    statement(order)
    vase_line, mug_line = order.lines.get(product=vase), order.lines.get(product=mug)
    services.create_credit_note(order, {vase_line.pk: 1})  # the mug is still to come back
    with pytest.raises(OrderError, match="delivery costs of €4.90"):
        services.create_credit_note(order, {mug_line.pk: 1})
    services.create_credit_note(order, {mug_line.pk: 1}, shipping="4.90")
    assert sum(n.shipping_total for n in CreditNote.objects.all()) == SHIPPING


def test_shipping_credited_before_is_not_owed_twice(make_order, vase, mug):
    order = delivered(make_order, {vase.pk: 1, mug.pk: 1})
    services.create_credit_note(
        order, {order.lines.get(product=mug).pk: 1}, shipping="3.00", reason="Broken mug"
    )
    statement(order, items={order.lines.get(product=vase).pk: 1})
    with pytest.raises(OrderError, match="delivery costs of €1.90"):
        services.create_credit_note(order, {order.lines.get(product=vase).pk: 1})
    services.create_credit_note(order, {order.lines.get(product=vase).pk: 1}, shipping="1.90")


def test_a_partial_withdrawal_is_not_forced_to_credit_the_delivery_costs(make_order, vase, mug):
    order = delivered(make_order, {vase.pk: 1, mug.pk: 1})
    statement(order, items={order.lines.get(product=vase).pk: 1})
    note = services.create_credit_note(order, {order.lines.get(product=vase).pk: 1})
    assert note.shipping_total == 0
    # ... until a note credits the rest as well: then the whole order has gone back.
    with pytest.raises(OrderError, match="delivery costs"):
        services.create_credit_note(order, {order.lines.get(product=mug).pk: 1})


def test_a_late_withdrawal_is_not_forced_to_credit_the_delivery_costs(make_order, vase):
    order = delivered(make_order, {vase.pk: 1})
    withdrawal = statement(order)
    Withdrawal.objects.filter(pk=withdrawal.pk).update(
        is_late=True, period_ends=timezone.localdate() - timedelta(days=1)
    )
    note = services.create_credit_note(order, everything(order))
    assert note.shipping_total == 0 and not note.is_final


def test_without_a_withdrawal_the_shipping_is_the_operators_choice(make_order, vase):
    order = delivered(make_order, {vase.pk: 1})
    assert withdrawal_shipping_owed(order, everything(order)) == 0
    note = services.create_credit_note(order, everything(order))
    assert note.shipping_total == 0


def test_a_return_of_another_reason_completing_a_withdrawn_order_owes_them(make_order, vase):
    """The same rule for every path: a return entered as "defective" does not settle a
    withdrawal on record without the delivery costs."""
    order = delivered(make_order, {vase.pk: 1})
    statement(order)
    ret = services.create_return(order, everything(order), "defective")
    assert withdrawal_shipping_due(ret) == SHIPPING
    with pytest.raises(OrderError, match="delivery costs of €4.90"):
        services.refund_return(ret)
    services.refund_return(ret, shipping="4.90")


def test_the_partial_refund_form_fills_in_the_delivery_costs(admin_client, make_order, vase, mug):
    order = delivered(make_order, {vase.pk: 1, mug.pk: 1})
    url = reverse("admin:orders_creditnote_new", args=[order.pk])
    page = admin_client.get(url)
    assert page.context["inputs"]["shipping"] == ""  # no withdrawal: nothing owed

    statement(order)
    page = admin_client.get(url)
    content = page.content.decode()
    assert page.context["inputs"]["shipping"] == "4.90"
    assert 'name="shipping" value="4.90"' in content
    assert "the delivery costs of €4.90 must be refunded as well" in content

    quantities = {f"qty_{pk}": str(units) for pk, units in everything(order).items()}
    refused = admin_client.post(url, {**quantities, "shipping": "", "preview": ""})
    assert refused.context["plan"] is None
    assert any("delivery costs of €4.90" in str(m) for m in refused.context["messages"])
    preview = admin_client.post(url, {**quantities, "shipping": "4.90", "preview": ""})
    assert preview.context["plan"].shipping_total == SHIPPING
    admin_client.post(
        url,
        {
            **quantities,
            "shipping": "4.90",
            "confirm": "",
            "seen_notes": preview.context["seen_notes"],
            "previewed": preview.context["previewed"],
        },
    )
    assert CreditNote.objects.get().shipping_total == SHIPPING


def test_a_late_withdrawal_fills_in_nothing(admin_client, make_order, vase):
    order = delivered(make_order, {vase.pk: 1})
    withdrawal = statement(order)
    Withdrawal.objects.filter(pk=withdrawal.pk).update(
        is_late=True, period_ends=timezone.localdate() - timedelta(days=1)
    )
    page = admin_client.get(reverse("admin:orders_creditnote_new", args=[order.pk]))
    assert page.context["inputs"]["shipping"] == ""
