"""What the backoffice's after-sales pages say (backoffice audit 2): the full refund's
confirmation names what its credit note will really credit, and says "refunded" only where
money goes back; a return settled by a credit note never claims "Refunded" before the payout
is recorded; no dangling separator on the order page's credit-note line; and a defective or
damaged return does not go back to stock unless the operator says so."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from giftcards import services as giftcard_services
from orders import services
from orders.aftersales import Return
from orders.models import CreditNote, Order
from tests.factories import ProductFactory

from .factories import ship_all

pytestmark = pytest.mark.django_db
D = Decimal


def visible(html):
    if isinstance(html, bytes):
        html = html.decode()
    html = html.split('id="content-main"', 1)[-1].split("<footer")[0]
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def delivered(make_order, **kwargs):
    board = ProductFactory(name="Board", price=D("29.00"), stock=10)
    candles = ProductFactory(name="Candles", price=D("14.90"), stock=10)
    order = make_order({board.pk: 3, candles.pk: 2}, **kwargs)
    services.create_invoice(order)
    services.create_shipment(order, ship_all(order))
    return Order.objects.get(pk=order.pk)


def line_of(order, name):
    return order.lines.get(name=name)


def refund_page(client, order):
    with translation.override("en"):
        return visible(client.get(reverse("admin:orders_order_refund", args=[order.pk])).content)


# --- 1. the full refund's confirmation ----------------------------------------------------


def test_full_refund_after_a_partial_note_names_what_is_left_not_the_order_total(
    admin_client, make_order
):
    order = delivered(make_order)
    services.create_credit_note(order, {line_of(order, "Candles").pk: 1})
    order.refresh_from_db()
    left = order.grand_total - D("14.90")
    page = refund_page(admin_client, order)
    headline = page.split("Credit note of")[0]
    assert f"€{left}" in headline and "€14.90" in headline  # what is left, what was credited
    assert "will be fully refunded" not in page
    assert f"A credit note of €{left} refunds the rest" in headline
    assert "To refund via Credit card" in page


def test_full_refund_of_an_order_not_credited_yet_keeps_its_headline(admin_client, make_order):
    order = delivered(make_order)
    page = refund_page(admin_client, order)
    assert f"Order {order.number} (€{order.grand_total}) will be fully refunded and closed." in page


def test_full_refund_of_an_unpaid_order_says_nothing_is_owed_not_refunded(
    admin_client, make_order, invoice_payment
):
    order = delivered(make_order, payment_method_id=invoice_payment.pk)
    assert order.payment_status == Order.PaymentStatus.UNPAID
    page = refund_page(admin_client, order)
    headline = page.split("Credit note of")[0]
    assert "has not been paid" in headline and "nothing is owed any more" in headline
    assert f"€{order.grand_total}" in headline
    assert "refund" not in headline.lower()
    html = admin_client.get(reverse("admin:orders_order_refund", args=[order.pk])).content
    assert 'value="Yes, credit and close"' in html.decode()
    assert "Yes, refund and close" not in html.decode()
    assert f"<h1>Credit and close order {order.number}?</h1>" in html.decode()
    assert f"<title>Credit and close order {order.number}? |" in html.decode()
    assert "Refund order" not in html.decode()
    assert "completes the refund" not in page

    services.create_credit_note(order, {line_of(order, "Candles").pk: 1})
    order.refresh_from_db()
    page = refund_page(admin_client, order)
    headline = page.split("Credit note of")[0]
    left = order.grand_total - D("14.90")
    assert f"A credit note of €{left} credits the rest" in headline
    assert "nothing is owed any more" in headline and "refund" not in headline.lower()


# --- 2. a return settled by a credit note -------------------------------------------------


def refunded_return(order):
    ret = services.create_return(order, {line_of(order, "Board").pk: 1}, "defective")
    return services.refund_return(ret)


def returns_section(client, order):
    html = client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    return visible(html.split('id="returns"', 1)[1].split("</div>", 1)[0])


def test_a_return_says_refund_pending_until_its_credit_note_is_paid_out(admin_client, make_order):
    order = delivered(make_order)
    ret = refunded_return(order)
    assert Order.objects.get(pk=order.pk).payment_status == Order.PaymentStatus.REFUND_PENDING
    pending = "Credit note issued — refund pending"
    assert pending in returns_section(admin_client, order)
    assert "Refunded" not in returns_section(admin_client, order)
    detail = visible(admin_client.get(reverse("admin:orders_return_change", args=[ret.pk])).content)
    assert pending in detail
    listing = admin_client.get(reverse("admin:orders_return_changelist")).content.decode()
    assert pending in listing and "return-refund-pending" in listing
    filtered = admin_client.get(
        reverse("admin:orders_return_changelist"), {"status": "refund_pending"}
    ).content.decode()
    assert ret.number in filtered
    settled = admin_client.get(
        reverse("admin:orders_return_changelist"), {"status": "settled"}
    ).content.decode()
    assert ret.number not in settled

    services.mark_refunded(CreditNote.objects.get(pk=ret.credit_note_id))
    section = returns_section(admin_client, order)
    assert "Refunded" in section and pending not in section
    settled = admin_client.get(
        reverse("admin:orders_return_changelist"), {"status": "settled"}
    ).content.decode()
    assert ret.number in settled


def test_a_return_of_an_unpaid_order_says_the_amount_due_was_reduced(
    admin_client, make_order, invoice_payment
):
    order = delivered(make_order, payment_method_id=invoice_payment.pk)
    refunded_return(order)
    section = returns_section(admin_client, order)
    assert "Credit note issued — taken off the amount due" in section
    assert "Refunded" not in section and "refund pending" not in section


def test_a_return_paid_by_gift_card_says_where_the_money_went(admin_client, make_order):
    card = giftcard_services.issue_cards(D("500.00"), 1)[0]
    order = delivered(make_order, giftcard_number=card.number)
    assert order.giftcard_total == order.grand_total
    refunded_return(order)
    section = returns_section(admin_client, order)
    assert "Credit note issued — back to the gift card" in section
    assert "Refunded" not in section


def test_the_order_page_reads_the_returns_credit_notes_without_a_query_each(
    admin_client, make_order, django_assert_max_num_queries
):
    order = delivered(make_order)
    refunded_return(order)
    url = reverse("admin:orders_order_change", args=[order.pk])
    with django_assert_max_num_queries(200) as ctx:
        admin_client.get(url)
    one = len(ctx.captured_queries)
    ret = services.create_return(order, {line_of(order, "Board").pk: 1}, "other")
    services.refund_return(ret)
    with django_assert_max_num_queries(one):
        admin_client.get(url)


# --- 3. the credit-note line of the order page --------------------------------------------


def test_credit_note_line_has_no_dangling_separator(admin_client, make_order, invoice_payment):
    order = delivered(make_order, payment_method_id=invoice_payment.pk)
    services.create_credit_note(order, {line_of(order, "Candles").pk: 1})
    html = admin_client.get(reverse("admin:orders_order_change", args=[order.pk])).content
    text = visible(html)
    assert "Taken off the amount still due €14.90" in text
    assert not re.search(r"Taken off the amount still due €14\.90 ·", text)


def test_credit_note_line_separates_its_parts_once(admin_client, make_order):
    card = giftcard_services.issue_cards(D("20.00"), 1)[0]
    order = delivered(make_order, giftcard_number=card.number)
    services.refund_order(order)
    text = visible(admin_client.get(reverse("admin:orders_order_change", args=[order.pk])).content)
    assert "Back to the gift card €20.00 · To refund via Credit card:" in text
    assert "· ·" not in text


# --- 4. back to stock by default ----------------------------------------------------------


@pytest.mark.parametrize(
    "reason, checked",
    [("defective", False), ("damaged", False), ("withdrawal", True), ("wrong_item", True)],
)
def test_back_to_stock_is_ticked_by_default_only_for_goods_that_can_be_sold_again(
    admin_client, make_order, reason, checked
):
    order = delivered(make_order)
    ret = services.create_return(order, {line_of(order, "Board").pk: 1}, reason)
    assert ret.restock_by_default is checked
    html = admin_client.get(reverse("admin:orders_return_change", args=[ret.pk])).content.decode()
    box = re.search(r'<input type="checkbox" name="stock_\d+"[^>]*>', html).group(0)
    assert ("checked" in box) is checked


def test_restock_default_follows_the_reason_of_the_return(make_order):
    order = delivered(make_order)
    assert not Return(order=order, reason=Return.Reason.DEFECTIVE).restock_by_default
    assert Return(order=order, reason=Return.Reason.NOT_AS_DESCRIBED).restock_by_default


def test_the_customer_reads_the_same_about_a_return_as_the_backoffice(
    client, make_order, invoice_payment
):
    """The order-status page's returns say what became of the money: never "Refunded" for
    an order that was not paid (its amount due was reduced)."""
    from orders import links

    order = delivered(make_order, payment_method_id=invoice_payment.pk)
    refunded_return(order)
    page = visible(client.get(links.customer_order_url(order)).content.decode())
    assert "Credit note issued — taken off the amount due" in page
