"""Export deliveries: goods shipped to a country outside the EU are VAT-exempt (§ 4 Nr. 1a /
§ 6 UStG, Art. 146 VAT Directive). The order is priced net of the catalog's gross prices like
a reverse-charge order, and its invoice, credit notes, e-invoice XML and DATEV bookings carry
EN 16931 category G (VATEX-EU-G). ``EXPORT_VAT_EXEMPT`` turns it off."""

from decimal import Decimal

import pytest
from django.urls import reverse

from orders import datev, pdf, services, vat
from orders.models import CreditNote, Order
from shop.mail import written
from shop.models import OutboxEmail
from tests.checkout import add_to_cart, checkout_post
from tests.factories import ProductFactory, ShippingMethodFactory
from tests.orders.factories import ZURICH
from tests.orders.test_einvoice import NS, PL_VAT_ID, WARSAW, money, pdf_text, value, xml_of
from tests.orders.test_reports import _month

pytestmark = pytest.mark.django_db

VIENNA = {**ZURICH, "street": "Ringstraße 1", "postcode": "1010", "city": "Wien", "country": "AT"}
EXPORT_NOTE = "Delivery outside the EU: prices without VAT"


@pytest.fixture
def blanket():
    return ProductFactory(name="Wool blanket", price=Decimal("59.50"), stock=None)  # 19 %


@pytest.fixture
def jam():
    return ProductFactory(name="Jam", price=Decimal("5.35"), tax_rate=Decimal("7.00"))


@pytest.fixture
def parcel():
    return ShippingMethodFactory(free_over=None)  # 4.90 at 19 %


@pytest.fixture
def check():
    from tests.orders.test_einvoice import validator

    def run(document):
        ok, problems = validator.validate(document)
        assert ok, problems
        return document

    return run


def categories(tree):
    return sorted(
        tree.xpath(
            "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode/text()",
            namespaces=NS,
        )
    )


def order_to(make_order, address, blanket, jam, parcel, **overrides):
    return make_order(
        {blanket.pk: 1, jam.pk: 2}, billing=dict(address), shipping_method_id=parcel.pk, **overrides
    )


def test_a_consumer_in_switzerland_is_charged_no_german_vat(make_order, blanket, jam, parcel):
    order = order_to(make_order, ZURICH, blanket, jam, parcel)
    assert order.export_delivery and not order.reverse_charge
    lines = {line.name: line for line in order.lines.all()}
    assert lines["Wool blanket"].unit_price == Decimal("50.00")  # 59.50 / 1.19
    assert lines["Jam"].unit_price == Decimal("5.00")  # 5.35 / 1.07
    assert all(line.tax_rate == 0 for line in lines.values())
    assert order.shipping_total == Decimal("4.12") and order.shipping_tax_rate == 0  # 4.90 net
    assert order.grand_total == Decimal("50.00") + Decimal("10.00") + Decimal("4.12")
    rows = vat.order_figures(order).vat_rows
    assert [(row.category, row.rate, row.tax) for row in rows] == [("G", 0, 0)]


@pytest.mark.parametrize("address", [dict(WARSAW, company=""), VIENNA])
def test_consumers_in_germany_and_the_eu_pay_german_vat_as_before(
    make_order, blanket, jam, parcel, address
):
    for billing in (address, {**address, "country": "DE", "postcode": "10115"}):
        order = order_to(make_order, billing, blanket, jam, parcel)
        assert not order.export_delivery
        assert order.grand_total == Decimal("59.50") + Decimal("10.70") + Decimal("4.90")
        assert {line.tax_rate for line in order.lines.all()} == {Decimal("19"), Decimal("7")}
        invoice = services.create_invoice(order)
        assert not invoice.export_delivery
        assert {row["category"] for row in invoice.tax_rows} == {"S"}


def test_what_counts_is_where_the_goods_go_not_the_billing_address(
    make_order, blanket, jam, parcel
):
    billed_in_zurich = make_order(
        {blanket.pk: 1},
        billing=dict(ZURICH),
        shipping={**ZURICH, "country": "DE", "postcode": "10115", "city": "Berlin"},
    )
    assert not billed_in_zurich.export_delivery
    assert billed_in_zurich.goods_total == Decimal("59.50")
    shipped_to_zurich = make_order(
        {blanket.pk: 1}, billing={**ZURICH, "country": "DE", "postcode": "10115"}, shipping=ZURICH
    )
    assert shipped_to_zurich.export_delivery
    assert shipped_to_zurich.goods_total == Decimal("50.00")


def test_the_setting_off_taxes_an_export_like_before(make_order, blanket, jam, parcel, settings):
    settings.EXPORT_VAT_EXEMPT = False
    order = order_to(make_order, ZURICH, blanket, jam, parcel)
    assert not order.export_delivery
    assert order.grand_total == Decimal("59.50") + Decimal("10.70") + Decimal("4.90")
    invoice = services.create_invoice(order)
    assert {row["category"] for row in invoice.tax_rows} == {"S"}
    assert {Decimal(row["rate"]) for row in invoice.tax_rows} == {Decimal("19"), Decimal("7")}


def test_export_invoice_is_a_valid_e_invoice_with_category_g(
    check, make_order, blanket, jam, parcel
):
    invoice = services.create_invoice(order_to(make_order, ZURICH, blanket, jam, parcel))
    assert invoice.export_delivery
    assert [(row["category"], row["tax"]) for row in invoice.tax_rows] == [("G", "0.00")]
    document = check(pdf.render_invoice(invoice))
    tree = xml_of(document)
    assert categories(tree) == ["G"]
    assert value(
        tree, "//ram:ApplicableTradeTax[ram:CategoryCode='G']/ram:ExemptionReasonCode"
    ) == ("VATEX-EU-G")
    assert "Art. 146" in value(
        tree, "//ram:ApplicableTradeTax[ram:CategoryCode='G']/ram:ExemptionReason"
    )
    line_categories = tree.xpath(
        "//ram:SpecifiedLineTradeSettlement//ram:CategoryCode/text()", namespaces=NS
    )
    assert line_categories == ["G", "G"]
    charge = "//ram:SpecifiedTradeAllowanceCharge[ram:ChargeIndicator/udt:Indicator='true']"
    assert tree.xpath(
        f"string({charge}//ram:CategoryCode)",
        namespaces={**NS, "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"},
    ) == ("G")  # the shipping
    assert money(tree, "TaxTotalAmount") == 0
    assert money(tree, "GrandTotalAmount") == invoice.grand_total == Decimal("64.12")
    assert value(tree, "//ram:ShipToTradeParty//ram:CountryID") == "CH"
    text = pdf_text(document)
    assert "Tax-exempt export delivery (Art. 146 VAT Directive)." in text
    assert "0% (G)" in text.replace("\xa0", "").replace(" %", "%")
    assert "incl. VAT" not in text  # no gross column: gross is net


def test_export_credit_note_is_category_g_too(check, make_order, blanket, jam, parcel):
    order = order_to(make_order, ZURICH, blanket, jam, parcel)
    services.create_invoice(order)
    blanket_line = order.lines.get(product=blanket)
    partial = services.create_credit_note(order, {blanket_line.pk: 1})
    services.refund_order(order)
    full = CreditNote.objects.filter(invoice__order=order).exclude(pk=partial.pk).get()
    for note in (partial, full):
        document = check(pdf.render_credit_note(note))
        tree = xml_of(document)
        assert categories(tree) == ["G"]
        assert value(tree, "//ram:ExemptionReasonCode") == "VATEX-EU-G"
        assert "Art. 146" in pdf_text(document)
    assert partial.grand_total == Decimal("50.00")


def test_a_business_in_another_eu_country_shipping_outside_the_eu_exports_its_goods(
    check, make_order, blanket, parcel
):
    """Goods that leave the EU are no intra-community supply (K) but an export (G); a
    download in the same order is a service to the EU company: reverse charge (AE)."""
    ebook = ProductFactory(
        name="E-book", price=Decimal("10.70"), tax_rate=Decimal("7.00"), is_downloadable=True
    )
    goods_only = make_order(
        {blanket.pk: 1}, billing=dict(WARSAW), shipping=ZURICH, vat_id=PL_VAT_ID
    )
    assert goods_only.export_delivery and not goods_only.reverse_charge
    mixed = make_order(
        {blanket.pk: 1, ebook.pk: 1},
        billing=dict(WARSAW),
        shipping=ZURICH,
        vat_id=PL_VAT_ID,
        shipping_method_id=parcel.pk,
    )
    assert mixed.export_delivery and mixed.reverse_charge
    tree = xml_of(check(pdf.render_invoice(services.create_invoice(mixed))))
    assert categories(tree) == ["AE", "G"]


def test_gift_cards_stay_exempt_and_downloads_keep_their_vat(check, make_order, blanket, parcel):
    card = ProductFactory(name="Gift card", price=Decimal("25.00"), tax_rate=0, is_giftcard=True)
    ebook = ProductFactory(
        name="E-book", price=Decimal("10.70"), tax_rate=Decimal("7.00"), is_downloadable=True
    )
    order = make_order(
        {blanket.pk: 1, card.pk: 1, ebook.pk: 1},
        billing=dict(ZURICH),
        shipping_method_id=parcel.pk,
    )
    assert order.export_delivery
    lines = {line.name: line for line in order.lines.all()}
    assert (lines["E-book"].unit_price, lines["E-book"].tax_rate) == (Decimal("10.70"), 7)
    assert lines["Gift card"].unit_price == Decimal("25.00")
    tree = xml_of(check(pdf.render_invoice(services.create_invoice(order))))
    assert categories(tree) == ["E", "G", "S"]


def test_an_order_of_downloads_only_is_no_export(make_order):
    ebook = ProductFactory(price=Decimal("10.70"), tax_rate=Decimal("7.00"), is_downloadable=True)
    order = make_order({ebook.pk: 1}, billing=dict(ZURICH))
    assert not order.export_delivery and order.grand_total == Decimal("10.70")


def test_datev_books_exports_on_their_own_account(make_order, blanket, jam, parcel, settings):
    settings.DATEV_REVENUE_ACCOUNTS = "19=8400,7=8300,0=8200"
    order = order_to(make_order, ZURICH, blanket, jam, parcel)
    services.create_invoice(order)
    services.refund_order(order)
    _filename, content, _count = datev.export(_month())
    records = [line.split(";") for line in content.decode("cp1252").split("\r\n")[2:] if line]
    rows = sorted((r[0], r[1], r[7], r[datev.EU_VAT_ID]) for r in records)
    # SKR03 8120 "Steuerfreie Umsätze § 4 Nr. 1a UStG", no EU VAT ID; the credit note too
    assert rows == [("64,12", '"H"', "8120", ""), ("64,12", '"S"', "8120", "")]


# ------------------------------------------------------------------------------- checkout


def test_the_checkout_page_shows_the_net_total_and_the_note_for_switzerland(
    client, blanket, jam, parcel, card_payment
):
    add_to_cart(client, blanket)
    add_to_cart(client, jam, 2)
    response = client.post(
        reverse("orders:checkout"),
        checkout_post(
            parcel,
            card_payment,
            billing_postcode="8001",
            billing_city="Zürich",
            billing_country="CH",
            accept_terms=None,  # the form comes back with the summary
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="export-note"' in html and EXPORT_NOTE in html
    assert "All prices include VAT" not in html
    order = response.context["order"]
    assert order.export_delivery and order.grand_total == Decimal("64.12")
    summary = html.split('id="summary"', 1)[1].split("</tfoot>", 1)[0]
    assert "64.12" in summary and "75.10" not in summary
    assert 'data-shipping-cost="4.12"' in html  # the methods' costs are net too


def test_the_checkout_page_shows_german_vat_for_austria(client, blanket, parcel, card_payment):
    add_to_cart(client, blanket)
    response = client.post(
        reverse("orders:checkout"),
        checkout_post(
            parcel,
            card_payment,
            billing_postcode="1010",
            billing_country="AT",
            accept_terms=None,
        ),
    )
    html = response.content.decode()
    assert EXPORT_NOTE not in html and "All prices include VAT" in html
    assert response.context["order"].grand_total == Decimal("64.40")


def test_an_export_placed_through_the_page_is_what_the_page_showed(
    client, blanket, jam, parcel, card_payment
):
    """The page quotes with the export pricing that the placement applies: the figures it
    showed for Zürich are the figures of the order, and the confirmation says why."""
    add_to_cart(client, blanket)
    add_to_cart(client, jam, 2)
    fields = {"billing_postcode": "8001", "billing_city": "Zürich", "billing_country": "CH"}
    shown = client.post(
        reverse("orders:checkout"), checkout_post(parcel, card_payment, accept_terms=None, **fields)
    )
    assert shown.status_code == 200
    post = checkout_post(parcel, card_payment, **fields)
    html = shown.content.decode()
    if 'name="checkout_shown"' in html:  # what the page showed, for the placement to compare
        tag = html.split('name="checkout_shown"', 1)[1].split(">", 1)[0]
        post["checkout_shown"] = tag.split('value="', 1)[1].split('"', 1)[0]
    placed = client.post(reverse("orders:checkout"), post)
    assert placed.status_code == 302
    order = Order.objects.get()
    assert order.export_delivery and order.grand_total == Decimal("64.12")
    success = client.get(placed["Location"]).content.decode()
    assert EXPORT_NOTE in success and "64.12" in success
    mail = written(OutboxEmail.objects.get(template="order_confirmation"))
    assert EXPORT_NOTE in mail.body_text and EXPORT_NOTE in mail.body_html
    assert "0% VAT" not in mail.body_text  # the lines say no "incl. 0 % VAT" either


def test_choosing_switzerland_on_a_page_quoted_for_germany_shows_the_net_total_first(
    client, blanket, parcel, card_payment
):
    """The page was quoted with German VAT; the customer picks Zürich and orders. The order
    would cost less than the page showed, but the page has not said yet that import duties
    may apply: it is not placed, the page comes back with the export figures and the note,
    and the next submit places them."""
    add_to_cart(client, blanket)
    page = client.get(reverse("orders:checkout")).content.decode()
    assert "64.40" in page.split('id="summary"', 1)[1]  # 59.50 + 4.90, German VAT

    def shown(html):
        tag = html.split('name="checkout_shown"', 1)[1].split(">", 1)[0]
        return tag.split('value="', 1)[1].split('"', 1)[0]

    fields = {"billing_postcode": "8001", "billing_city": "Zürich", "billing_country": "CH"}
    post = {**checkout_post(parcel, card_payment, **fields), "checkout_shown": shown(page)}
    again = client.post(reverse("orders:checkout"), post)
    assert again.status_code == 200 and not Order.objects.exists()
    html = again.content.decode()
    assert EXPORT_NOTE in html and "54.12" in html.split('id="summary"', 1)[1]  # 50.00 + 4.12
    post = {**checkout_post(parcel, card_payment, **fields), "checkout_shown": shown(html)}
    assert client.post(reverse("orders:checkout"), post).status_code == 302
    assert Order.objects.get().grand_total == Decimal("54.12")


def test_a_customer_with_an_address_in_switzerland_sees_the_export_prices_at_once(
    client, customer, blanket, parcel, card_payment
):
    customer.addresses.create(
        first_name="Heidi",
        last_name="Muster",
        street="Bahnhofstrasse 1",
        postcode="8001",
        city="Zürich",
        country="CH",
        is_default=True,
    )
    client.force_login(customer)
    add_to_cart(client, blanket)
    response = client.get(reverse("orders:checkout"))
    html = response.content.decode()
    assert response.context["form"]["billing_country"].value() == "CH"
    assert EXPORT_NOTE in html and "We deliver only to" not in html
    assert "54.12" in html.split('id="summary"', 1)[1]
