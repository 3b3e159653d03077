"""The full refund's confirmation page says which gift cards bought with the order it
voids, as the partial refund's does, and the refund then voids exactly those."""

from decimal import Decimal

import pytest
from django.urls import reverse

from giftcards.models import GiftCard
from orders import services
from orders.models import Order
from tests.factories import ProductFactory

D = Decimal


@pytest.fixture
def gift(db):
    return ProductFactory(name="Gift card 25", price=D("25.00"), tax_rate=D("0"), is_giftcard=True)


@pytest.fixture
def lamp(db):
    return ProductFactory(name="Lamp", price=D("15.00"), tax_rate=D("19.00"))


def test_the_full_refund_preview_names_the_cards_it_voids(make_order, gift, lamp, admin_client):
    order = make_order({lamp.pk: 1, gift.pk: 2})
    services.create_invoice(order)
    order = Order.objects.get(pk=order.pk)
    cards = list(GiftCard.objects.filter(issued_by_order=order))
    assert len(cards) == 2

    plan = services.preview_full_refund(order)
    for card in cards:
        assert any(card.display_number in notice for notice in plan.notices)
    page = admin_client.get(reverse("admin:orders_order_refund", args=[order.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert all(card.display_number in html for card in cards)
    assert "will be blocked and its value voided" in html

    services.refund_order(order)
    for card in cards:
        card.refresh_from_db()
        assert card.is_blocked and card.balance == 0


def test_a_staff_blocked_card_gives_no_notice_and_no_error(make_order, gift, admin_client):
    order = make_order({gift.pk: 1})
    services.create_invoice(order)
    order = Order.objects.get(pk=order.pk)
    card = GiftCard.objects.get(issued_by_order=order)
    GiftCard.objects.filter(pk=card.pk).update(is_blocked=True)
    plan = services.preview_full_refund(order)
    assert plan.notices == []
    page = admin_client.get(reverse("admin:orders_order_refund", args=[order.pk]))
    assert page.status_code == 200
