"""Panels of orders on pages of lower apps (see shop.panels): the orders block and the open
amount on the backoffice customer page, and what deleting a customer does to the orders."""

from django.conf import settings
from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from shop import admin, panels

from . import erasure, limits
from .models import ZERO, Order, money

CUSTOMER_PAGE_ORDERS = 20


def backoffice_customer(request, customer):
    """The customer's latest orders, their number and sum, open amount and limit (S4, S5).

    The sum counts what the customer bought: canceled orders and fully refunded (closed)
    ones are left out."""
    orders = Order.objects.filter(customer=customer)
    totals = orders.exclude(status__in=[Order.Status.CANCELED, Order.Status.CLOSED]).aggregate(
        total=Sum("grand_total"), count=Count("id")
    )
    return {
        "orders": list(orders.select_related("payment_method")[:CUSTOMER_PAGE_ORDERS]),
        "order_count": totals["count"] or 0,
        # money(): SQLite sums decimals as floats (44.8900000000000)
        "order_sum": money(totals["total"] or ZERO),
        "credit": limits.credit_overview(customer),
        "currency": settings.SHOP_CURRENCY,
    }


def backoffice_customer_delete(request, customer):
    """What ``orders.erasure`` will do to the orders, said before the operator confirms."""
    orders = Order.objects.filter(customer=customer)
    return {
        "order_count": orders.count(),
        "invoiced_count": erasure.invoiced_order_count(customer),
        "pending_count": orders.filter(
            status=Order.Status.PENDING, payment_status=Order.PaymentStatus.UNPAID
        ).count(),
    }


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
