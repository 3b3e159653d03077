"""The wording of the customer e-mails (and the invoice PDF) as a reader sees it: a return
address a parcel label can be copied from, the greeting by first name, a time of receipt
without a time-zone ID, a labelled credit-note reason, singular and plural for gift cards,
one note instead of the same sentence twice, no backoffice status in an e-mail, no nested
brackets around a payment method, and a layout with side padding on a phone."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from giftcards import services as giftcard_services
from orders import pdf, services
from orders.models import Order, Shipment
from shop.mail import written
from shop.models import OutboxEmail, ShopSettings
from tests.factories import ProductFactory

from .factories import downloadable_product, ship_all
from .test_documents import pdf_text

pytestmark = pytest.mark.django_db
D = Decimal


def plain(text):
    return " ".join(text.replace("\xa0", " ").split())


def visible(html):
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return plain(re.sub(r"<[^>]+>", " ", html))


def mail(template):
    return written(OutboxEmail.objects.filter(template=template).latest("pk"))


def shipped(make_order, **kwargs):
    order = make_order(**kwargs)
    services.create_invoice(order)
    shipment = services.create_shipment(order, ship_all(order))
    Shipment.objects.filter(pk=shipment.pk).update(created=timezone.now() - timedelta(days=1))
    return Order.objects.get(pk=order.pk)


@pytest.fixture
def giftcard_product(db):
    return ProductFactory(name="Gift card", price=D("25.00"), tax_rate=D("0"), is_giftcard=True)


# --- the withdrawal acknowledgement ----------------------------------------------------------


def test_the_return_address_names_the_shop_first_so_a_label_can_be_copied(make_order):
    shop = ShopSettings.load()
    order = shipped(make_order)
    services.record_withdrawal(name="Erika", email=order.email, order_number=order.number)
    text = plain(mail("order_withdrawal_received").body_text)
    html = visible(mail("order_withdrawal_received").body_html)
    address = f"{shop.legal_name}, {shop.street}, {shop.postcode} {shop.city}, Germany"
    assert f"to: {address}." in text and f"to: {address}." in html


def test_the_withdrawal_greets_by_the_orders_first_name_not_the_typed_name(make_order):
    order = shipped(make_order)
    services.record_withdrawal(
        name="Jürgen Müller-Weiß", email=order.email, order_number=order.number
    )
    email = mail("order_withdrawal_received")
    assert f"Hello {order.billing_first_name}," in email.body_text
    assert f"Hello {order.billing_first_name}," in email.body_html
    assert "Hello Jürgen" not in email.body_text and "Hello Jürgen" not in email.body_html
    # the statement itself keeps the name as typed
    assert "Name: Jürgen Müller-Weiß" in email.body_text


def test_the_time_of_receipt_shows_the_local_zone_abbreviation_not_its_id(make_order):
    order = shipped(make_order)
    withdrawal = services.record_withdrawal(
        name="Erika", email=order.email, order_number=order.number
    )
    email = mail("order_withdrawal_received")
    abbreviation = timezone.localtime(withdrawal.received_at).tzname()  # CET or CEST
    for body in (email.body_text, email.body_html):
        assert "Europe/Berlin" not in body
        assert f"({abbreviation})" in body
    assert f"({abbreviation}). This is its content:" in email.body_text
    assert visible(email.body_html).count(f"({abbreviation})") == 2  # sentence and statement


# --- credit notes ----------------------------------------------------------------------------


def test_the_refund_reason_has_a_label(make_order):
    order = make_order()
    services.create_invoice(order)
    services.refund_order(order, reason="Damaged in transit")
    email = mail("order_refunded")
    assert "Reason: Damaged in transit" in email.body_text
    assert "Reason: Damaged in transit" in visible(email.body_html)


def test_a_partial_credit_notes_reason_has_a_label_in_the_mail_and_the_pdf(make_order, product):
    order = make_order({product.pk: 2})
    services.create_invoice(order)
    note = services.create_credit_note(
        order, {order.lines.get().pk: 1}, reason="One arrived broken"
    )
    email = mail("order_credit_note")
    assert "Reason: One arrived broken" in email.body_text
    assert "Reason: One arrived broken" in visible(email.body_html)
    assert "Reason: One arrived broken" in plain(pdf_text(pdf.credit_note_pdf_bytes(note.pk)))


# --- gift cards and downloads ----------------------------------------------------------------


@pytest.mark.parametrize("cards", [1, 2])
def test_the_gift_card_mail_says_number_for_one_card_and_numbers_for_more(
    make_order, giftcard_product, django_capture_on_commit_callbacks, cards
):
    order = make_order({giftcard_product.pk: cards})
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_paid(order)
    email = mail("giftcard_issued")
    text, html = plain(email.body_text), visible(email.body_html)
    if cards == 1:
        assert "Here is your gift card number:" in text and "Here is your gift card number:" in html
        assert "Keep the number safe: whoever knows it can use the card." in text
        assert "numbers" not in text and "numbers" not in html
    else:
        assert "Here are your gift card numbers:" in text
        assert "Here are your gift card numbers:" in html
        assert "Keep the numbers safe" in text and "Keep the numbers safe" in html


def test_the_confirmation_of_gift_cards_and_downloads_says_once_what_follows_payment(
    make_order, giftcard_product
):
    book = downloadable_product()
    order = make_order({giftcard_product.pk: 1, book.pk: 1})
    assert not order.collected
    email = mail("order_confirmation")
    for body in (plain(email.body_text), visible(email.body_html)):
        assert body.count("as soon as the order is paid") == 1
        assert (
            "We will e-mail you the gift card and download details separately as soon as the "
            "order is paid." in body
        )
    # one kind of item alone: its own note, as before
    only_book = make_order({book.pk: 1})
    email = written(
        next(
            e
            for e in OutboxEmail.objects.filter(template="order_confirmation")
            if only_book.number in written(e).subject
        )
    )
    assert "We will e-mail you the download link as soon as the order is paid." in plain(
        email.body_text
    )


def test_a_paid_order_of_gift_cards_and_downloads_says_the_mails_went_out(
    make_order, giftcard_product
):
    book = downloadable_product()
    order = make_order({giftcard_product.pk: 1, book.pk: 1})
    services.create_invoice(order)  # the card is captured: paid
    assert Order.objects.get(pk=order.pk).collected
    text = plain(mail("order_confirmation").body_text)
    assert "We have sent you the gift card and download details in separate e-mails." in text
    assert text.count("separate e-mail") == 1


# --- the order comment -----------------------------------------------------------------------


def test_an_order_comment_mail_shows_no_backoffice_status(make_order):
    order = make_order()
    services.create_invoice(order)  # paid, not shipped: "Pending" in the backoffice
    order = Order.objects.get(pk=order.pk)
    services.add_comment(order, "Your parcel leaves tomorrow.", notify_customer=True)
    email = mail("order_comment")
    assert "Your parcel leaves tomorrow." in email.body_text
    assert "Status" not in email.body_text and "Pending" not in email.body_text
    assert "Status" not in visible(email.body_html)


# --- "Already paid" without nested brackets --------------------------------------------------


def test_already_paid_names_the_method_without_brackets(make_order, customer):
    kettle = ProductFactory(name="Kettle", price=D("49.00"))
    card = giftcard_services.issue_cards(D("10.00"), 1)[0]
    order = make_order(
        {kettle.pk: 1}, customer=customer, email=customer.email, giftcard_number=card.number
    )
    invoice = services.create_invoice(order)  # captures the card payment: paid
    rest = plain(f"{Order.objects.get(pk=order.pk).paid_by_method}")
    document = plain(pdf_text(pdf.invoice_pdf_bytes(invoice.pk)))
    assert "Already paid – Credit card" in document and "Already paid (" not in document
    email = mail("order_confirmation")
    assert f"Already paid – Credit card: −€{rest}" in plain(email.body_text)
    assert "Already paid – Credit card" in visible(email.body_html)


# --- the layout ------------------------------------------------------------------------------


def test_the_html_layout_keeps_the_text_off_the_screen_edge(make_order):
    make_order()
    html = mail("order_confirmation").body_html
    assert re.search(r'role="article"[^>]*style="padding:0 16px;', html)


def test_the_withdrawal_greeting_falls_back_to_the_typed_name_escaped_once(make_order):
    order = shipped(make_order)
    Order.objects.filter(pk=order.pk).update(billing_first_name="")
    services.record_withdrawal(name="O'Brien & Söhne", email=order.email, order_number=order.number)
    email = mail("order_withdrawal_received")
    assert "Hello O'Brien & Söhne," in email.body_text
    assert "Hello O&#x27;Brien &amp; Söhne," in email.body_html
