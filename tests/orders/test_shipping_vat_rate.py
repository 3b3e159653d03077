"""Delivery shares the VAT rate of the goods it delivers (an ancillary supply): a parcel of
7 % goods is charged 7 % on its shipping — the order, the checkout's quote, the invoice and
its e-invoice all say so — and only a parcel of goods at several rates takes the shipping
method's own rate. Orders placed before keep the rate they were charged."""

from decimal import Decimal

import pytest

from orders import services
from orders.einvoice import invoice_xml
from orders.services.checkout import quote_order
from tests.factories import ProductFactory

from .factories import downloadable_product

pytestmark = pytest.mark.django_db

SEVEN, NINETEEN = Decimal("7.00"), Decimal("19.00")


@pytest.fixture
def jam():
    return ProductFactory(name="Jam", price=Decimal("10.00"), tax_rate=SEVEN)


@pytest.fixture
def book():
    return ProductFactory(name="Book", price=Decimal("10.00"), tax_rate=SEVEN)


def test_a_parcel_of_seven_percent_goods_is_shipped_at_seven_percent(make_order, jam, book):
    order = make_order({jam.pk: 1, book.pk: 1})
    assert order.shipping_total > 0
    assert order.shipping_tax_rate == SEVEN
    rates = {row["rate"] for row in order.tax_breakdown(list(order.lines.all()))}
    assert rates == {SEVEN}  # no 19 % row for the shipping


def test_the_quote_charges_what_the_placement_charges(checkout_data, jam):
    quote = quote_order({str(jam.pk): 1}, checkout_data())
    assert quote.order.shipping_tax_rate == SEVEN


def test_goods_at_several_rates_take_the_shipping_methods_rate(make_order, jam, product, shipping):
    assert product.tax_rate == NINETEEN and shipping.tax_rate == NINETEEN
    order = make_order({jam.pk: 1, product.pk: 1})
    assert order.shipping_tax_rate == shipping.tax_rate


def test_a_download_does_not_decide_the_parcels_rate(make_order, jam):
    ebook = downloadable_product()
    ebook.tax_rate = NINETEEN
    ebook.save()
    order = make_order({jam.pk: 1, ebook.pk: 1})
    assert order.shipping_tax_rate == SEVEN


def test_the_invoice_and_its_einvoice_carry_the_goods_rate(make_order, jam):
    order = make_order({jam.pk: 1})
    invoice = services.create_invoice(order)
    assert invoice.shipping_tax_rate == SEVEN
    xml = invoice_xml(invoice).decode()
    assert "<ram:RateApplicablePercent>19" not in xml
    assert "<ram:RateApplicablePercent>7" in xml
