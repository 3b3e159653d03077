"""Panels of orders on pages of lower apps (see shop.panels): the orders block and the open
amount on the backoffice customer page, and what deleting a customer does to the orders."""

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from shop import admin, panels

from . import limits
from .models import ZERO, Order

CUSTOMER_PAGE_ORDERS = 20


def backoffice_customer(request, customer):
    """The customer's latest orders, their number and sum, open amount and limit (S4, S5)."""
    orders = Order.objects.filter(customer=customer)
    totals = orders.exclude(status=Order.Status.CANCELED).aggregate(
        total=Sum("grand_total"), count=Count("id")
    )
    return {
        "orders": list(orders.select_related("payment_method")[:CUSTOMER_PAGE_ORDERS]),
        "order_count": totals["count"] or 0,
        "order_sum": totals["total"] or ZERO,
        "credit": limits.credit_overview(customer),
    }


def backoffice_customer_delete(request, customer):
    return {"order_count": Order.objects.filter(customer=customer).count()}


def register():
    admin.backoffice.attention(
        _("New orders"),
        "admin:orders_order_changelist",
        lambda: Order.objects.filter(status=Order.Status.PENDING).count(),
        permission="orders.view_order",
        query="?status__exact=pending",
    )
    panels.BACKOFFICE_CUSTOMER.register(
        "admin/orders/_customer_orders_panel.html", backoffice_customer, order=10
    )
    panels.BACKOFFICE_CUSTOMER_DELETE.register(
        "admin/orders/_customer_delete_panel.html", backoffice_customer_delete, order=10
    )
