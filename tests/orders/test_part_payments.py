"""Part payments ("teilweise bezahlt"): a bank transfer of less than is due is recorded, not
refused. The order is "Partly paid" with what arrived (``Order.received_total``) off what is
still due, its goods wait for the rest, the customer is told what is still due and how to pay
it; the amount that completes it marks the order paid, more is an overpayment. Canceled, the
part payments are owed back; a credit note that reduces what is due to them makes the order
paid (with any excess owed back). The Payments role sees the transfers awaited on the start
page."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from orders import einvoice, limits, links, services
from orders.models import CreditNote, Invoice, Order
from shop.mail import written
from shop.models import OutboxEmail, ShopSettings
from tests.formtokens import fresh
from tests.race import run_concurrently

from .test_hc_payments_shown import plain, tfoot, visible

pytestmark = pytest.mark.django_db
D = Decimal
PARTLY_PAID = Order.PaymentStatus.PARTLY_PAID


@pytest.fixture
def order(make_order, prepayment, customer):
    """A prepayment order of a customer: 20.00 + 4.90 shipping = 24.90 due."""
    return make_order(payment_method_id=prepayment.pk, customer=customer)


def reload(order):
    return Order.objects.get(pk=order.pk)


def events(order):
    return [c.text for c in order.comments.filter(is_event=True).order_by("pk")]


def mails(template):
    return [written(e) for e in OutboxEmail.objects.filter(template=template).order_by("pk")]


def test_a_transfer_of_too_little_is_recorded_as_a_part_payment(order):
    services.mark_paid(order, amount=D("10.00"))

    order = reload(order)
    assert order.payment_status == PARTLY_PAID and order.partly_paid
    assert order.received_total == D("10.00") and order.paid_at is None
    assert order.balance_due == order.due_now == D("14.90")
    assert not order.is_paid and not order.collected and order.overpaid_total == 0
    assert "Part payment of €10.00 received via Prepayment; €14.90 still due." in events(order)

    [mail] = mails("order_part_payment")
    assert mail.to == [order.email]
    assert mail.subject == f"Part payment received for your order {order.number}"
    text = plain(mail.body_text)
    assert (
        f"we have received a payment of €10.00 for order {order.number}. Thank you! It does "
        "not cover the whole amount: €14.90 is still due." in text
    )
    # the rest, with the bank details and reference of the order confirmation
    assert "Please transfer €14.90 to the following account, quoting your order number" in text
    assert ShopSettings.load().bank_details in text and f"Reference: {order.number}" in text
    assert "We will ship your order as soon as the rest has arrived." in text
    assert "Received so far" not in text  # one part so far: said once
    html = visible(mail.body_html)
    assert "€14.90 is still due" in html and ShopSettings.load().bank_details in html
    assert not mails("order_payment_received")


def test_an_invoiced_order_asks_for_the_rest_with_the_invoices_reference(
    make_order, invoice_payment
):
    """The invoice asks for its number as the reference; the part-payment e-mail asked for
    the order's number, another one (an audit)."""
    order = make_order(payment_method_id=invoice_payment.pk)
    invoice = services.create_invoice(order)
    services.mark_paid(order, amount=D("10.00"))
    text = plain(mails("order_part_payment")[-1].body_text)
    assert f"quoting your invoice number {invoice.number} as the reference" in text
    assert f"Reference: {invoice.number}" in text
    assert f"Reference: {order.number}" not in text


def test_a_second_part_says_what_arrived_in_all(order):
    services.mark_paid(order, amount=D("10.00"))
    services.mark_paid(order, amount=D("4.90"))
    order = reload(order)
    assert order.payment_status == PARTLY_PAID
    assert order.received_total == D("14.90") and order.balance_due == D("10.00")
    text = plain(mails("order_part_payment")[-1].body_text)
    assert "€4.90 for order" in text and "€10.00 is still due" in text
    assert "Received so far: €14.90." in text


def test_the_part_that_completes_the_balance_marks_the_order_paid(order):
    services.mark_paid(order, amount=D("10.00"))
    services.mark_paid(order, amount=D("14.90"))

    order = reload(order)
    assert order.payment_status == Order.PaymentStatus.PAID and order.paid_at is not None
    assert order.overpaid_total == 0 and order.due_now == 0
    assert "Payment of €14.90 received via Prepayment." in events(order)
    # the payment-received e-mail says the whole was received
    [mail] = mails("order_payment_received")
    assert f"we have received your payment of €24.90 for order {order.number}" in plain(
        mail.body_text
    )
    assert "more than was due" not in mail.body_text


def test_the_rest_marked_paid_without_an_amount_completes_it(order):
    services.mark_paid(order, amount=D("10.00"))
    services.mark_paid(order)
    order = reload(order)
    assert order.payment_status == Order.PaymentStatus.PAID
    assert "Payment of €14.90 received via Prepayment." in events(order)
    assert "your payment of €24.90" in plain(mails("order_payment_received")[0].body_text)


def test_more_than_the_rest_is_an_overpayment(order):
    services.mark_paid(order, amount=D("10.00"))
    services.mark_paid(order, amount=D("20.00"))
    order = reload(order)
    assert order.overpaid_total == D("5.10") and order.overpayment_pending
    assert order.payment_status == Order.PaymentStatus.REFUND_PENDING
    assert "€5.10 more than the €14.90 due was paid: to pay back via Prepayment." in events(order)


@pytest.mark.parametrize("amount", [D("0"), D("-1")])
def test_nothing_received_is_still_refused(order, amount):
    with pytest.raises(services.OrderError) as raised:
        services.mark_paid(order, amount=amount)
    assert raised.value.field == "amount"
    assert reload(order).payment_status == Order.PaymentStatus.UNPAID


def test_an_authorized_card_payment_is_captured_whole(make_order, customer):
    card_order = make_order(customer=customer)  # the checkout's card payment: authorized
    assert card_order.payment_status == Order.PaymentStatus.AUTHORIZED
    with pytest.raises(services.OrderError, match="less than the €24.90 due"):
        services.mark_paid(card_order, amount=D("10.00"))
    card_order = reload(card_order)
    assert card_order.payment_status == Order.PaymentStatus.AUTHORIZED
    assert card_order.received_total == 0


@pytest.mark.django_db(transaction=True)
def test_two_part_payments_at_once_both_count(make_order, prepayment):
    order = make_order(payment_method_id=prepayment.pk)
    amounts = [D("5.00"), D("7.00")]

    outcomes = run_concurrently(lambda i: services.mark_paid(order, amount=amounts[i]), 2)

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    order = reload(order)
    # the row lock serialises them: neither overwrites the other's part
    assert order.received_total == D("12.00") and order.balance_due == D("12.90")
    assert order.payment_status == PARTLY_PAID
    parts = [t for t in events(order) if t.startswith("Part payment of")]
    assert len(parts) == 2
    assert {"€24.90 still due" in t for t in parts} == {False}  # each saw the other's part
    assert len(mails("order_part_payment")) == 2


def test_canceling_a_partly_paid_order_owes_the_part_payments_back(order, admin_client):
    services.mark_paid(order, amount=D("10.00"))
    confirm = admin_client.get(reverse("admin:orders_order_cancel", args=[order.pk]))
    assert "Part payments of €10.00 have been received: pay them back" in plain(
        confirm.content.decode()
    )

    services.cancel_order(order)

    order = reload(order)
    assert order.status == Order.Status.CANCELED
    assert order.payout_due == D("10.00") and order.payout_pending
    assert order.payment_status == Order.PaymentStatus.REFUND_PENDING
    assert "€10.00 to pay back via Prepayment." in events(order)
    text = plain(mails("order_canceled")[0].body_text)
    assert "We will transfer €10.00 back to the account your payment came from" in text
    assert "Nothing is to be paid for this order any more" not in text
    listed = admin_client.get(
        reverse("admin:orders_order_changelist") + "?payout_due__gt=0&payout_done_at__isnull=True"
    )
    assert order.number in listed.content.decode()

    services.mark_cancellation_refunded(order)
    order = reload(order)
    assert order.payment_status == Order.PaymentStatus.REFUNDED and not order.payout_pending


def test_a_credit_note_first_reduces_what_is_still_due(order):
    services.create_invoice(order)
    services.mark_paid(order, amount=D("10.00"))
    services.create_credit_note(order, adjustment="5.00", adjustment_text="Goodwill")
    order = reload(order)
    assert order.payment_status == PARTLY_PAID
    assert order.balance_due == D("9.90") and order.overpaid_total == 0
    assert limits.open_amount(order.customer) == D("9.90")


def test_a_credit_note_covering_the_rest_makes_the_order_paid(order):
    services.create_invoice(order)
    services.mark_paid(order, amount=D("10.00"))
    services.create_credit_note(order, adjustment="14.90", adjustment_text="Goodwill")

    order = reload(order)
    # paid, part of it credited: partly refunded, nothing owed back
    assert order.payment_status == Order.PaymentStatus.PARTLY_REFUNDED and order.paid_at
    assert order.overpaid_total == 0 and order.due_now == 0
    assert (
        "The part payments received (€10.00) now cover the €10.00 due: the order is paid."
        in events(order)
    )


def test_a_credit_note_beyond_the_rest_pays_the_excess_back_itself(order, admin_client):
    """Order 24.90, 10.00 arrived, a note of 20.00: 14.90 comes off what is due and the note
    pays back the 5.10 the part payments now exceed it by — its PDF and e-mail say so, and it
    is listed under "Refunds to pay out" (not taken off what is still due)."""
    services.create_invoice(order)
    services.mark_paid(order, amount=D("10.00"))
    plan = services.refunds.preview_credit_note(
        order, adjustment=D("20.00"), adjustment_text="Goodwill"
    )
    assert plan.due_reduction == D("14.90") and plan.overpaid_total == D("5.10")
    assert plan.paid_total == D("5.10")

    note = services.create_credit_note(order, adjustment="20.00", adjustment_text="Goodwill")

    assert (note.due_reduction, note.paid_total) == (D("14.90"), D("5.10"))
    order = reload(order)
    assert order.overpaid_total == 0 and order.due_now == 0
    assert order.payment_status == Order.PaymentStatus.REFUND_PENDING
    start = admin_client.get(reverse("admin:index")).content.decode()
    assert '1</span><span class="label">Refunds to pay out' in start
    services.mark_refunded(note)
    assert reload(order).payment_status == Order.PaymentStatus.PARTLY_REFUNDED


def test_the_goods_of_a_partly_paid_prepayment_order_do_not_ship(order):
    services.mark_paid(order, amount=D("10.00"))
    order = Order.objects.select_related("payment_method").get(pk=order.pk)
    assert not order.payment_allows_shipping
    assert not Order.objects.ready_to_ship().filter(pk=order.pk).exists()
    assert Order.objects.awaiting_payment_to_ship().filter(pk=order.pk).exists()
    services.mark_paid(order, amount=D("14.90"))
    assert Order.objects.ready_to_ship().filter(pk=order.pk).exists()


def test_an_invoice_issued_while_partly_paid_counts_the_part_payments_as_prepaid(order):
    services.mark_paid(order, amount=D("10.00"))
    invoice = services.create_invoice(order)
    invoice = Invoice.objects.get(pk=invoice.pk)
    assert invoice.paid_total == D("10.00") and invoice.open_total == D("14.90")
    figures = einvoice.document_figures(einvoice.invoice_snapshot(invoice))
    assert figures.prepaid_total == D("10.00") and figures.due_total == D("14.90")


def test_the_backoffice_order_page_shows_the_part_payments(order, admin_client):
    services.mark_paid(order, amount=D("10.00"))
    page = plain(
        admin_client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    )
    assert 'Part payments received</th><td class="part-payments">€10.00' in page
    assert 'Still due</th><td><strong class="still-due">€14.90' in page
    assert "less than is due is recorded as a part payment" in page
    assert 'value="14.90"' in page  # the form offers the rest


def test_the_backoffice_records_a_part_payment(order, admin_client):
    mark = reverse("admin:orders_order_mark_paid", args=[order.pk])
    response = admin_client.post(mark, fresh({"amount": "10.00"}), follow=True)
    said = [str(m) for m in response.context["messages"]]
    assert f"Part payment recorded for order {order.number}: €14.90 still due." in said
    assert not any("marked as paid" in m for m in said)
    assert reload(order).received_total == D("10.00")


def test_the_customer_pages_show_the_part_payment_and_what_is_still_due(order):
    services.mark_paid(order, amount=D("10.00"))
    client = Client()
    client.force_login(order.customer)
    account = client.get(reverse("orders:account_order", args=[order.number])).content.decode()
    with translation.override("en"):
        guest = client.get(links.status_path(order)).content.decode()
    for html in (account, guest):
        totals = tfoot(html)
        assert "Part payments received – Prepayment −€10.00" in totals
        assert "Still due €14.90" in totals
        assert "Partly paid" in visible(html)
        # the bank details ask for the rest only
        assert "Please transfer €14.90 quoting order" in visible(html)


def test_the_start_page_counts_the_transfers_awaited_and_links_the_list(
    order, make_order, prepayment, admin_client, customer
):
    services.mark_paid(order, amount=D("10.00"))
    unpaid = make_order(payment_method_id=prepayment.pk)
    paid = make_order(payment_method_id=prepayment.pk)
    services.mark_paid(paid)
    canceled = make_order(payment_method_id=prepayment.pk)
    services.cancel_order(canceled)
    card = make_order()  # authorized card payment: not a transfer

    start = admin_client.get(reverse("admin:index")).content.decode()
    assert '2</span><span class="label">Bank transfers awaited' in start
    url = reverse("admin:orders_order_changelist") + "?awaited=transfer"
    assert url.replace("&", "&amp;") in start or url in start
    listed = admin_client.get(url)
    assert listed.status_code == 200
    html = listed.content.decode()
    for shown in (order, unpaid):
        assert shown.number in html
    for hidden in (paid, canceled, card):
        assert hidden.number not in html
    # the payment status filter offers "Partly paid"
    assert "payment_status__exact=partly_paid" in html and "Partly paid" in html
    partly = admin_client.get(
        reverse("admin:orders_order_changelist") + "?payment_status__exact=partly_paid"
    ).content.decode()
    assert order.number in partly and unpaid.number not in partly


def test_the_tile_is_for_the_payments_role(order, client, django_user_model):
    from django.contrib.auth.models import Permission

    services.mark_paid(order, amount=D("10.00"))
    clerk = django_user_model.objects.create_user(
        email="viewer@example.com", password="x", is_staff=True
    )
    clerk.user_permissions.add(Permission.objects.get(codename="view_order"))
    client.force_login(clerk)
    start = client.get(reverse("admin:index")).content.decode()
    assert "Bank transfers awaited" not in start


def test_the_open_amount_of_a_customer_counts_what_is_still_due(order, make_order, customer):
    other = make_order(customer=customer, payment_method_id=order.payment_method_id)
    assert limits.open_amount(customer) == D("49.80")
    services.mark_paid(order, amount=D("10.00"))
    assert limits.open_amount(customer) == D("39.80")
    assert Order.objects.filter(pk__in=[order.pk, other.pk]).open_amount() == D("39.80")
    services.mark_paid(order, amount=D("14.90"))
    assert limits.open_amount(customer) == D("24.90")


def test_a_guest_with_a_partly_paid_order_is_not_erased(make_order, prepayment, staff):
    """The shop holds part of the guest's money: the erasure waits, as for a paid order."""
    from customers.services import CustomerError, delete_guest

    guest = make_order(payment_method_id=prepayment.pk, email="gerda.gast@example.org")
    services.mark_paid(guest, amount="10.00")
    with pytest.raises(CustomerError, match=guest.number):
        delete_guest("gerda.gast@example.org", by=staff)
    guest.refresh_from_db()
    assert guest.payment_status == PARTLY_PAID and guest.billing_last_name != "Deleted"


def test_partly_paid_without_money_received_is_refused_by_the_database(order):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=order.pk).update(payment_status=PARTLY_PAID)


def test_the_excess_of_part_payments_can_go_to_the_account_credit(order):
    services.create_invoice(order)
    services.mark_paid(order, amount=D("10.00"))
    note = services.create_credit_note(
        order, adjustment="20.00", adjustment_text="Goodwill", to_account=True
    )
    assert (note.due_reduction, note.account_total, note.paid_total) == (
        D("14.90"),
        D("5.10"),
        0,
    )
    assert reload(order).payment_status == Order.PaymentStatus.PARTLY_REFUNDED


def test_the_full_refund_of_a_partly_paid_order_pays_the_part_payments_back(order):
    services.create_invoice(order)
    services.mark_paid(order, amount=D("10.00"))
    services.refund_order(order)
    note = CreditNote.objects.get(invoice__order=order)
    assert note.is_final and note.paid_total == D("10.00")
    order = reload(order)
    assert order.status == Order.Status.CLOSED
    assert order.payment_status == Order.PaymentStatus.REFUND_PENDING
    services.mark_refunded(note)
    assert reload(order).payment_status == Order.PaymentStatus.REFUNDED


def test_an_invoice_issued_before_a_part_payment_says_it_arrived_since(order):
    from orders import pdf

    invoice = services.create_invoice(order)
    services.mark_paid(order, amount=D("10.00"))
    context = pdf.invoice_context(Invoice.objects.get(pk=invoice.pk))
    terms = context["payment"]
    assert (terms.open, terms.received, terms.credited) == (D("14.90"), D("10.00"), 0)
    assert terms.since_issue
