""" "Mark as paid" records what arrived. A prepayment order reduced by a credit note and then
paid in full left the difference invisible: the customer was owed money nobody saw. Now more
than is due is an overpayment to pay back ("Refund pending", a start-page tile, the customer's
order page, an e-mail once paid back); less than is due is a part payment
(tests/orders/test_part_payments.py), nothing at all is refused and changes nothing."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from orders import services
from orders.models import Order
from shop.mail import written
from shop.models import OutboxEmail
from tests.formtokens import fresh

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def credited_order(make_order, prepayment):
    """Invoiced, unpaid, and a 5.00 goodwill credit note: 24.90 - 5.00 = 19.90 due."""
    order = make_order(payment_method_id=prepayment.pk)
    services.create_invoice(order)
    services.create_credit_note(order, adjustment="5.00", adjustment_text="Kulanz")
    order = Order.objects.get(pk=order.pk)
    assert order.balance_due == D("19.90")
    return order


def _events(order):
    return [c.display_text for c in Order.objects.get(pk=order.pk).comments.all()]


def test_the_whole_original_amount_paid_after_a_credit_note_is_owed_back(credited_order):
    services.mark_paid(credited_order, amount=D("24.90"))
    order = Order.objects.get(pk=credited_order.pk)
    assert order.overpaid_total == D("5.00") and order.overpayment_pending
    assert order.payment_status == Order.PaymentStatus.REFUND_PENDING
    events = _events(order)
    assert any("Payment of €24.90 received via Prepayment." in t for t in events)
    assert any(
        "€5.00 more than the €19.90 due was paid: to pay back via Prepayment." in t for t in events
    )

    services.mark_overpayment_paid_back(order)
    order = Order.objects.get(pk=order.pk)
    assert order.overpaid_returned_at is not None and not order.overpayment_pending
    # the credit note's part was credited: the order stands, partly refunded
    assert order.payment_status == Order.PaymentStatus.PARTLY_REFUNDED
    assert any("Overpayment of €5.00 paid back via Prepayment." in t for t in _events(order))
    sent = written(OutboxEmail.objects.get(template="order_refund_paid_out", to=[order.email]))
    text = " ".join(sent.body_text.split())
    assert (
        # paid back by bank transfer: to the bank account, not "via Prepayment"
        f"we have transferred €5.00 back to your bank account: the amount you paid in excess "
        f"for your order {order.number}." in text
    )
    with pytest.raises(services.OrderError, match="already been marked as paid back"):
        services.mark_overpayment_paid_back(order)


def test_an_overpaid_order_without_credit_notes_is_paid_again_once_paid_back(
    make_order, prepayment
):
    order = make_order(payment_method_id=prepayment.pk)
    services.mark_paid(order, amount=D("42.90"))  # typed 42.90 for 24.90
    order = Order.objects.get(pk=order.pk)
    assert order.overpaid_total == D("18.00")
    # the invoice of an overpaid order says it is paid (what was due, not the excess)
    invoice = services.create_invoice(order)
    assert invoice.paid_total == D("24.90") and invoice.open_total == 0
    services.mark_overpayment_paid_back(order)
    order = Order.objects.get(pk=order.pk)
    assert order.payment_status == Order.PaymentStatus.PAID


def test_the_exact_amount_or_none_is_the_old_mark_paid(make_order, prepayment):
    one = make_order(payment_method_id=prepayment.pk)
    two = make_order(payment_method_id=prepayment.pk)
    services.mark_paid(one, amount=D("24.90"))
    services.mark_paid(two)
    for order in (one, two):
        order = Order.objects.get(pk=order.pk)
        assert order.payment_status == Order.PaymentStatus.PAID and order.overpaid_total == 0
    with pytest.raises(services.OrderError, match="no overpayment to pay back"):
        services.mark_overpayment_paid_back(one)


@pytest.mark.parametrize("amount", [D("0"), D("-5")])
def test_no_amount_is_refused_and_changes_nothing(credited_order, amount):
    before = len(_events(credited_order))
    with pytest.raises(services.OrderError) as raised:
        services.mark_paid(credited_order, amount=amount)
    assert raised.value.field == "amount"
    order = Order.objects.get(pk=credited_order.pk)
    assert order.payment_status == Order.PaymentStatus.UNPAID and order.paid_at is None
    assert order.overpaid_total == 0 and len(_events(order)) == before


def test_an_amount_for_an_order_already_paid_is_refused(make_order, prepayment):
    """ "Mark as paid" again (a page sent twice, a second tab) books nothing; money that did
    arrive twice is "Record payment received" (tests/orders/test_payment_owed_back.py)."""
    order = make_order(payment_method_id=prepayment.pk)
    services.mark_paid(order)
    with pytest.raises(services.OrderError, match="already marked as paid"):
        services.mark_paid(order, amount=D("10.00"))
    assert Order.objects.get(pk=order.pk).overpaid_total == 0


def test_cancelling_an_overpaid_order_owes_both_back(make_order, prepayment):
    order = make_order(payment_method_id=prepayment.pk)
    services.mark_paid(order, amount=D("30.00"))
    services.cancel_order(order)
    order = Order.objects.get(pk=order.pk)
    assert order.payout_due == D("24.90") and order.overpaid_total == D("5.10")
    assert order.payment_status == Order.PaymentStatus.REFUND_PENDING
    services.mark_cancellation_refunded(order)
    order = Order.objects.get(pk=order.pk)
    assert order.payment_status == Order.PaymentStatus.REFUND_PENDING  # 5.10 still owed
    services.mark_overpayment_paid_back(order)
    order = Order.objects.get(pk=order.pk)
    assert order.payment_status == Order.PaymentStatus.REFUNDED


def test_the_database_keeps_an_owed_overpayment_refund_pending(make_order, prepayment):
    order = make_order(payment_method_id=prepayment.pk)
    services.mark_paid(order, amount=D("30.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=order.pk).update(payment_status="paid")
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=order.pk).update(overpaid_total=D("-1.00"))
    unpaid = make_order(payment_method_id=prepayment.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=unpaid.pk).update(overpaid_total=D("1.00"))


def test_the_backoffice_records_the_amount_and_lists_the_overpayment(admin_client, credited_order):
    url = reverse("admin:orders_order_change", args=[credited_order.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="amount"' in page and 'value="19.90"' in page

    mark = reverse("admin:orders_order_mark_paid", args=[credited_order.pk])
    response = admin_client.post(mark, fresh({"amount": "nineteen"}), follow=True)
    assert any(
        "Amount received: Please enter an amount like 25.00." in str(m)
        for m in response.context["messages"]
    )
    response = admin_client.post(mark, fresh({"amount": "10.00"}), follow=True)
    # less than is due: a part payment, 9.90 still due
    assert any(
        "Part payment recorded for order" in str(m) and "€9.90 still due" in str(m)
        for m in response.context["messages"]
    )
    assert Order.objects.get(pk=credited_order.pk).payment_status == "partly_paid"

    admin_client.post(mark, fresh({"amount": "14.90"}))
    order = Order.objects.get(pk=credited_order.pk)
    assert order.overpaid_total == D("5.00")
    start = admin_client.get(reverse("admin:index")).content.decode()
    assert '1</span><span class="label">Overpayments to pay back' in start
    listed = admin_client.get(
        reverse("admin:orders_order_changelist")
        + "?overpaid_total__gt=0&overpaid_returned_at__isnull=True"
    )
    assert listed.status_code == 200 and order.number in listed.content.decode()
    page = admin_client.get(url).content.decode()
    assert "To pay back via Prepayment: €5.00" in page

    admin_client.post(reverse("admin:orders_order_overpaid_back", args=[order.pk]))
    page = admin_client.get(url).content.decode()
    assert "€5.00 paid back via Prepayment on" in page
    start = admin_client.get(reverse("admin:index")).content.decode()
    assert '0</span><span class="label">Overpayments to pay back' in start


def test_the_amount_is_read_in_the_operators_language(admin_client, staff, credited_order):
    staff.language = "de"
    staff.save(update_fields=["language"])
    page = admin_client.get(
        reverse("admin:orders_order_change", args=[credited_order.pk])
    ).content.decode()
    assert 'value="19,90"' in page
    admin_client.post(
        reverse("admin:orders_order_mark_paid", args=[credited_order.pk]),
        fresh({"amount": "24,90"}),
    )
    assert Order.objects.get(pk=credited_order.pk).overpaid_total == D("5.00")


def test_the_customer_sees_the_overpayment_on_the_order_page(client, credited_order):
    services.mark_paid(credited_order, amount=D("24.90"))
    order = Order.objects.get(pk=credited_order.pk)
    client.force_login(order.customer) if order.customer else None
    from orders import links

    page = client.get(links.customer_order_url(order)).content.decode()
    assert "You paid €5.00 more than was due." in page
    assert "We will transfer €5.00 back to the account your payment came from" in page


def test_the_customer_is_told_the_payment_arrived_and_the_excess_goes_back(credited_order):
    services.mark_paid(credited_order, amount=D("24.90"))
    sent = written(
        OutboxEmail.objects.get(template="order_payment_received", to=[credited_order.email])
    )
    assert sent.subject == f"Payment received for your order {credited_order.number}"
    for body in (sent.body_text, sent.body_html):
        text = " ".join(body.split())
        assert f"we have received your payment of €24.90 for order {credited_order.number}." in text
        assert "You paid €5.00 more than was due." in text
        assert "We will transfer €5.00 back to the account your payment came from" in text
        assert "We are now preparing your order for shipping" in text


def test_no_payment_e_mail_for_a_card_capture_or_a_german_one_in_german(make_order, prepayment):
    card = make_order()  # the default method is a card: authorized at checkout
    services.mark_paid(card)
    assert not OutboxEmail.objects.filter(template="order_payment_received").exists()
    german = make_order(payment_method_id=prepayment.pk, language="de")
    assert german.language == "de"
    services.mark_paid(german)
    sent = written(OutboxEmail.objects.get(template="order_payment_received"))
    assert sent.subject == f"Zahlung für Ihre Bestellung {german.number} erhalten"
