"""What credit notes and payouts tell the customer, and the payer's list of refunds to pay out.

1. The credit-note PDF says where each part of the money went, each sentence only where it is
   true: back on the gift card, back on the account credit the order was paid with, or —
   refunded "to account" at the customer's wish — credited as store credit. Its lines look
   like the invoice's: net unit prices to four decimals, net amounts, the gross beside them.
2. Paid back by bank transfer (prepayment, pay on invoice, cash on delivery) the money was
   "transferred back to your bank account", not "refunded via Vorkasse"; a card refund still
   names the method. The credit-note PDF, the customer's order pages and the paid-out e-mail.
3. "Refunds to pay out" (``?payout=pending``): who gets how much by which method, since when,
   oldest first, in a constant number of queries.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from giftcards import services as giftcard_services
from orders import links, pdf, services
from orders.models import CreditNote, Order
from shop.mail import written
from shop.models import OutboxEmail, PaymentMethod
from tests.factories import PaymentMethodFactory, ProductFactory, UserFactory

from .factories import ship_all
from .test_documents import pdf_text

pytestmark = pytest.mark.django_db
D = Decimal

OLD_SENTENCE = "What you paid with a gift card or account credit"
BANK_KINDS = [PaymentMethod.Kind.PREPAYMENT, PaymentMethod.Kind.INVOICE, PaymentMethod.Kind.COD]
NAMES = {
    PaymentMethod.Kind.CARD: "Credit card",
    PaymentMethod.Kind.PREPAYMENT: "Vorkasse",
    PaymentMethod.Kind.INVOICE: "Pay on invoice",
    PaymentMethod.Kind.COD: "Cash on delivery",
}


def flat(text):
    return " ".join(text.split())


def visible(html):
    html = html.split("<footer")[0]
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return flat(re.sub(r"<[^>]+>", " ", html))


def method(kind):
    return PaymentMethodFactory(code=f"m-{kind}", name=NAMES[kind], kind=kind)


@pytest.fixture
def lamp(db):
    return ProductFactory(name="Lamp", price=D("30.00"), stock=10)


@pytest.fixture
def erika(db):
    return UserFactory(email="erika@example.com")


def delivered(make_order, items, customer=None, **kwargs):
    order = make_order(items, customer=customer, **kwargs)
    if not order.is_paid:
        services.mark_paid(order)
    services.create_invoice(order)
    services.create_shipment(order, ship_all(order))
    order = Order.objects.get(pk=order.pk)
    assert order.is_paid
    return order


def credit_note_text(note):
    note = CreditNote.objects.select_related("invoice__order").get(pk=note.pk)
    return flat(pdf_text(pdf.render_credit_note(note)))


def give_credit(customer, amount):
    giftcard_services.adjust_account(
        giftcard_services.account_for(customer), amount, "Goodwill", UserFactory(is_superuser=True)
    )


# --- 1. where the money of a credit note went ----------------------------------------------


def test_a_gift_card_payment_is_back_on_the_card_and_nothing_is_said_of_an_account(
    make_order, lamp
):
    card = giftcard_services.issue_cards(D("20.00"))[0]
    order = delivered(make_order, {lamp.pk: 2}, giftcard_number=card.number)
    note = services.create_credit_note(order, {order.lines.get().pk: 1})
    assert (note.giftcard_total, note.credit_total, note.paid_total) == (D("20.00"), 0, D("10.00"))
    text = credit_note_text(note)
    assert "What you paid with a gift card is back on the card (€20.00)." in text
    assert "Back to the gift card €20.00" in text
    assert "account credit" not in text and "store credit" not in text
    assert OLD_SENTENCE not in text


def test_account_credit_used_at_checkout_is_back_on_the_account(make_order, lamp, erika):
    give_credit(erika, D("10.00"))
    order = delivered(make_order, {lamp.pk: 2}, erika, use_credit=True)
    assert order.credit_total == D("10.00")
    note = services.create_credit_note(order, {order.lines.get().pk: 1})
    assert (note.credit_total, note.paid_total) == (D("10.00"), D("20.00"))
    assert (note.credit_back, note.account_total) == (D("10.00"), D("0.00"))
    text = credit_note_text(note)
    assert "What you paid with account credit is back in your customer account (€10.00)." in text
    assert "Back to the account credit €10.00" in text
    assert "store credit" not in text and OLD_SENTENCE not in text


def test_a_refund_to_account_is_store_credit_not_money_paid_with_credit(make_order, lamp, erika):
    """No account credit paid for the order: all the note's ``credit_total`` is the refund
    booked to the account at the customer's wish — never "what you paid with"."""
    order = delivered(make_order, {lamp.pk: 2}, erika)
    note = services.create_credit_note(order, {order.lines.get().pk: 1}, to_account=True)
    assert (note.credit_total, note.paid_total) == (D("30.00"), 0)
    assert (note.credit_back, note.account_total) == (D("0.00"), D("30.00"))
    text = credit_note_text(note)
    assert (
        "The refund has been credited to your customer account as store credit (€30.00), "
        "usable for your next orders." in text
    )
    assert "Credited as store credit €30.00" in text
    assert "What you paid with" not in text and "Back to the account credit" not in text


def test_checkout_credit_first_then_store_credit_over_the_notes_in_their_order(
    make_order, lamp, erika
):
    """The refund steps give back the checkout's account credit before anything goes to the
    account instead of a payout: the first note splits, a later one is store credit only."""
    give_credit(erika, D("10.00"))
    order = delivered(make_order, {lamp.pk: 2}, erika, use_credit=True)
    line = order.lines.get()
    first = services.create_credit_note(order, {line.pk: 1}, to_account=True)
    second = services.create_credit_note(
        Order.objects.get(pk=order.pk), {line.pk: 1}, to_account=True
    )
    assert (first.credit_total, second.credit_total) == (D("30.00"), D("30.00"))
    assert (first.credit_back, first.account_total) == (D("10.00"), D("20.00"))
    assert (second.credit_back, second.account_total) == (D("0.00"), D("30.00"))
    text = credit_note_text(first)
    assert "What you paid with account credit is back in your customer account (€10.00)." in text
    assert "as store credit (€20.00), usable for your next orders" in text
    later = credit_note_text(second)
    assert "as store credit (€30.00)" in later and "What you paid with" not in later


def test_the_credit_note_lines_are_laid_out_like_the_invoice(make_order):
    """Net unit prices to four decimals, net amounts and the gross beside them, the same
    columns and sums as the invoice — the credited amounts with their minus."""
    pot = ProductFactory(name="Coffee pot", price=D("34.90"), tax_rate=D("19.00"))
    jam = ProductFactory(name="Jam", price=D("6.50"), tax_rate=D("7.00"))
    order = delivered(make_order, {pot.pk: 1, jam.pk: 2})
    note = services.create_credit_note(order, {order.lines.get(product=pot).pk: 1})
    invoice_text = flat(pdf_text(pdf.render_invoice(order.invoice)))
    text = credit_note_text(note)
    header = "Unit price (net) VAT Net amount incl. VAT"
    assert header in invoice_text and header in text
    assert "Coffee pot SKU" in text and "€29.3277" in invoice_text and "€29.3277" in text
    assert "€6.0748" in invoice_text  # one precision for the column: four decimals
    assert re.search(r"€29\.3277 19% −€29\.33 −€34\.90", text)
    for row in ("Sum of the lines (net) −€29.33", "Total net −€29.33", "Total VAT −€5.57"):
        assert row in text
    assert "Credit-note total −€34.90" in text


def test_a_note_with_only_the_balance_of_earlier_adjustments_names_it(make_order, lamp):
    order = delivered(make_order, {lamp.pk: 2})
    services.create_credit_note(order, adjustment="5.00", adjustment_text="Goodwill")
    services.refund_order(Order.objects.get(pk=order.pk))
    last = CreditNote.objects.get(is_final=True)
    assert last.adjustment == D("-5.00") and not last.adjustment_text
    text = credit_note_text(last)
    assert "Balance of earlier adjustments" in text and "Adjustment" not in text


# --- 2. paid back by bank transfer or via the method ---------------------------------------


@pytest.mark.parametrize("kind", [PaymentMethod.Kind.CARD, *BANK_KINDS])
def test_the_shared_payout_sentence_by_kind(kind):
    with translation.override("en"):
        said = render_to_string(
            "emails/_refund_payout.txt",
            {"amount": "€9.00", "method": NAMES[kind], "kind": kind, "done_on": "3 Dec 2026"},
        )
    if kind == PaymentMethod.Kind.CARD:
        assert said == "€9.00 refunded via Credit card on 3 Dec 2026"
    else:
        assert said == "€9.00 transferred back to your bank account on 3 Dec 2026"


@pytest.mark.parametrize("kind", [PaymentMethod.Kind.CARD, *BANK_KINDS])
def test_a_credit_note_paid_out_says_how_in_its_pdf_and_e_mail(make_order, lamp, kind):
    order = delivered(make_order, {lamp.pk: 2}, payment_method_id=method(kind).pk)
    note = services.create_credit_note(order, {order.lines.get().pk: 1})
    assert note.paid_total == D("30.00")
    services.mark_refunded(note)
    text = credit_note_text(note)
    mail = written(OutboxEmail.objects.get(template="order_refund_paid_out", to=[order.email]))
    said = [flat(mail.body_text), visible(mail.body_html)]
    if kind == PaymentMethod.Kind.CARD:
        assert "€30.00 refunded via Credit card on" in text
        assert "Refund via Credit card €30.00" in text
        for body in said:
            assert (
                f"we have paid back €30.00 via Credit card: the refund of credit note {note.number}"
                in body
            )
    else:
        assert "€30.00 transferred back to your bank account on" in text
        assert "Refund by bank transfer €30.00" in text
        assert f"via {NAMES[kind]}" not in text
        for body in said:
            assert (
                f"we have transferred €30.00 back to your bank account: the refund of credit "
                f"note {note.number} for your order {order.number}." in body
            )
            assert "via" not in body.split("Hello")[-1].split("View your order")[0]


def paid_and_canceled(make_order, kind):
    customer = UserFactory()
    order = make_order(customer=customer, email=customer.email, payment_method_id=method(kind).pk)
    services.mark_paid(order)
    services.cancel_order(order)
    services.mark_cancellation_refunded(Order.objects.get(pk=order.pk))
    return Order.objects.get(pk=order.pk)


def customer_pages(client, order):
    client.force_login(order.customer)
    account = client.get(order.get_absolute_url())
    client.logout()
    with translation.override("en"):
        guest = client.get(links.status_path(order))
    assert account.status_code == guest.status_code == 200
    return visible(account.content.decode()), visible(guest.content.decode())


@pytest.mark.parametrize("kind", [PaymentMethod.Kind.CARD, *BANK_KINDS])
def test_a_canceled_order_paid_back_says_how_on_its_pages_and_in_the_e_mail(
    client, make_order, kind
):
    order = paid_and_canceled(make_order, kind)
    mail = written(OutboxEmail.objects.get(template="order_refund_paid_out", to=[order.email]))
    body = flat(mail.body_text)
    name = NAMES[kind]
    for page in customer_pages(client, order):
        if kind == PaymentMethod.Kind.CARD:
            assert f"€24.90 paid back via {name} on" in page
        else:
            assert "€24.90 transferred back to your bank account on" in page
            assert f"via {name}" not in page
    if kind == PaymentMethod.Kind.CARD:
        assert f"we have paid back €24.90 via {name} for your canceled order" in body
    else:
        assert (
            f"we have transferred €24.90 back to your bank account for your canceled order "
            f"{order.number}." in body
        )
        assert f"via {name}" not in body


@pytest.mark.parametrize("kind", [PaymentMethod.Kind.PREPAYMENT, PaymentMethod.Kind.COD])
def test_an_overpayment_paid_back_says_it_went_to_the_bank_account(client, make_order, kind):
    customer = UserFactory()
    order = make_order(customer=customer, email=customer.email, payment_method_id=method(kind).pk)
    services.create_invoice(order)
    services.create_credit_note(order, adjustment="5.00", adjustment_text="Goodwill")
    services.mark_paid(Order.objects.get(pk=order.pk), amount=D("24.90"))
    services.mark_overpayment_paid_back(Order.objects.get(pk=order.pk))
    order = Order.objects.get(pk=order.pk)
    for page in customer_pages(client, order):
        assert (
            "You paid €5.00 more than was due; it was transferred back to your bank account on"
            in page
        )
        assert "paid back via" not in page
    mail = written(OutboxEmail.objects.get(template="order_refund_paid_out", to=[order.email]))
    for body in (flat(mail.body_text), visible(mail.body_html)):
        assert (
            "we have transferred €5.00 back to your bank account: the amount you paid in excess "
            f"for your order {order.number}." in body
        )


def test_a_card_orders_overpayment_went_back_by_bank_transfer():
    """An overpayment arrives by bank transfer (a card is captured for what was authorized,
    never more), so it goes back by transfer, whatever the order's method: the page does
    not say "paid back via Credit card"."""
    order = Order(
        currency="EUR",
        overpaid_total=D("5.00"),
        overpaid_returned_at=timezone.now(),
        payment_method=PaymentMethod(name="Credit card", kind=PaymentMethod.Kind.CARD),
    )
    with translation.override("en"):
        html = render_to_string("orders/_payout_notice.html", {"order": order})
    assert "it was transferred back to your bank account on" in visible(html)
    assert "Credit card" not in visible(html)


# --- 3. the refunds to pay out ---------------------------------------------------------------


def pending_notes(make_order, lamp, count, start=0):
    notes = []
    for i in range(start, start + count):
        customer = UserFactory(email=f"payee{i}@example.com")
        order = delivered(
            make_order,
            {lamp.pk: 1},
            customer,
            email=customer.email,
            billing={
                "first_name": f"Payee{i}",
                "last_name": "Muster",
                "street": "Musterstraße 1",
                "postcode": "10115",
                "city": "Berlin",
                "country": "DE",
            },
        )
        notes.append(services.create_credit_note(order, {order.lines.get().pk: 1}))
    # issued on different days: the newest first by default, the oldest first when paying
    for age, note in enumerate(reversed(notes), start=1):
        CreditNote.objects.filter(pk=note.pk).update(created=timezone.now() - timedelta(days=age))
    return notes


def test_the_refunds_to_pay_out_show_whom_how_much_by_which_method_oldest_first(
    admin_client, make_order, lamp
):
    notes = pending_notes(make_order, lamp, 3)
    paid = services.create_credit_note(
        delivered(make_order, {lamp.pk: 1}), {Order.objects.latest("pk").lines.get().pk: 1}
    )
    services.mark_refunded(paid)
    url = reverse("admin:orders_creditnote_changelist")
    response = admin_client.get(url + "?payout=pending")
    assert [note.pk for note in response.context["cl"].result_list] == [n.pk for n in notes]
    page = visible(response.content.decode())
    for i, note in enumerate(notes):
        order = note.invoice.order
        assert f"Payee{i} Muster payee{i}@example.com" in page
        assert reverse("admin:orders_order_change", args=[order.pk]) in response.content.decode()
    assert paid.number not in page
    assert page.count("Credit card") >= 3 and page.count("€30.00 · to refund") == 3
    # without the filter: the newest first, as every document list
    listed = admin_client.get(url).context["cl"].result_list
    assert listed[0].pk == paid.pk


def test_the_pending_list_runs_a_constant_number_of_queries(admin_client, make_order, lamp):
    url = reverse("admin:orders_creditnote_changelist") + "?payout=pending"

    def count():
        admin_client.get(url)  # warm the per-request caches
        with CaptureQueriesContext(connection) as ctx:
            response = admin_client.get(url)
        return len(response.context["cl"].result_list), len(ctx.captured_queries)

    pending_notes(make_order, lamp, 1)
    rows_one, one = count()
    pending_notes(make_order, lamp, 3, start=1)
    rows_four, four = count()
    assert (rows_one, rows_four) == (1, 4)
    assert four == one


def test_notes_issued_before_the_field_are_split_by_the_migration(make_order, lamp, erika):
    """Notes issued before ``account_total`` existed kept both parts in ``credit_total``: the
    migration splits them by the rule the refunds followed (the checkout's credit first)."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("orders.migrations.0027_credit_note_store_credit")
    give_credit(erika, D("10.00"))
    order = delivered(make_order, {lamp.pk: 2}, erika, use_credit=True)
    line = order.lines.get()
    first = services.create_credit_note(order, {line.pk: 1}, to_account=True)
    second = services.create_credit_note(
        Order.objects.get(pk=order.pk), {line.pk: 1}, to_account=True
    )
    CreditNote.objects.update(account_total=0)  # as the previous release left them
    migration.split_credit(apps, None)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.credit_back, first.account_total) == (D("10.00"), D("20.00"))
    assert (second.credit_back, second.account_total) == (D("0.00"), D("30.00"))
