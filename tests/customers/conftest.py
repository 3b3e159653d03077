import pytest

from orders import services


@pytest.fixture
def pay():
    """Mark an order paid through the orders service."""

    def run(order):
        services.mark_paid(order)
        order.refresh_from_db()
        return order

    return run


@pytest.fixture
def cancel():
    def run(order):
        services.cancel_order(order)
        order.refresh_from_db()
        return order

    return run
