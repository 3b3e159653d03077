"""A rejected return goes back to the customer: what its receipt put back to stock leaves the
stock again, so receiving and rejecting returns cannot add goods the shop does not have (an
audit took a lamp's stock from 4 to 7 with three cycles of one sold unit)."""

from decimal import Decimal

import pytest

from orders import services
from orders.aftersales import Return
from orders.models import OrderComment
from orders.services import OrderError
from shop.models import Product
from tests.factories import ProductFactory

from .factories import ship_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def lamp(db):
    return ProductFactory(name="Lamp", price=Decimal("30.00"), stock=5)


@pytest.fixture
def delivered(make_order, lamp):
    order = make_order({lamp.pk: 1})
    services.create_invoice(order)
    services.create_shipment(order, ship_all(order))
    return order


def stock(product):
    return Product.objects.get(pk=product.pk).stock


def receive_and_reject(order):
    ret = services.create_return(order, {order.lines.get().pk: 1}, "defective")
    services.receive_return(ret, {ret.lines.get().pk: ("used", True)})
    services.reject_return(ret, "Heavy wear, sent back to you.")
    return ret


def test_receiving_and_rejecting_again_and_again_leaves_the_stock_as_it_was(delivered, lamp):
    before = stock(lamp)
    for _ in range(3):
        ret = receive_and_reject(delivered)
        assert stock(lamp) == before
    line = ret.lines.get()
    assert not line.restocked and not line.back_to_stock
    history = " ".join(OrderComment.objects.filter(order=delivered).values_list("text", flat=True))
    assert "Taken back out of stock: 1 × Lamp." in history


def test_a_rejection_is_refused_when_the_restocked_units_were_sold_again(delivered, lamp):
    ret = services.create_return(delivered, {delivered.lines.get().pk: 1}, "defective")
    services.receive_return(ret, {ret.lines.get().pk: ("as_new", True)})
    Product.objects.filter(pk=lamp.pk).update(stock=0)  # sold since
    with pytest.raises(OrderError, match="no longer holds them"):
        services.reject_return(ret, "Heavy wear, sent back to you.")
    ret.refresh_from_db()
    assert ret.status == Return.Status.RECEIVED and ret.lines.get().restocked
    assert stock(lamp) == 0


def test_a_rejected_return_that_was_not_restocked_leaves_the_stock_alone(delivered, lamp):
    before = stock(lamp)
    ret = services.create_return(delivered, {delivered.lines.get().pk: 1}, "defective")
    services.receive_return(ret, {ret.lines.get().pk: ("damaged", False)})
    services.reject_return(ret, "Damaged by the customer.")
    assert stock(lamp) == before
