"""Invoice and packing-slip PDFs and the e-mails of the lifecycle (sent exactly when the spec
says: confirmation on placement, invoice only on "Send", tracking only on "Send tracking")."""

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from orders import pdf, services
from orders.models import Order
from orders.services import OrderError
from shop.models import OutboxEmail
from tests.factories import ProductFactory

from .factories import ship_all

pytestmark = pytest.mark.django_db


def pdf_text(data):
    assert data.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_invoice_pdf_shows_number_totals_and_tax_per_rate(make_order, invoice_payment):
    food = ProductFactory(name="Filter coffee", price=Decimal("12.90"), tax_rate=Decimal("7.00"))
    pot = ProductFactory(name="Coffee pot", price=Decimal("34.90"))
    order = make_order({food.pk: 1, pot.pk: 1}, payment_method_id=invoice_payment.pk)
    invoice = services.create_invoice(order, comment="Merry Christmas")
    text = pdf_text(pdf.invoice_pdf_bytes(invoice.pk))
    assert invoice.number in text
    assert order.number in text
    assert invoice.grand_total == Decimal("52.70")  # 47.80 goods + 4.90 shipping
    assert "€52.70" in text
    assert f"€{invoice.net_total}" in text
    assert "Filter coffee" in text and "Coffee pot" in text
    assert "DE123456788" in text  # seller VAT ID
    assert "Erika Mustermann" in text
    assert "IBAN" in text and "14 days" in text  # bank transfer terms
    assert "Merry Christmas" in text
    for row in order.tax_breakdown():
        assert str(row["tax"]) in text


def test_invoice_pdf_shows_discount_and_paid_parts(make_order):
    order = make_order()
    Order.objects.filter(pk=order.pk).update(
        discount_total=Decimal("2.00"),
        voucher_code="SPRING",
        grand_total=order.grand_total - Decimal("2.00"),
        giftcard_total=Decimal("5.00"),
    )
    invoice = services.create_invoice(order)
    text = pdf_text(pdf.render_invoice(invoice))
    assert "SPRING" in text
    assert "Paid by gift card" in text
    assert str(invoice.amount_due) in text


def test_packing_slip_pdf_lists_shipment_lines_and_tracking_without_prices(make_order, product):
    order = make_order({product.pk: 2})
    shipment = services.create_shipment(
        order, {order.lines.get().pk: 1}, [("dhl", "00340434161094042557")]
    )
    text = pdf_text(pdf.packing_slip_pdf_bytes(shipment.pk))
    assert shipment.number in text
    assert product.name in text
    assert "00340434161094042557" in text
    assert "20.00" not in text  # no prices on a packing slip


def test_invoice_email_only_on_send_with_pdf_attached(
    make_order, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = make_order()
        invoice = services.create_invoice(order)
    assert [m.subject for m in mailoutbox] == [f"Your order {order.number}"]
    assert not OutboxEmail.objects.filter(template="order_invoice").exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.send_invoice(invoice)
    mail = mailoutbox[-1]
    assert invoice.number in mail.subject
    assert mail.to == ["erika@example.com"]
    (filename, content, mimetype) = mail.attachments[0]
    assert filename == f"invoice-{invoice.number}.pdf"
    assert mimetype == "application/pdf"
    assert invoice.number in pdf_text(content)
    invoice.refresh_from_db()
    assert invoice.sent_at is not None


def test_tracking_email_only_on_send_tracking(
    make_order, mailoutbox, django_capture_on_commit_callbacks
):
    order = make_order()
    with django_capture_on_commit_callbacks(execute=True):
        shipment = services.create_shipment(order, ship_all(order), [("ups", "1Z999AA1")])
    assert not OutboxEmail.objects.filter(template="order_tracking").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_tracking(shipment)
    mail = mailoutbox[-1]
    assert "on its way" in mail.subject
    assert "https://www.ups.com/track?tracknum=1Z999AA1" in mail.body
    shipment.refresh_from_db()
    assert shipment.tracking_sent_at is not None


def test_send_tracking_without_numbers_is_refused(make_order):
    order = make_order()
    shipment = services.create_shipment(order, ship_all(order))
    with pytest.raises(OrderError, match="no tracking"):
        services.send_tracking(shipment)
    assert not OutboxEmail.objects.filter(template="order_tracking").exists()


def test_comment_notification_and_visibility(make_order):
    order = make_order()
    internal = services.add_comment(order, "Customer called, wants gift wrap")
    assert not internal.visible_to_customer
    assert not OutboxEmail.objects.filter(template="order_comment").exists()
    visible = services.add_comment(order, "Your parcel leaves tomorrow.", notify_customer=True)
    assert visible.visible_to_customer and visible.customer_notified
    mail = OutboxEmail.objects.get(template="order_comment")
    assert mail.to == [order.email]
    assert "Your parcel leaves tomorrow." in mail.body_text
    with pytest.raises(OrderError):
        services.add_comment(order, "   ")
    assert order.comments.filter(is_event=False).count() == 2
