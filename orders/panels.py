"""Panels of orders on pages of lower apps (see shop.panels): the orders block and the open
amount on the backoffice customer page, and what deleting a customer does to the orders."""

from django.conf import settings
from django.db.models import Count, Sum
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from customers import panels as customer_panels
from customers.erasure import PersonDetails, own_addresses
from shop import admin, dashboard, panels

from . import accounting, admin_list, erasure, limits
from . import dashboard as figures
from .aftersales import Return, Withdrawal
from .models import ZERO, CreditNote, Order, money
from .services import consents

CUSTOMER_PAGE_ORDERS = 20
NEW_ORDERS_CAP = 999  # the start page says "999+" rather than counting every pending order


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
        "pending_count": orders.cancelable_pending().count(),
    }


def partner_consent(user):
    """The partner-network consent on "Privacy & consents" (``customers.panels``)."""
    found = consents.consent_given(user, consents.PARTNER)
    if found is None:
        return None
    return {
        **found,
        "title": _("Partner offers and sharing order data with the partner network"),
        "withdrawn_at": None if found["active"] else consents.withdrawn_at(user, consents.PARTNER),
        "effect": _(
            "When you withdraw it, we show you no partner offers any more and pass no data of "
            "your orders to our partner network."
        ),
    }


def withdraw_partner_consent(user):
    consents.withdraw_partner_consent(user)
    return gettext(
        "You have withdrawn your consent to the partner network: we pass no data of your "
        "orders to partners any more."
    )


def deletion_note(user):
    """On "Delete my account": the unpaid orders the erasure cancels (``orders.erasure``),
    and what happens to the other orders."""
    details = PersonDetails(emails=own_addresses(user))
    orders = erasure.person_orders(user, details)
    pending = list(orders.cancelable_pending().order_by("created", "pk"))
    kept = orders.exclude(pk__in=[order.pk for order in pending]).count()
    if not pending and not kept:
        return None
    if user.is_test and not erasure.invoiced_order_count(user, orders):
        kept_text = gettext("Your orders are deleted with your account.")  # a test account
    elif pending:
        kept_text = gettext(
            "Your other orders stay in our books as required by law, with your name, "
            "addresses, e-mail address and phone number replaced by placeholders; invoices "
            "already issued are kept unchanged."
        )
    else:
        kept_text = gettext(
            "Your orders stay in our books as required by law, with your name, addresses, "
            "e-mail address and phone number replaced by placeholders; invoices already "
            "issued are kept unchanged."
        )
    if pending:
        text = ngettext(
            "This open, unpaid order is canceled when you delete your account:",
            "These open, unpaid orders are canceled when you delete your account:",
            len(pending),
        )
    return {
        "text": text if pending else kept_text,
        "after": kept_text if pending and kept else "",
        "orders": [
            {
                "number": order.number,
                "date": order.created,
                "total": order.grand_total,
                "currency": order.currency,
            }
            for order in pending
        ],
    }


def distance_sales_notice(level):
    """1 while the distance sales of the current or the previous year are at ``level``
    ("above" the threshold, or "close" to it and not above), else None: no tile. From the
    figure kept for an hour (``accounting.cached_distance_sales``)."""
    return 1 if accounting.distance_sales_level() == level else None


def register_figures():
    dashboard.register(
        "orders.sales",
        _("Revenue and orders"),
        "admin/orders/dashboard/sales.html",
        figures.sales,
        permission="orders.view_sales_figures",
        order=10,
        wide=True,
    )
    dashboard.register(
        "orders.customers",
        _("New and returning customers"),
        "admin/orders/dashboard/customers.html",
        figures.customers,
        permission="orders.view_sales_figures",
        order=20,
    )
    dashboard.register(
        "orders.top_products",
        _("Top products"),
        "admin/orders/dashboard/top_products.html",
        figures.top_products,
        permission="orders.view_sales_figures",
        order=30,
    )
    dashboard.register(
        "orders.receivables",
        _("Open amounts (pay on invoice)"),
        "admin/orders/dashboard/receivables.html",
        figures.receivables,
        permission="orders.accounting_reports",
        order=40,
    )
    dashboard.register(
        "orders.authorized",
        _("Card payments to capture"),
        "admin/orders/dashboard/authorized.html",
        figures.authorized,
        permission="orders.handle_payments",
        order=45,
    )


def register():
    register_figures()
    customer_panels.register_consent(
        consents.PARTNER, partner_consent, withdraw_partner_consent, order=10
    )
    customer_panels.register_deletion_note(deletion_note, order=10)
    admin_list.register_jobs()
    admin.backoffice.attention(
        _("New orders"),
        "admin:orders_order_changelist",
        lambda: (
            Order.objects.filter(status=Order.Status.PENDING)
            .order_by()[: NEW_ORDERS_CAP + 1]
            .count()
        ),
        permission="orders.view_order",
        query="?status__exact=pending",
        cap=NEW_ORDERS_CAP,
    )
    admin.backoffice.attention(
        _("Orders to ship"),
        "admin:orders_order_changelist",
        lambda: Order.objects.ready_to_ship().order_by()[: NEW_ORDERS_CAP + 1].count(),
        permission="orders.change_order",
        query="?to_ship=ready",
        cap=NEW_ORDERS_CAP,
    )
    admin.backoffice.attention(
        _("New withdrawals"),
        "admin:orders_withdrawal_changelist",
        lambda: Withdrawal.objects.new().count(),
        permission="orders.view_withdrawal",
        query="?status__exact=new",
        urgent=True,
    )
    admin.backoffice.attention(
        _("Returns to process"),
        "admin:orders_return_changelist",
        lambda: Return.objects.filter(status__in=Return.OPEN).count(),
        permission="orders.view_return",
        query="?status__in=requested,received",
    )
    admin.backoffice.attention(
        _("Refunds to pay out"),
        "admin:orders_creditnote_changelist",
        lambda: CreditNote.objects.filter(paid_total__gt=0, refunded_at__isnull=True).count(),
        # work for those who may mark a refund paid out, not for every reader of the list
        permission="orders.change_creditnote",
        query="?payout=pending",
    )
    admin.backoffice.attention(
        _("Canceled orders to pay back"),
        "admin:orders_order_changelist",
        lambda: Order.objects.filter(payout_due__gt=0, payout_done_at__isnull=True).count(),
        permission="orders.handle_payments",
        query="?payout_due__gt=0&payout_done_at__isnull=True",
    )
    # Prepayment orders whose money has not (all) arrived: the Payments role matches the
    # bank statement against them (and records a transfer of too little as a part payment).
    admin.backoffice.attention(
        _("Bank transfers awaited"),
        "admin:orders_order_changelist",
        lambda: Order.objects.transfers_awaited().order_by()[: NEW_ORDERS_CAP + 1].count(),
        permission="orders.handle_payments",
        query="?awaited=transfer",
        cap=NEW_ORDERS_CAP,
    )
    admin.backoffice.attention(
        _("Overpayments to pay back"),
        "admin:orders_order_changelist",
        lambda: Order.objects.filter(
            overpaid_total__gt=0, overpaid_returned_at__isnull=True
        ).count(),
        permission="orders.handle_payments",
        query="?overpaid_total__gt=0&overpaid_returned_at__isnull=True",
    )
    # The § 3c UStG threshold (orders.accounting.distance_sales): a tile only from 80 % of
    # it in the current or the previous year, for those who see the sales report.
    admin.backoffice.attention(
        _("EU distance sales above the threshold (§ 3c UStG)"),
        "admin:orders_salesreport_changelist",
        lambda: distance_sales_notice("above"),
        permission="orders.accounting_reports",
        query="#distance-sales",
        urgent=True,
    )
    admin.backoffice.attention(
        _("EU distance sales close to the threshold (§ 3c UStG)"),
        "admin:orders_salesreport_changelist",
        lambda: distance_sales_notice("close"),
        permission="orders.accounting_reports",
        query="#distance-sales",
    )
    panels.BACKOFFICE_CUSTOMER.register(
        "admin/orders/_customer_orders_panel.html",
        backoffice_customer,
        order=10,
        permission="orders.view_order",
    )
    # Counts only, for whoever may delete the customer: what the deletion does to the orders.
    panels.BACKOFFICE_CUSTOMER_DELETE.register(
        "admin/orders/_customer_delete_panel.html",
        backoffice_customer_delete,
        order=10,
        permission="customers.delete_user",
    )
