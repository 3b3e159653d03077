"""Fixtures shared by the order tests."""

import pytest

from orders import services
from tests.orders.factories import ship_all


@pytest.fixture
def shipped(make_order):
    """Makes an order and ships all of it: returns the shipment (a module's own ``shipped``
    takes precedence)."""

    def ship():
        order = make_order()
        return services.create_shipment(order, ship_all(order))

    return ship
