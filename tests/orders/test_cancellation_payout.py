"""A paid order canceled before its invoice owes the customer what the payment method
collected. No credit note exists for it, so the order itself keeps the payout: listed under
"Canceled orders to pay back" on the start page until the operator marks it paid back."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from giftcards import services as giftcard_services
from orders import services
from orders.models import Order

pytestmark = pytest.mark.django_db
D = Decimal


def test_cancelling_a_paid_prepayment_order_records_what_to_pay_back(make_order, prepayment):
    card = giftcard_services.issue_cards(D("20.00"), 1)[0]
    order = make_order(payment_method_id=prepayment.pk, giftcard_number=card.number)
    assert order.giftcard_total == D("20.00") and order.amount_due == D("4.90")
    services.mark_paid(order)
    services.cancel_order(order)
    order = Order.objects.get(pk=order.pk)
    assert order.status == Order.Status.CANCELED
    assert order.payout_due == D("4.90") and order.payout_pending
    card.refresh_from_db()
    assert card.balance == D("20.00")  # the gift card's part went back to the card
    events = [c.display_text for c in order.comments.all()]
    assert any("€4.90 to pay back via Prepayment" in text for text in events)

    services.mark_cancellation_refunded(order)
    order = Order.objects.get(pk=order.pk)
    assert order.payout_done_at is not None and not order.payout_pending
    with pytest.raises(services.OrderError, match="already been marked as paid back"):
        services.mark_cancellation_refunded(order)


def test_an_unpaid_order_canceled_owes_nothing(make_order, prepayment):
    order = make_order(payment_method_id=prepayment.pk)
    services.cancel_order(order)
    order = Order.objects.get(pk=order.pk)
    assert order.payout_due == 0
    with pytest.raises(services.OrderError, match="nothing to pay back"):
        services.mark_cancellation_refunded(order)


def test_the_database_refuses_a_payout_on_an_order_that_stands(make_order):
    order = make_order()
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=order.pk).update(payout_due=D("1.00"))


def test_the_backoffice_lists_and_marks_the_payout(admin_client, make_order, prepayment):
    order = make_order(payment_method_id=prepayment.pk)
    services.mark_paid(order)
    confirm = admin_client.get(reverse("admin:orders_order_cancel", args=[order.pk]))
    assert "pay €24.90 back to the customer via Prepayment" in confirm.content.decode()
    # the tile it names is the one that lists it
    assert "“Refund pending” and the order is listed under “Canceled orders to pay back”" in (
        confirm.content.decode()
    )
    admin_client.post(reverse("admin:orders_order_cancel", args=[order.pk]))

    start = admin_client.get(reverse("admin:index")).content.decode()
    assert "Canceled orders to pay back" in start
    listed = admin_client.get(
        reverse("admin:orders_order_changelist") + "?payout_due__gt=0&payout_done_at__isnull=True"
    )
    assert listed.status_code == 200 and order.number in listed.content.decode()
    detail = admin_client.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert "To pay back via Prepayment: €24.90" in detail.content.decode()

    admin_client.post(reverse("admin:orders_order_paid_back", args=[order.pk]))
    order = Order.objects.get(pk=order.pk)
    assert order.payout_done_at is not None
    detail = admin_client.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert "€24.90 paid back via Prepayment on" in detail.content.decode()


def test_the_refund_page_refuses_at_once_when_a_bought_gift_card_was_spent(
    admin_client, make_order, checkout_data
):
    """The preview said "€25.00 back" and the refund then failed: the confirmation page asks
    the same check the refund asks (``orders.signals.order_cancel_check``)."""
    from orders.services import place_order
    from tests.factories import ProductFactory

    voucher = ProductFactory(name="Gift card", price=D("25.00"), is_giftcard=True, tax_rate=0)
    order = place_order({voucher.pk: 1}, checkout_data())
    services.create_invoice(order)  # captured: the card is issued
    from giftcards.models import GiftCard

    card = GiftCard.objects.get(issued_by_order=order)
    make_order(giftcard_number=card.number)  # spends part of it

    with pytest.raises(Exception, match="have already been used"):
        services.preview_full_refund(order)
    response = admin_client.get(reverse("admin:orders_order_refund", args=[order.pk]), follow=True)
    assert any("have already been used" in str(m) for m in response.context["messages"])
    assert "Yes, refund and close" not in response.content.decode()


def test_the_payout_tiles_are_for_those_who_can_pay_out(client, make_order, prepayment):
    """Support may read orders but not mark money paid back: the start page does not list
    that work for it."""
    from tests.factories import RoleUserFactory

    order = make_order(payment_method_id=prepayment.pk)
    services.mark_paid(order)
    services.cancel_order(order)
    client.force_login(RoleUserFactory(role="Support"))
    assert "Canceled orders to pay back" not in client.get(reverse("admin:index")).content.decode()
    client.force_login(RoleUserFactory(role="Payments"))
    assert "Canceled orders to pay back" in client.get(reverse("admin:index")).content.decode()
