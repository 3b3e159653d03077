"""An order of gift cards (e-mailed) and downloads alone ships nothing: the storefront asks
for no shipping method and no delivery address, charges no shipping, and its confirmation,
e-mail, order pages and invoice show no shipping line and no delivery address — they say
how the gift cards and downloads reach the customer instead. An order with goods to ship
stays as it was."""

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from customers.models import Address
from orders import links, pdf, services
from orders.models import Order
from shop.exceptions import DomainError
from shop.mail import written
from shop.models import OutboxEmail
from tests.checkout import add_to_cart, checkout_post
from tests.factories import PaymentMethodFactory, ProductFactory, ShippingMethodFactory

pytestmark = pytest.mark.django_db

GIFT_CARD_NOTE = "We will e-mail you the gift card number as soon as the order is paid."
GIFT_CARD_NOTE_PL = (
    "Numer karty podarunkowej wyślemy Ci e-mailem, gdy tylko zamówienie zostanie opłacone."
)
GIFT_CARD_SENT = "We have sent you the gift card number in a separate e-mail."
DOWNLOAD_NOTE = "We will e-mail you the download link as soon as the order is paid."
SHIPS_LATER = "We will let you know when it ships."


@pytest.fixture
def methods(db):
    """Two carriers, the cheaper one listed second; a prepayment method."""
    express = ShippingMethodFactory(name="DHL Express", price=Decimal("9.90"), position=1)
    parcel = ShippingMethodFactory(name="DHL Paczka", price=Decimal("3.90"), position=2)
    prepayment = PaymentMethodFactory(code="prepayment", name="Prepayment", kind="prepayment")
    return express, parcel, prepayment


@pytest.fixture
def gift_card(db):
    return ProductFactory(
        name="Gift card 25", price=Decimal("25.00"), tax_rate=Decimal("0.00"), is_giftcard=True
    )


@pytest.fixture
def ebook(db):
    return ProductFactory(
        name="E-book", price=Decimal("9.99"), tax_rate=Decimal("7.00"), is_downloadable=True
    )


def checkout_url(language="en"):
    with translation.override(language):
        return reverse("orders:checkout")


def no_shipping_post(payment, **overrides):
    """What the page of a cart that ships nothing posts: no shipping method, no delivery
    address and no "ship to the billing address" box."""
    data = checkout_post(None, payment, **{"email": "guest@example.com", **overrides})
    data.pop("ship_to_billing", None)
    data.pop("shipping_country", None)
    return data


def place_through_page(client, payment, language="en", **overrides):
    response = client.post(checkout_url(language), no_shipping_post(payment, **overrides))
    assert response.status_code == 302, response.context["form"].errors
    return Order.objects.get()


def text_of(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace(" .", ".")


def main_of(page):
    """The page's own part: not the footer (its link to the shipping costs)."""
    return page.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def invoice_text(invoice):
    data = pdf.invoice_pdf_bytes(invoice.pk)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.replace("\xa0", " ").split())


# --- the checkout page ---------------------------------------------------------------------


def test_a_gift_card_cart_is_asked_for_no_shipping_method_and_no_delivery_address(
    client, methods, gift_card
):
    add_to_cart(client, gift_card)
    page = main_of(client.get(checkout_url()).content.decode())
    assert 'name="shipping_method"' not in page
    assert 'name="ship_to_billing"' not in page
    assert 'name="shipping_street"' not in page and 'id="shipping-address"' not in page
    assert "DHL" not in page and "Shipping" not in text_of(page)
    # the billing address is still asked for (the invoice), and what happens is said
    assert 'name="billing_street"' in page
    assert GIFT_CARD_NOTE in page


def test_a_gift_card_order_is_placed_without_a_shipping_method_at_no_shipping_cost(
    client, methods, gift_card
):
    express, parcel, prepayment = methods
    add_to_cart(client, gift_card, 2)
    # a delivery address posted all the same (a page from before the cart changed) is ignored
    order = place_through_page(
        client, prepayment, shipping_street="Elsewhere 9", shipping_city="Hamburg"
    )
    assert order.shipping_total == Decimal("0.00")
    assert order.grand_total == order.goods_total == Decimal("50.00")
    # the cheapest active method, not the first listed: it costs nothing anyway
    assert order.shipping_method == parcel
    assert (order.shipping_street, order.shipping_city) == ("Musterstraße 1", "Berlin")


def test_the_placement_service_charges_no_shipping_for_downloads_whatever_method_is_named(
    make_order, methods, ebook
):
    express, parcel, _prepayment = methods
    order = make_order({ebook.pk: 1}, shipping_method_id=express.pk)
    assert order.shipping_total == Decimal("0.00") and order.grand_total == Decimal("9.99")
    assert order.shipping_method == parcel
    order = make_order({ebook.pk: 1}, shipping_method_id=None)
    assert order.shipping_method == parcel and order.shipping_total == Decimal("0.00")


def test_a_mixed_cart_still_chooses_and_pays_its_shipping(client, methods, gift_card, product):
    express, parcel, prepayment = methods
    add_to_cart(client, gift_card)
    add_to_cart(client, product)
    page = client.get(checkout_url()).content.decode()
    assert page.count('name="shipping_method"') == 2
    assert 'id="shipping-address"' in page and 'name="ship_to_billing"' in page
    assert GIFT_CARD_NOTE not in page
    refused = client.post(checkout_url(), no_shipping_post(prepayment, ship_to_billing="on"))
    assert refused.status_code == 200 and not Order.objects.exists()
    assert refused.context["form"].errors["shipping_method"]
    data = checkout_post(express, prepayment, email="guest@example.com")
    assert client.post(checkout_url(), data).status_code == 302
    order = Order.objects.get()
    assert order.shipping_method == express
    assert order.shipping_total == Decimal("9.90")
    assert order.grand_total == Decimal("54.90")  # 25.00 card + 20.00 goods + 9.90


def test_a_customers_address_book_offers_only_the_billing_address_for_a_gift_card(
    client, customer, methods, gift_card
):
    _express, _parcel, prepayment = methods
    Address.objects.create(
        customer=customer,
        first_name="Erika",
        last_name="Mustermann",
        street="Lindenweg 2",
        postcode="20095",
        city="Hamburg",
        country="DE",
    )
    client.force_login(customer)
    add_to_cart(client, gift_card)
    page = client.get(checkout_url()).content.decode()
    assert 'data-address-pick="billing"' in page
    assert 'data-address-pick="shipping"' not in page
    # "Use" of a delivery address (an old page) fills the billing address in
    data = no_shipping_post(prepayment, use_address="shipping")
    data["shipping_saved_address"] = data["billing_saved_address"] = str(
        customer.addresses.get().pk
    )
    filled = client.post(checkout_url(), data)
    assert filled.status_code == 200 and not Order.objects.exists()
    assert filled.context["form"].initial["billing_street"] == "Lindenweg 2"
    order = place_through_page(
        client, prepayment, email=customer.email, shipping_street="Elsewhere 9"
    )
    assert order.customer == customer and order.shipping_total == 0
    # no delivery address of its own goes into the address book
    assert not customer.addresses.filter(street="Elsewhere 9").exists()


def test_a_guests_cached_address_fields_follow_the_cart(client, methods, gift_card, product):
    add_to_cart(client, product)
    assert 'id="shipping-address"' in client.get(checkout_url()).content.decode()
    client.post(reverse("shop:cart_update"), {"remove": product.pk})
    add_to_cart(client, gift_card)
    page = client.get(checkout_url()).content.decode()
    assert len(client.session["cart"]) == 1
    assert 'id="shipping-address"' not in page and 'name="ship_to_billing"' not in page


# --- after the placement: confirmation, e-mail, order pages, invoice -----------------------


def test_the_confirmation_page_and_e_mail_say_how_a_gift_card_comes_not_how_it_ships(
    client, methods, gift_card
):
    _express, _parcel, prepayment = methods
    add_to_cart(client, gift_card)
    order = place_through_page(client, prepayment, language="pl")
    success = text_of(main_of(client.get(reverse("orders:success")).content.decode()))
    for text in (success,):
        assert "DHL" not in text and "Dostawa (" not in text and "Adres dostawy" not in text
    assert GIFT_CARD_NOTE_PL in success
    email = written(OutboxEmail.objects.get(template="order_confirmation"))
    for body in (email.body_text, text_of(email.body_html)):
        assert "DHL" not in body
        assert "Dostawa" not in body and "Adres dostawy" not in body
        assert "Poinformujemy Cię, gdy zostanie wysłane" not in body
        assert f"{order.number}." in body and GIFT_CARD_NOTE_PL in body
        assert "Musterstraße 1" in body  # the billing address stays


def test_an_e_book_order_in_english_has_no_shipping_line_and_says_downloads_come_by_e_mail(
    client, methods, ebook
):
    _express, _parcel, prepayment = methods
    add_to_cart(client, ebook)
    order = place_through_page(client, prepayment)
    success = text_of(main_of(client.get(reverse("orders:success")).content.decode()))
    assert "Shipping" not in success and "DHL" not in success
    assert DOWNLOAD_NOTE in success
    email = written(OutboxEmail.objects.get(template="order_confirmation"))
    assert "Shipping" not in email.body_text and "Delivery address" not in email.body_text
    assert SHIPS_LATER not in email.body_text and DOWNLOAD_NOTE in email.body_text
    assert "Billing address" in email.body_text
    assert f"thank you for your order {order.number}. {DOWNLOAD_NOTE}" in email.body_text
    html = text_of(email.body_html)
    assert "Shipping" not in html and "Delivery address" not in html and SHIPS_LATER not in html


def test_the_order_pages_and_the_invoice_of_a_gift_card_order_show_no_shipping(
    client, customer, methods, gift_card
):
    _express, _parcel, prepayment = methods
    client.force_login(customer)
    add_to_cart(client, gift_card)
    order = place_through_page(client, prepayment, email=customer.email)
    account_url = reverse("orders:account_order", args=[order.number])
    account = text_of(main_of(client.get(account_url).content.decode()))
    client.logout()
    guest = text_of(main_of(client.get(links.status_path(order)).content.decode()))
    for page in (account, guest):
        assert "Shipping" not in page and "Shipped" not in page and "DHL" not in page
        assert GIFT_CARD_NOTE in page
    # once paid, the cards have gone out by e-mail
    services.mark_paid(order)
    client.force_login(customer)
    assert GIFT_CARD_SENT in text_of(client.get(account_url).content.decode())
    invoice = services.create_invoice(order)
    text = invoice_text(invoice)
    assert "Shipping" not in text and "DHL" not in text
    assert "Gift card 25" in text and "25.00" in text


def test_an_order_with_goods_keeps_its_shipping_everywhere(client, methods, product, ebook):
    express, _parcel, prepayment = methods
    add_to_cart(client, product)
    add_to_cart(client, ebook)
    data = checkout_post(express, prepayment, email="guest@example.com")
    assert client.post(checkout_url(), data).status_code == 302
    order = Order.objects.get()
    assert order.shipping_total == Decimal("9.90")
    success = text_of(main_of(client.get(reverse("orders:success")).content.decode()))
    assert "Shipping (DHL Express) €9.90" in success and "Shipping address" in success
    assert DOWNLOAD_NOTE not in success
    email = written(OutboxEmail.objects.get(template="order_confirmation"))
    assert SHIPS_LATER in email.body_text and "Delivery address" in email.body_text
    assert "Shipping (DHL Express): €9.90" in email.body_text
    guest = text_of(main_of(client.get(links.status_path(order)).content.decode()))
    assert "Shipping (DHL Express)" in guest and "Shipped" in guest
    text = invoice_text(services.create_invoice(order))
    assert "Shipping: DHL Express" in text


def test_a_gift_cards_product_page_says_nothing_about_shipping(client, gift_card, ebook, product):
    with translation.override("pl"):
        urls = [p.get_absolute_url() for p in (gift_card, ebook, product)]
        shipping_link = f'<a href="{reverse("shop:shipping_costs")}">koszty wysyłki</a>'
    card, book, goods = (client.get(url).content.decode() for url in urls)
    for page in (card, book):
        assert shipping_link not in page and "VAT, plus" not in page
    assert "nie podlega VAT" in card  # the gift card's 0 %: no VAT, not "incl. 0 %"
    assert "w tym" in book  # the e-book's VAT note stays
    assert f"VAT, plus {shipping_link}" in goods


def test_cash_on_delivery_needs_a_parcel(client, methods, gift_card, product, make_order):
    """Cash on delivery is paid to the carrier: it is not offered for an order that ships no
    parcel, and the placement refuses it for every caller; with a parcel it stays."""
    cod = PaymentMethodFactory(code="cod", name="Cash on delivery", kind="cod")
    add_to_cart(client, gift_card)
    page = client.get(checkout_url()).content.decode()
    assert f'value="{cod.pk}"' not in page and "Cash on delivery" not in page
    with pytest.raises(DomainError, match="paid to the parcel carrier"):
        make_order({gift_card.pk: 1}, payment_method_id=cod.pk)
    assert not Order.objects.exists()
    order = make_order({gift_card.pk: 1, product.pk: 1}, payment_method_id=cod.pk)
    assert order.payment_method == cod
