"""The orders' personal data, declared for the privacy registry (see shop.personal_data)."""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.personal_data import register_vat_id_check_use
from shop import personal_data, retention
from shop.models import PaymentMethod

from .retention import (
    anonymise_guest_orders,
    anonymise_invoices,
    anonymise_orders_without_invoice,
    anonymise_unmatched_withdrawals,
)


def order_subjects(order):
    person = (
        personal_data.customer_ref(order.customer_id)
        if order.customer_id
        else personal_data.email_ref(order.email)
    )
    own = personal_data.order_ref(order.pk)
    return [own, person] if person else [own]


def withdrawal_subjects(withdrawal):
    """The statement, the order it names and whoever sent it (account or address)."""
    refs = [f"orders.withdrawal:{withdrawal.pk}"]
    if withdrawal.order_id:
        refs.append(personal_data.order_ref(withdrawal.order_id))
    person = (
        personal_data.customer_ref(withdrawal.customer_id)
        if withdrawal.customer_id
        else personal_data.email_ref(withdrawal.email)
    )
    return [*refs, person] if person else refs


def documents_resting_on_vat_id_check(cutoff, window):
    """The condition (on ``customers.VatIdCheck``) that an order of the check's VAT ID,
    placed within ``window`` (VIES_CACHE_HOURS) after it, is still kept after ``cutoff``
    (the invoices' retention: customers.personal_data.delete_vat_id_checks):

    - its invoice is not past its period — dated from ``cutoff`` on, or credited from then on
      (:func:`orders.retention.anonymise_invoices` keeps those too). The invoice's own copy
      of the VAT ID and the order date: an erased order lost its own;
    - or the order was placed from ``cutoff`` on (not invoiced yet: the invoice will be
      later still).
    """
    from .models import CreditNote, Invoice, Order

    credited_later = Exists(CreditNote.objects.filter(invoice=OuterRef("pk"), created__gte=cutoff))
    invoices = Invoice.objects.filter(
        Q(created__gte=cutoff) | credited_later,
        buyer_vat_id=OuterRef("vat_id"),
        order_date__gte=OuterRef("checked_at"),
        order_date__lte=OuterRef("checked_at") + window,
    )
    orders = Order.objects.filter(
        billing_vat_id=OuterRef("vat_id"),
        created__gte=cutoff,
        created__lte=OuterRef("checked_at") + window,
    )
    return Exists(invoices) | Exists(orders)


def order_title(order):
    title = _("Order %(number)s") % {"number": order.number}
    if order.customer_id is None:
        title += " · " + _("guest order")
    return title


def order_items(order):
    items = "; ".join(f"{line.quantity} × {line.name} ({line.sku})" for line in order.lines.all())
    return [{"name": "items", "label": _("items"), "value": items}]


def declare():
    personal_data.register(
        "orders.order",
        role=personal_data.ORDER,
        fields=(
            "number",
            "created",
            "email",
            "phone",
            "language",
            "billing_first_name",
            "billing_last_name",
            "billing_company",
            "billing_street",
            "billing_postcode",
            "billing_city",
            "billing_country",
            "shipping_first_name",
            "shipping_last_name",
            "shipping_company",
            "shipping_street",
            "shipping_postcode",
            "shipping_city",
            "shipping_country",
            "status",
            "payment_status",
            "payment_method",
            "billing_vat_id",
            "buyer_reference",
            "purchase_order_reference",
            "reverse_charge",
            "grand_total",
            # what the customer paid, and how: gift card, account credit, part payments of
            # an order not paid in full (a bank transfer of too little), what was credited
            # and what the shop owes or paid back
            "paid_at",
            "giftcard_total",
            "credit_total",
            "received_total",
            "credited_total",
            "payout_due",
            "payout_done_at",
            "overpaid_total",
            "overpaid_returned_at",
            "overpaid_returned_total",
            "voucher_code",
            "partner_consent",
            "partner_consent_at",
            "partner_consent_text",
            "review_request_consent",
            "review_request_consent_at",
            "review_request_consent_text",
            # the consent to deliver downloads before the withdrawal period ends
            "digital_consent_at",
            "digital_consent_text",
            "customer_note",
        ),
        subjects=order_subjects,
        email_fields=("email",),
        name_fields=("billing_first_name", "billing_last_name"),
        record_title=order_title,
        record_extra=order_items,
        prefetch=("lines",),
        purpose=personal_data.ORDER_PROCESSING,
    )
    # Invoices and credit notes keep the buyer's name and address after the order was
    # anonymised (tax law): the personal-data browser finds them by name and e-mail too.
    # The VIES checks (customers) an invoice without VAT rests on stay as long as it.
    register_vat_id_check_use("orders", documents_resting_on_vat_id_check)
    personal_data.register(
        "orders.invoice",
        purpose=personal_data.ACCOUNTING,
        name_fields=("buyer_name",),
        email_fields=("buyer_email",),
        email_lookup=lambda address: Q(buyer_email__iexact=address),
        choices={"payment_method_kind": PaymentMethod.Kind.choices},
    )
    personal_data.register(
        "orders.creditnote",
        purpose=personal_data.ACCOUNTING,
        name_fields=("invoice__buyer_name",),
        email_fields=("invoice__buyer_email",),
    )
    personal_data.register("orders.shipment", purpose=personal_data.ORDER_PROCESSING)
    personal_data.register("orders.orderline", shown_with="orders.order")
    personal_data.register(
        "orders.ordercomment",
        purpose=personal_data.ORDER_PROCESSING,
        # the text as written (an event's untranslated values are its ``message``)
        fields=("order", "created", "text", "visible_to_customer", "customer_notified", "is_event"),
        prefetch=("order",),
        staff_note=lambda comment: not comment.visible_to_customer and not comment.is_event,
    )
    retention.register(
        gettext_lazy("invoices and credit notes"),
        retention.INVOICES,
        apply=anonymise_invoices,
        action=retention.ANONYMISE,
        models=(
            "orders.invoice",
            "orders.creditnote",
            "orders.order",
            "orders.withdrawal",
            "orders.return",
        ),
    )
    retention.register(
        gettext_lazy("orders without invoice"),
        retention.ORDERS,
        apply=anonymise_orders_without_invoice,
        action=retention.ANONYMISE,
        models=("orders.order", "orders.withdrawal", "orders.return"),
    )
    retention.register(
        gettext_lazy("withdrawal statements that matched no order"),
        retention.GUEST_DATA,
        apply=anonymise_unmatched_withdrawals,
        action=retention.ANONYMISE,
        models=("orders.withdrawal",),
    )
    retention.register(
        gettext_lazy("guest orders"),
        retention.GUEST_DATA,
        apply=anonymise_guest_orders,
        action=retention.ANONYMISE,
        models=("orders.order", "orders.withdrawal", "orders.return"),
    )
    personal_data.register(
        "orders.withdrawal",
        fields=(
            "received_at",
            "name",
            "email",
            "order_number",
            "items",
            "items_text",
            "reason",
            "is_late",
            "status",
        ),
        subjects=withdrawal_subjects,
        email_fields=("email",),
        purpose=personal_data.ORDER_PROCESSING,
    )
    # A staff member's secret feed address: no customer's data.
    personal_data.register("orders.feedtoken", personal=False)
    personal_data.register("orders.return", purpose=personal_data.ORDER_PROCESSING)
    personal_data.register("orders.returnline", shown_with="orders.return")
