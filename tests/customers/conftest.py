import pytest

from orders.models import Order
from orders.signals import order_canceled, order_paid


def _service(name):
    from orders import services

    return getattr(services, name, None)


@pytest.fixture
def pay():
    """Mark an order paid through the orders service if it exists yet, else send the signal."""

    def run(order):
        mark_paid = _service("mark_paid")
        if mark_paid is not None:
            mark_paid(order)
        else:
            Order.objects.filter(pk=order.pk).update(payment_status=Order.PaymentStatus.PAID)
            order.payment_status = Order.PaymentStatus.PAID
            order_paid.send(sender=Order, order=order)
        order.refresh_from_db()
        return order

    return run


@pytest.fixture
def cancel():
    def run(order):
        cancel_order = _service("cancel_order")
        if cancel_order is not None:
            cancel_order(order)
        else:
            Order.objects.filter(pk=order.pk).update(status=Order.Status.CANCELED)
            order.status = Order.Status.CANCELED
            order_canceled.send(sender=Order, order=order)
        order.refresh_from_db()
        return order

    return run
