"""The tracking e-mail says what its parcel is of the order — all of it, a part (the rest
follows) or the rest — instead of "(part of) your order" for every parcel (found by a
backoffice walk-through)."""

import pytest

from orders import services
from shop.mail import written
from shop.models import OutboxEmail

pytestmark = pytest.mark.django_db


def _sent(shipment):
    services.send_tracking(shipment)
    mail = written(OutboxEmail.objects.filter(template="order_tracking").latest("pk"))
    return " ".join(mail.body_text.split()), " ".join(mail.body_html.split())


def test_one_parcel_with_everything(make_order):
    order = make_order()
    line = order.lines.get()
    shipment = services.create_shipment(order, {line.pk: line.quantity}, [("dhl", "123")])
    text, html = _sent(shipment)
    assert f"good news: we have shipped your order {order.number}." in text
    assert f"we have shipped your order {order.number}." in html


def test_a_part_then_the_rest(make_order, product):
    order = make_order({product.pk: 3})
    line = order.lines.get()
    first = services.create_shipment(order, {line.pk: 1}, [("dhl", "1")])
    text, _html = _sent(first)
    assert f"we have shipped part of your order {order.number}; the rest follows" in text
    second = services.create_shipment(order, {line.pk: 2}, [("dhl", "2")])
    text, _html = _sent(second)
    assert f"we have shipped the rest of your order {order.number}." in text
    # The first parcel's e-mail sent once the rest has gone out is one of the parcels:
    # "the rest follows" would be wrong by then (an audit).
    text, html = _sent(first)
    assert f"one of the parcels of your order {order.number} is on its way." in text
    assert "rest follows" not in text and "rest follows" not in html
