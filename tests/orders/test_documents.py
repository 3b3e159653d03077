"""Invoice and packing-slip PDFs and the e-mails of the lifecycle (sent exactly when the spec
says: confirmation on placement, invoice only on "Send", tracking only on "Send tracking")."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from orders import pdf, services
from orders.models import Invoice, InvoiceCounter, Order
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


# --- the invoice note: a limited length, and long words wrap on the page -------------------


def test_an_invoice_note_over_the_limit_is_refused_and_changes_nothing(make_order):
    order = make_order()
    limit = services.INVOICE_COMMENT_MAX
    with translation.override("de"):  # the operator's language
        with pytest.raises(OrderError, match=f"höchstens {limit} Zeichen") as refused:
            services.create_invoice(order, comment="x" * (limit + 1))
    assert refused.value.field == "comment"
    assert not Invoice.objects.exists() and not InvoiceCounter.objects.filter(last_number__gt=0)
    assert Order.objects.get(pk=order.pk).payment_status == Order.PaymentStatus.AUTHORIZED
    invoice = services.create_invoice(order, comment="x" * limit)
    assert len(invoice.comment) == limit


def test_the_invoice_form_says_the_note_is_too_long(admin_client, make_order):
    order = make_order()
    url = reverse("admin:orders_order_invoice", args=[order.pk])
    limit = services.INVOICE_COMMENT_MAX
    page = admin_client.get(url).content.decode()
    assert f'maxlength="{limit}"' in page
    response = admin_client.post(url, {"comment": "x" * 5000})
    assert response.status_code == 200
    assert response.context["form"].errors["comment"] == [
        f"Ensure this value has at most {limit} characters (it has 5000)."
    ]
    assert not Invoice.objects.exists()


def _longest_run(text, letter):
    """The longest run of ``letter`` on one line of the PDF's text, and how many there are."""
    runs = [len(run) for line in text.splitlines() for run in line.split() if set(run) == {letter}]
    return max(runs), sum(runs)


def test_a_long_unbroken_word_in_the_invoice_note_wraps_inside_the_page(make_order):
    word = "X" * services.INVOICE_COMMENT_MAX
    invoice = services.create_invoice(make_order(), comment=word)
    text = pdf_text(pdf.invoice_pdf_bytes(invoice.pk))
    longest, total = _longest_run(text, "X")
    # A line of the note holds about 70 of them; unwrapped, all 1000 stood on one line,
    # running off the right edge of the page.
    assert longest < 120 and total == len(word)


def test_long_unbroken_words_on_a_credit_note_wrap_inside_the_page(make_order, invoice_payment):
    product = ProductFactory(name="Lamp", price=Decimal("30.00"))
    order = make_order({product.pk: 2}, payment_method_id=invoice_payment.pk)
    services.create_invoice(order)
    note = services.create_credit_note(
        order,
        {order.lines.get().pk: 1},
        adjustment="-1.00",
        adjustment_text="F" * 200,  # its most (in the lines table)
        reason="Y" * services.CREDIT_NOTE_REASON_MAX,
    )
    text = pdf_text(pdf.credit_note_pdf_bytes(note.pk))
    assert _longest_run(text, "F")[0] < 120 and _longest_run(text, "F")[1] == 200
    longest, total = _longest_run(text, "Y")
    assert longest < 120 and total == services.CREDIT_NOTE_REASON_MAX
