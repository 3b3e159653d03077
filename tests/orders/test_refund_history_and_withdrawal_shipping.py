"""The order history of a credit note says what happened — the order is "credited", and
where each part of the money went (back on the gift card, to the account credit, off the
amount due, still to pay back via the payment method) —, never "refunded" while a payout is
pending; and a withdrawal from the whole order owes the delivery costs of the least
expensive standard delivery at most when the customer chose a dearer one (Art. 13(2)
Directive 2011/83/EU, § 357 (2) BGB)."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from giftcards import services as giftcard_services
from orders import services
from orders.models import CreditNote, Order
from orders.services import OrderError
from orders.services.refunds import OwedShipping, standard_delivery, withdrawal_shipping_owed
from orders.services.returns import withdrawal_shipping_due
from tests.factories import ProductFactory, ShippingMethodFactory, UserFactory

from .factories import ZURICH, ship_all

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def vase(db):
    return ProductFactory(name="Blue vase", price=D("20.00"), stock=10)


@pytest.fixture
def lamp(db):
    return ProductFactory(name="Lamp", price=D("35.00"), stock=10)


@pytest.fixture
def express(db, shipping):
    """A dearer delivery beside the checkout_data fixture's (``shipping``: 4.90, free from
    50.00 of goods)."""
    return ShippingMethodFactory(name="DHL Express", price=D("12.90"), free_over=None, position=9)


def reload(order):
    return Order.objects.get(pk=order.pk)


def events(order):
    return [c.text for c in order.comments.filter(is_event=True).order_by("pk")]


def delivered(make_order, items, **kwargs):
    order = make_order(items, **kwargs)
    services.create_invoice(order)
    services.create_shipment(order, ship_all(order))
    return reload(order)


def statement(order, items=None):
    return services.record_withdrawal(
        name="Erika Mustermann", email=order.email, order_number=order.number, items=items
    )


def everything(order):
    return {line.pk: line.quantity for line in order.lines.all()}


# --- 1. what the history says ------------------------------------------------------------


def test_the_full_refund_says_credited_and_where_the_money_went(make_order, lamp):
    card = giftcard_services.issue_cards(D("50.00"), 1)[0]
    order = make_order({lamp.pk: 2}, giftcard_number=card.number)  # 70.00, shipping free
    assert order.giftcard_total == D("50.00") and order.amount_due == D("20.00")
    services.create_invoice(order)  # the card payment is captured
    services.refund_order(order)
    note = CreditNote.objects.get()
    order = reload(order)
    assert order.status == Order.Status.CLOSED
    assert order.payment_status == Order.PaymentStatus.REFUND_PENDING

    history = events(order)
    created = next(text for text in history if text.startswith(f"Credit note {note.number}"))
    assert created == (
        f"Credit note {note.number} of €70.00 created for invoice {order.invoice.number}. "
        "€50.00 back on the gift card it was paid with. "
        "€20.00 to pay back via Credit card."
    )
    assert f"Order fully credited (credit note {note.number}) and closed." in history
    assert not any("refunded" in text for text in history)
    card.refresh_from_db()
    assert card.balance == D("50.00")

    # the payout is recorded when the operator marks it
    services.mark_refunded(note)
    assert events(reload(order))[-1] == (
        f"€20.00 of credit note {note.number} refunded via Credit card."
    )


def test_a_note_on_an_unpaid_order_says_what_went_off_the_amount_due_and_to_the_credit(
    make_order, invoice_payment
):
    customer = UserFactory()
    staff = UserFactory(is_staff=True, is_superuser=True)
    account = giftcard_services.account_for(customer)
    giftcard_services.adjust_account(account, D("10.00"), "goodwill", staff)
    order = make_order(customer=customer, use_credit=True, payment_method_id=invoice_payment.pk)
    assert order.credit_total == D("10.00") and order.amount_due == D("14.90")
    services.create_invoice(order)
    services.refund_order(order)
    note = CreditNote.objects.get()
    created = next(t for t in events(reload(order)) if t.startswith(f"Credit note {note.number}"))
    assert created.endswith(
        "€14.90 taken off the amount still due. €10.00 back to the customer's account credit."
    )
    assert "to pay back via" not in created
    assert giftcard_services.credit_balance(customer) == D("10.00")


def test_a_partial_note_says_it_is_to_be_paid_back_not_refunded(make_order, vase):
    order = delivered(make_order, {vase.pk: 2})
    services.create_credit_note(order, {order.lines.get().pk: 1}, reason="Scratched")
    note = CreditNote.objects.get()
    created = next(t for t in events(reload(order)) if t.startswith(f"Credit note {note.number}"))
    assert created.endswith("€20.00 to pay back via Credit card.")
    assert not any("closed" in t for t in events(reload(order)))


def test_a_return_is_settled_with_a_credit_note_not_refunded(make_order, vase):
    order = delivered(make_order, {vase.pk: 2})
    ret = services.create_return(order, {order.lines.get().pk: 1}, "defective")
    services.refund_return(ret)
    ret.refresh_from_db()
    history = events(reload(order))
    assert f"Return {ret.number} settled with credit note {ret.credit_note.number}." in history
    assert not any("refunded with credit note" in t for t in history)


# --- 2. the delivery costs of a withdrawal from the whole order ---------------------------


def test_the_standard_delivery_is_the_cheapest_for_the_order(make_order, vase, lamp, express):
    order = make_order({vase.pk: 1}, shipping_method_id=express.pk)
    method, cost = standard_delivery(order)
    assert method.pk != express.pk and cost == D("4.90")
    big = make_order({lamp.pk: 2}, shipping_method_id=express.pk)
    assert standard_delivery(big)[1] == 0  # the standard delivery is free from 50.00


def test_a_withdrawal_after_an_express_delivery_owes_the_standard_delivery_only(
    make_order, vase, express, shipping
):
    order = delivered(make_order, {vase.pk: 1}, shipping_method_id=express.pk)
    assert order.shipping_total == D("12.90")
    ret = services.create_return(
        order, everything(order), "withdrawal", withdrawal=statement(order)
    )
    owed = withdrawal_shipping_due(ret)
    assert owed == D("4.90")
    assert isinstance(owed, OwedShipping)
    assert owed.standard.pk == shipping.pk and owed.chosen.pk == express.pk

    message = (
        r"at least €4\.90 of the delivery costs must be refunded \(the standard delivery "
        rf"{shipping.name}; the customer chose DHL Express\)"
    )
    with pytest.raises(OrderError, match=message):
        services.refund_return(ret, shipping="4.89")
    services.refund_return(ret, shipping="4.90")  # not the 12.90 of the express delivery
    note = CreditNote.objects.get()
    assert note.shipping_total == D("4.90") and note.grand_total == D("24.90")


def test_the_operator_may_refund_the_whole_express_shipping(make_order, vase, express):
    order = delivered(make_order, {vase.pk: 1}, shipping_method_id=express.pk)
    ret = services.create_return(
        order, everything(order), "withdrawal", withdrawal=statement(order)
    )
    services.refund_return(ret, shipping="12.90")
    assert CreditNote.objects.get().shipping_total == D("12.90")
    assert reload(order).status == Order.Status.CLOSED


def test_no_delivery_costs_are_owed_when_the_standard_delivery_would_have_been_free(
    make_order, lamp, express
):
    order = delivered(make_order, {lamp.pk: 2}, shipping_method_id=express.pk)
    assert order.shipping_total == D("12.90")
    statement(order)
    assert withdrawal_shipping_owed(order, everything(order)) == 0
    services.create_credit_note(order, everything(order))  # no shipping: allowed


def test_the_standard_delivery_chosen_owes_what_was_charged(make_order, vase, express):
    order = delivered(make_order, {vase.pk: 1})  # the standard delivery, 4.90
    statement(order)
    owed = withdrawal_shipping_owed(order, everything(order))
    assert owed == D("4.90") and owed.standard is None


def test_shipping_credited_before_counts_against_the_standard_delivery(make_order, vase, express):
    order = delivered(make_order, {vase.pk: 2}, shipping_method_id=express.pk)
    line = order.lines.get()
    services.create_credit_note(order, {line.pk: 1}, shipping="3.00", reason="Scratched")
    statement(order)
    assert withdrawal_shipping_owed(reload(order), {line.pk: 1}) == D("1.90")


def test_a_partial_withdrawal_still_owes_no_delivery_costs(make_order, vase, lamp, express):
    order = delivered(make_order, {vase.pk: 1, lamp.pk: 1}, shipping_method_id=express.pk)
    withdrawal = statement(order, items={order.lines.get(product=vase).pk: 1})
    ret = services.create_return(
        order, {order.lines.get(product=vase).pk: 1}, "withdrawal", withdrawal=withdrawal
    )
    assert withdrawal_shipping_due(ret) == 0


def test_the_forms_fill_in_the_standard_delivery_and_say_why(
    admin_client, make_order, vase, express, shipping
):
    order = delivered(make_order, {vase.pk: 1}, shipping_method_id=express.pk)
    withdrawal = statement(order)
    help_text = (
        "The customer has withdrawn from the whole order: at least €4.90 of the delivery "
        f"costs must be refunded (the standard delivery {shipping.name}; the customer chose "
        "DHL Express)."
    )
    url = reverse("admin:orders_creditnote_new", args=[order.pk])
    page = admin_client.get(url)
    assert page.context["inputs"]["shipping"] == "4.90"
    assert help_text in page.content.decode()

    ret = services.create_return(order, everything(order), "withdrawal", withdrawal=withdrawal)
    page = admin_client.get(reverse("admin:orders_return_change", args=[ret.pk]))
    assert page.context["inputs"]["shipping"] == "4.90"
    assert help_text in page.content.decode()


# --- 3. the standard delivery of the order's own day and country -----------------------------

VIENNA = {
    "first_name": "Anna",
    "last_name": "Huber",
    "street": "Ringstraße 1",
    "postcode": "1010",
    "city": "Wien",
    "country": "AT",
}


def test_the_standard_delivery_is_one_that_delivers_to_the_orders_country(
    make_order, vase, shipping
):
    """The 4.90 parcel goes to Germany only: an Austrian customer who paid the 9.90 of the
    only delivery to Austria is owed all of it back, not 4.90 (an audit found 5.00 short)."""
    shipping.countries = ["DE"]
    shipping.save()
    abroad = ShippingMethodFactory(
        name="EU parcel", price=D("9.90"), free_over=None, countries=["AT"], position=5
    )
    order = delivered(make_order, {vase.pk: 1}, billing=dict(VIENNA), shipping_method_id=abroad.pk)
    assert order.standard_shipping_method == abroad
    ret = services.create_return(
        order, everything(order), "withdrawal", withdrawal=statement(order)
    )
    assert withdrawal_shipping_due(ret) == D("9.90")
    with pytest.raises(OrderError):
        services.refund_return(ret, shipping="4.90")
    services.refund_return(ret, shipping="9.90")
    assert CreditNote.objects.get().grand_total == D("29.90")


def test_the_standard_delivery_is_the_one_of_the_day_of_the_order(
    make_order, vase, express, shipping
):
    """The shop replaced its 4.90 parcel by a 3.90 one after the order: what the customer
    would have paid then is owed, 4.90."""
    order = delivered(make_order, {vase.pk: 1}, shipping_method_id=express.pk)
    assert (order.standard_shipping_method, order.standard_shipping_cost) == (shipping, D("4.90"))
    shipping.is_active = False
    shipping.save()
    ShippingMethodFactory(name="Parcel 2", price=D("3.90"), free_over=None)
    ret = services.create_return(
        order, everything(order), "withdrawal", withdrawal=statement(order)
    )
    owed = withdrawal_shipping_due(ret)
    assert owed == D("4.90") and owed.standard == shipping


def test_an_export_orders_standard_delivery_is_free_from_the_gross_goods_value(
    make_order, express, shipping
):
    """The checkout compares the free-shipping threshold with the gross goods value (55.00
    ≥ 50.00: the parcel was free), not the net one the export order's lines hold (46.22):
    no delivery costs are owed for the express the customer chose."""
    coat = ProductFactory(price=D("55.00"), tax_rate=D("19.00"), stock=5)
    order = delivered(make_order, {coat.pk: 1}, billing=dict(ZURICH), shipping_method_id=express.pk)
    assert order.export_delivery and order.standard_shipping_cost == 0
    ret = services.create_return(
        order, everything(order), "withdrawal", withdrawal=statement(order)
    )
    assert withdrawal_shipping_due(ret) == 0


def test_an_order_placed_before_the_standard_delivery_was_kept_uses_todays_methods_for_its_country(
    make_order, vase, express, shipping
):
    order = delivered(make_order, {vase.pk: 1}, shipping_method_id=express.pk)
    Order.objects.filter(pk=order.pk).update(
        standard_shipping_method=None, standard_shipping_cost=None
    )
    assert standard_delivery(reload(order)) == (shipping, D("4.90"))
    shipping.countries = ["AT"]  # no longer to Germany: express is all there is
    shipping.save()
    assert standard_delivery(reload(order)) == (express, D("12.90"))
