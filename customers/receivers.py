"""Order events that move loyalty points (S6). Connected in CustomersConfig.ready()."""

from . import services


def order_paid(sender, order, **kwargs):
    services.earn_points_for_order(order)


def order_canceled(sender, order, **kwargs):
    services.reverse_points_for_order(order)
