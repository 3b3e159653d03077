"""Refund after invoicing: the invoice stays, a credit note with its own gapless number
reverses it, the customer gets it by e-mail and in the account; the backoffice prints it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from orders import pdf, services
from orders.models import CreditNote, Invoice, Order
from shop.models import OutboxEmail
from tests.factories import UserFactory

from .test_documents import pdf_text

pytestmark = pytest.mark.django_db


def refunded(make_order, **kwargs):
    order = make_order(**kwargs)
    invoice = services.create_invoice(order)  # card payment → paid
    services.refund_order(order, reason="Returned unopened, thank you.")
    return Order.objects.get(pk=order.pk), invoice


def test_refund_creates_a_credit_note_and_keeps_the_invoice(make_order):
    order, invoice = refunded(make_order)
    credit_note = CreditNote.objects.get(invoice=invoice)
    assert order.status == Order.Status.CLOSED
    assert credit_note.number == f"CN-{credit_note.year}-{credit_note.sequence:06d}"
    # The invoice is a legal document: unchanged.
    assert Invoice.objects.get(pk=invoice.pk).grand_total == invoice.grand_total
    assert order.credit_notes == [credit_note]
    assert credit_note.is_final and credit_note.grand_total == invoice.grand_total
    assert order.credited_total == invoice.grand_total
    assert any(credit_note.number in e.text for e in order.comments.all())


def test_credit_note_numbers_are_their_own_gapless_series(make_order):
    numbers = [refunded(make_order)[1].credit_notes.get().sequence for _ in range(3)]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]
    # Invoices keep counting on their own.
    invoices = list(Invoice.objects.order_by("sequence").values_list("sequence", flat=True))
    assert invoices == list(range(invoices[0], invoices[0] + 3))


def test_a_refused_refund_draws_no_credit_note_number(make_order):
    order = make_order()
    with pytest.raises(services.OrderError):
        services.refund_order(order)  # not invoiced
    assert not CreditNote.objects.exists()
    _order, invoice = refunded(make_order)
    assert invoice.credit_notes.get().sequence == 1


def test_credit_note_pdf_credits_every_amount_of_the_invoice(make_order):
    order, invoice = refunded(make_order)
    credit_note = invoice.credit_notes.get()
    text = pdf_text(pdf.credit_note_pdf_bytes(credit_note.pk))
    assert f"Credit note {credit_note.number}" in text
    assert invoice.number in text  # the invoice it cancels
    assert f"−€{invoice.grand_total}" in text
    for row in invoice.typed_tax_rows:
        assert f"−€{row['tax']}" in text
    assert "We refund" in text  # paid by card → money goes back
    assert "Returned unopened" in text


def test_credit_note_for_an_unpaid_invoice_says_nothing_is_owed(make_order, invoice_payment):
    order, invoice = refunded(make_order, payment_method_id=invoice_payment.pk)
    assert order.payment_status != Order.PaymentStatus.REFUNDED
    text = pdf_text(pdf.render_credit_note(invoice.credit_notes.get()))
    assert "please do not pay it" in text


def test_customer_gets_the_credit_note_by_email(
    make_order, mailoutbox, django_capture_on_commit_callbacks
):
    order = make_order()
    services.create_invoice(order)
    with django_capture_on_commit_callbacks(execute=True):
        services.refund_order(order)
    credit_note = CreditNote.objects.get()
    mail = mailoutbox[-1]
    assert mail.to == [order.email]
    assert order.number in mail.subject and "refunded" in mail.subject
    (filename, content, mimetype) = mail.attachments[0]
    assert filename == f"credit-note-{credit_note.number}.pdf"
    assert mimetype == "application/pdf"
    assert credit_note.number in pdf_text(content)
    assert OutboxEmail.objects.filter(template="order_refunded").count() == 1


def test_account_shows_and_serves_the_credit_note_to_its_owner_only(client, customer, make_order):
    order, invoice = refunded(make_order, customer=customer)
    credit_note = invoice.credit_notes.get()
    url = reverse("orders:account_credit_note_pdf", args=[order.number, credit_note.number])
    client.force_login(customer)
    page = client.get(reverse("orders:account_order", args=[order.number])).content.decode()
    assert credit_note.number in page and url in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_account_without_refund_has_no_credit_note(client, customer, make_order):
    order = make_order(customer=customer)
    services.create_invoice(order)
    client.force_login(customer)
    url = reverse("orders:account_credit_note_pdf", args=[order.number, "CN-2026-000001"])
    assert client.get(url).status_code == 404


def test_backoffice_refund_with_note_and_credit_note_pdf(admin_client, make_order):
    order = make_order()
    invoice = services.create_invoice(order)
    confirm = admin_client.get(reverse("admin:orders_order_refund", args=[order.pk]))
    assert b"credit note" in confirm.content and b'name="reason"' in confirm.content
    admin_client.post(
        reverse("admin:orders_order_refund", args=[order.pk]), {"reason": "Damaged in transit"}
    )
    credit_note = CreditNote.objects.get(invoice=invoice)
    assert credit_note.reason == "Damaged in transit"
    pdf_url = reverse("admin:orders_creditnote_pdf", args=[credit_note.pk])
    detail = admin_client.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert credit_note.number in detail.content.decode() and pdf_url in detail.content.decode()
    # The payment panel of a refunded order shows what went back, not an amount due — once
    # the card refund is paid out; until then what was paid and that its refund is pending.
    assert "Amount due" not in detail.content.decode()
    assert f"<th>Paid</th><td><strong>€{order.grand_total}" in detail.content.decode()
    assert "pay-refund_pending" in detail.content.decode()
    assert f"<th>Refunded</th><td><strong>€{order.grand_total}" not in detail.content.decode()
    admin_client.post(reverse("admin:orders_creditnote_refunded", args=[credit_note.pk]))
    detail = admin_client.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert f"<th>Refunded</th><td><strong>€{order.grand_total}" in detail.content.decode()
    invoice_page = admin_client.get(reverse("admin:orders_invoice_change", args=[invoice.pk]))
    assert pdf_url in invoice_page.content.decode()
    from privacy.models import AccessLogEntry

    response = admin_client.get(pdf_url)
    assert response.status_code == 200
    assert credit_note.number in pdf_text(response.content)
    entry = AccessLogEntry.objects.order_by("-id").first()  # a printed document is logged
    assert entry.path == pdf_url and entry.action == "print"
    assert (
        admin_client.get(
            reverse("admin:orders_creditnote_pdf", args=[credit_note.pk + 999])
        ).status_code
        == 404
    )


def test_refund_amount_in_the_credit_note_matches_the_invoice(make_order):
    order, invoice = refunded(make_order)
    assert invoice.grand_total > Decimal("0")
    text = pdf_text(pdf.render_credit_note(invoice.credit_notes.get()))
    assert f"−€{invoice.net_total}" in text


def test_a_too_long_note_is_refused_and_changes_nothing(admin_client, make_order):
    order = make_order()
    invoice = services.create_invoice(order)
    response = admin_client.post(
        reverse("admin:orders_order_refund", args=[order.pk]), {"reason": "x" * 2001}, follow=True
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any("too long" in m for m in messages)
    assert Order.objects.get(pk=order.pk).status != Order.Status.CLOSED
    assert not CreditNote.objects.filter(invoice=invoice).exists()
    assert not OutboxEmail.objects.filter(template="order_refunded").exists()
