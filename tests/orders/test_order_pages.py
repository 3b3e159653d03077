"""The customer's own order pages — the account's order page and a guest's signed
order-status page: the same totals as the success page and the confirmation (gift card and
credit payments, the amount due, VAT per rate, the bank details while a transfer is
awaited), the withdrawal function linked on the address the page was opened on, and the
withdrawal statements received, with the function offered only while something is left."""

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from giftcards import services as giftcard_services
from orders import links, services
from orders.models import Order
from shop.mail import written
from shop.models import OutboxEmail, ShopSettings
from shop.money import format_money
from tests.factories import PaymentMethodFactory, ProductFactory

from .factories import ship_all

pytestmark = pytest.mark.django_db
D = Decimal

DANISH_ADDRESS = {
    "first_name": "Mette",
    "last_name": "Hansen",
    "street": "Nørregade 1",
    "postcode": "1165",
    "city": "København",
    "country": "DK",
}


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()  # the withdrawal function's rate limit
    yield
    cache.clear()


@pytest.fixture
def prepayment(db):
    return PaymentMethodFactory(code="prepayment", name="Bank transfer", kind="prepayment")


@pytest.fixture
def bank(db):
    shop = ShopSettings.load()
    shop.bank_name = "Nordbank"
    shop.iban = "DE02120300000000202051"
    shop.save()
    return ShopSettings.load().bank_details


def money(amount, language):
    return format_money(amount, "EUR", language)


def text_of(page):
    """The page's visible text, one line per table row or paragraph."""
    page = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)
    page = re.sub(r"</(tr|p|li|h\d)>|<br>", "\n", page)
    return re.sub(r"[ \t]+", " ", re.sub(r"<[^>]+>", " ", page))


def rows(page):
    return [
        re.sub(r"[ \t]+", " ", line).strip() for line in text_of(page).splitlines() if line.strip()
    ]


def content(page):
    """The page without its footer (which links the withdrawal function on every page)."""
    return page.split("<footer")[0]


def withdraw_link(page):
    found = re.findall(r'<a class="withdraw-link" href="([^"]*)"', content(page))
    return found[0] if found else None


def guest_page(client, order, language):
    with translation.override(language):
        url = links.status_path(order)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def account_page(client, order, language="en"):
    client.force_login(order.customer)
    with translation.override(language):
        url = reverse("orders:account_order", args=[order.number])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- totals, payments and the amount due -------------------------------------------------


def test_guest_status_page_shows_the_gift_card_payment_amount_due_vat_and_bank_details(
    client, make_order, prepayment, bank
):
    """A Danish guest pays 5.90 of a prepayment order with a gift card."""
    pot = ProductFactory(name="Kaffekande", price=D("34.90"), tax_rate=D("19.00"))
    card = giftcard_services.issue_cards(D("5.90"), 1)[0]
    order = make_order(
        {pot.pk: 1},
        billing=DANISH_ADDRESS,
        payment_method_id=prepayment.pk,
        giftcard_number=card.number,
        language="da",
    )
    assert order.giftcard_total == D("5.90") and order.amount_due == order.grand_total - D("5.90")
    lines = rows(guest_page(client, order, "da"))
    assert f"Varer {money(order.goods_total, 'da')}" in lines
    assert f"I alt {money(order.grand_total, 'da')}" in lines
    assert f"Betalt med gavekort −{money(D('5.90'), 'da')}" in lines
    assert f"Beløb til betaling {money(order.amount_due, 'da')}" in lines
    for row in order.tax_breakdown():
        rate = f"{row['rate']:.0f}"
        assert f"inkl. {rate}\xa0% moms {money(row['tax'], 'da')}" in lines
    # The transfer of what is left, with the order number as the reference.
    assert (
        f"Overfør venligst {money(order.amount_due, 'da')} med angivelse af ordre "
        f"{order.number} til:"
    ) in lines
    assert bank in lines and f"Reference: {order.number}" in lines


def test_account_order_page_shows_the_credit_payment_amount_due_and_bank_details_until_paid(
    client, make_order, customer, prepayment, bank, staff
):
    lamp = ProductFactory(name="Lampe", price=D("45.00"), tax_rate=D("19.00"))
    coffee = ProductFactory(name="Kaffee", price=D("12.50"), tax_rate=D("7.00"))
    giftcard_services.adjust_account(
        giftcard_services.account_for(customer), D("75.00"), "goodwill", staff
    )
    order = make_order(
        {lamp.pk: 2, coffee.pk: 1},
        customer=customer,
        email=customer.email,
        payment_method_id=prepayment.pk,
        use_credit=True,
        language="de",
    )
    assert order.credit_total == D("75.00") and order.amount_due > 0
    lines = rows(account_page(client, order, "de"))
    assert f"Waren {money(order.goods_total, 'de')}" in lines
    assert f"Mit Kundenguthaben bezahlt −{money(D('75.00'), 'de')}" in lines
    assert f"Offener Betrag {money(order.amount_due, 'de')}" in lines
    taxes = {row["rate"]: row["tax"] for row in order.tax_breakdown()}
    assert f"inkl. 7\xa0% MwSt. {money(taxes[D('7.00')], 'de')}" in lines
    assert f"inkl. 19\xa0% MwSt. {money(taxes[D('19.00')], 'de')}" in lines
    transfer = (
        f"Bitte überweisen Sie {money(order.amount_due, 'de')} unter Angabe der Bestellung "
        f"{order.number} an:"
    )
    assert transfer in lines and bank in lines
    assert f"Verwendungszweck: {order.number}" in lines
    services.mark_paid(order)
    paid = rows(account_page(client, order, "de"))
    # paid: what the transfer paid after the credit, no amount due any more
    assert f"Bereits bezahlt – Bank transfer −{money(order.amount_due, 'de')}" in paid
    assert not any(row.startswith("Offener Betrag") for row in paid)
    assert transfer not in paid and bank not in paid  # nothing left to transfer


def test_the_order_pages_show_the_totals_of_the_success_page(
    client, make_order, customer, prepayment, bank
):
    """One block of totals for the three pages: the same rows, in the same order."""
    pot = ProductFactory(name="Kanne", price=D("34.90"), tax_rate=D("19.00"))
    jam = ProductFactory(name="Marmelade", price=D("6.50"), tax_rate=D("7.00"))
    card = giftcard_services.issue_cards(D("5.90"), 1)[0]
    order = make_order(
        {pot.pk: 1, jam.pk: 2},
        customer=customer,
        email=customer.email,
        payment_method_id=prepayment.pk,
        giftcard_number=card.number,
    )
    session = client.session
    session["last_order_id"] = order.pk
    session.save()

    def totals(page):
        tfoot = re.search(r"<tfoot[^>]*>.*?</tfoot>", page, flags=re.S).group(0)
        return rows(tfoot)

    success = totals(client.get(reverse("orders:success")).content.decode())
    assert success[-1].startswith("Amount due")
    assert totals(account_page(client, order)) == success
    assert totals(guest_page(client, order, "en")) == success


# --- the withdrawal link: a path on pages, SITE_URL in e-mails -----------------------------


def test_order_pages_link_the_withdrawal_function_on_the_address_they_were_opened_on(
    client, make_order, customer, settings
):
    settings.SITE_URL = "https://shop.example"
    guest = make_order()
    own = make_order(customer=customer, email=customer.email)
    services.create_shipment(guest, ship_all(guest))
    services.create_shipment(own, ship_all(own))
    signed = links.signed_status_value(guest)
    guest_html = guest_page(client, guest, "en")
    assert withdraw_link(guest_html) == reverse("orders:guest_withdraw", args=[signed])
    own_html = account_page(client, own)
    assert withdraw_link(own_html) == reverse("orders:withdraw") + f"?order={own.number}"
    for html in (guest_html, own_html):
        assert "https://shop.example" not in html
    # E-mails and PDFs leave the site: there the link is absolute.
    assert links.withdrawal_url(own) == f"https://shop.example/withdraw/?order={own.number}"
    confirmations = OutboxEmail.objects.filter(template="order_confirmation")
    text = next(e.body_text for e in map(written, confirmations) if own.number in e.subject)
    assert f"https://shop.example/withdraw/?order={own.number}" in text


# --- the withdrawal statements received ----------------------------------------------------


@pytest.fixture
def two_lines(make_order, customer):
    lamp = ProductFactory(name="Lamp", price=D("15.00"))
    mug = ProductFactory(name="Mug", price=D("8.00"))
    order = make_order({lamp.pk: 2, mug.pk: 1}, customer=customer, email=customer.email)
    services.create_invoice(order)
    services.create_shipment(order, ship_all(order))
    return Order.objects.get(pk=order.pk)


def send_statement(client, order, units):
    """The customer's withdrawal through the account: {line name: units}."""
    url = reverse("orders:withdraw") + f"?order={order.number}"
    data = {"name": "Erika Mustermann", "email": order.email, "reason": ""}
    for line in order.lines.all():
        data[f"qty_{line.pk}"] = str(units.get(line.name, 0))
    response = client.post(url, {**data, "confirm": ""})
    assert response.status_code == 302, response.content.decode()


def test_after_a_partial_withdrawal_the_page_shows_the_statement_and_offers_the_rest(
    client, two_lines
):
    order = two_lines
    client.force_login(order.customer)
    before = account_page(client, order)
    assert "You can withdraw from this order until" in before
    assert "We received your withdrawal statement" not in before

    send_statement(client, order, {"Lamp": 1})
    page = account_page(client, order)
    lines = rows(page)
    statement = next(line for line in lines if "We received your withdrawal statement" in line)
    withdrawal = order.withdrawals.get()
    assert withdrawal.received_at.strftime("%Y") in statement
    assert "Items: 1 × Lamp" in lines
    assert "You can withdraw from this order until" not in page
    assert "You can withdraw from the remaining items until" in page
    assert withdraw_link(page) is not None

    send_statement(client, order, {"Lamp": 1, "Mug": 1})
    page = account_page(client, order)
    lines = rows(page)
    assert sum("We received your withdrawal statement" in line for line in lines) == 2
    assert "Items: 1 × Lamp" in lines and "Items: 1 × Lamp, 1 × Mug" in lines
    # Everything is withdrawn: no invitation to a third statement.
    assert withdraw_link(page) is None and "You can withdraw" not in content(page)


def test_a_guest_who_withdrew_from_the_whole_order_sees_the_statement_and_no_link(
    client, make_order
):
    order = make_order(language="pl")
    services.create_shipment(order, ship_all(order))
    signed = links.signed_status_value(order)
    with translation.override("pl"):
        url = reverse("orders:guest_withdraw", args=[signed])
    data = {"name": "Jan Kowalski", "email": order.email, "reason": ""}
    response = client.post(url, {**data, "confirm": ""})
    assert response.status_code == 302
    page = guest_page(client, order, "pl")
    assert "Całe zamówienie" in page  # "The whole order"
    assert withdraw_link(page) is None and "Odstąp od umowy tutaj" not in content(page)


def test_a_statement_naming_its_items_in_words_leaves_the_function_offered(make_order):
    """Sent through the general form, its items cannot be counted: rather once too often."""
    order = make_order()
    services.create_shipment(order, ship_all(order))
    services.record_withdrawal(
        name="Erika", email=order.email, order_number=order.number, items_text="the blue one"
    )
    order = Order.objects.get(pk=order.pk)
    assert services.withdrawal_open(order)
    services.record_withdrawal(name="Erika", email=order.email, order_number=order.number)
    assert not services.withdrawal_open(order)
