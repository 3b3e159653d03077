"""The invoice states the time of supply (§ 14 Abs. 4 Nr. 6 UStG): the shipping day(s) when
all goods had left, the invoice's calendar month while goods were still to ship (§ 31
Abs. 4 UStDV), the invoice date when nothing ships. It said "delivery date = invoice date"
for goods not shipped yet. The PDF and the EN 16931 XML say the same; invoices issued
before the dates were recorded keep saying what they said."""

import datetime

import pytest
from django.utils import timezone

from orders import pdf, services
from orders.models import Invoice, Shipment
from tests.einvoice import validate as validator
from tests.orders.factories import downloadable_product, ship_all
from tests.orders.test_einvoice import NS, xml_of

pytestmark = pytest.mark.django_db


def _valid(document):
    ok, problems = validator.validate(document)
    assert ok, problems
    return xml_of(document)


def _text(document):
    import io

    from pypdf import PdfReader

    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages).split()
    )


def test_invoiced_before_shipping_states_the_month(make_order):
    order = make_order()
    invoice = services.create_invoice(order)
    today = timezone.localdate()
    assert invoice.delivery_month and invoice.delivery_from == today.replace(day=1)
    assert (
        invoice.delivery_to.month == today.month
        and (invoice.delivery_to + datetime.timedelta(days=1)).day == 1
    )
    document = pdf.render_invoice(invoice)
    text = _text(document)
    assert f"Delivery period {today:%B %Y}" in text
    assert "the delivery date corresponds to the invoice date" not in text
    xml = _valid(document)
    period = xml.find(".//ram:BillingSpecifiedPeriod", NS)
    assert period is not None
    assert xml.find(".//ram:ActualDeliverySupplyChainEvent", NS) is None


def test_invoiced_after_shipping_on_two_days_states_the_days(make_order):
    order = make_order()
    lines = ship_all(order)
    line_id, quantity = next(iter(lines.items()))
    services.create_shipment(order, lines)
    Shipment.objects.filter(order=order).update(created=timezone.now() - datetime.timedelta(days=3))
    invoice = services.create_invoice(order)
    shipped = timezone.localdate() - datetime.timedelta(days=3)
    assert (invoice.delivery_from, invoice.delivery_to) == (shipped, shipped)
    assert not invoice.delivery_month
    xml = _valid(pdf.render_invoice(invoice))
    occurrence = xml.find(
        ".//ram:ActualDeliverySupplyChainEvent//udt:DateTimeString",
        {**NS, "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"},
    )
    assert occurrence.text == shipped.strftime("%Y%m%d")


def test_partly_shipped_when_invoiced_is_the_month_too(make_order, product):
    order = make_order({product.pk: 2})
    line = order.lines.get()
    services.create_shipment(order, {line.pk: 1})
    invoice = services.create_invoice(order)
    assert invoice.delivery_month


def test_nothing_to_ship_is_the_invoice_date(make_order):
    ebook = downloadable_product()
    order = make_order({ebook.pk: 1})
    invoice = services.create_invoice(order)
    today = timezone.localdate()
    assert (invoice.delivery_from, invoice.delivery_to, invoice.delivery_month) == (
        today,
        today,
        False,
    )
    document = pdf.render_invoice(invoice)
    text = _text(document)
    assert "Delivery date" in text and "Delivery period" not in text
    assert "the delivery date corresponds to the invoice date" not in text
    occurrence = _valid(document).find(
        ".//ram:ActualDeliverySupplyChainEvent//udt:DateTimeString",
        {**NS, "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"},
    )
    assert occurrence.text == today.strftime("%Y%m%d")


def test_an_invoice_issued_before_keeps_its_wording(make_order):
    order = make_order()
    invoice = services.create_invoice(order)
    Invoice.objects.filter(pk=invoice.pk).update(
        delivery_from=None, delivery_to=None, delivery_month=False
    )
    invoice.refresh_from_db()
    document = pdf.render_invoice(invoice)
    assert "the delivery date corresponds to the invoice date" in _text(document)
    _valid(document)


def test_the_german_pdf_names_the_month_in_german(make_order):
    order = make_order(language="de")
    invoice = services.create_invoice(order)
    months = [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ]
    today = timezone.localdate()
    assert f"Leistungszeitraum {months[today.month - 1]} {today.year}" in _text(
        pdf.render_invoice(invoice)
    )
