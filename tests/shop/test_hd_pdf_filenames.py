"""A downloaded document is named in its own language — the title its PDF prints and its
number ("rechnung-…", "faktura-korygujaca-…", "foelgeseddel-…") — in ASCII letters, so the
plain ``filename="…"`` works in every browser; a name with other letters also carries the
exact one as ``filename*`` (RFC 6266). One helper: ``shop.filenames``."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from orders import links, services
from orders.models import CreditNote, Order
from shop.filenames import (
    ascii_filename,
    content_disposition,
    document_filename,
    safe_filename,
)
from tests.factories import StaffFactory, UserFactory
from tests.orders.factories import ship_all

pytestmark = pytest.mark.django_db


def filename_of(response):
    header = response["Content-Disposition"]
    assert header.isascii()
    return re.search(r'filename="([^"]+)"', header).group(1)


# --- the helper -----------------------------------------------------------------------------


def test_the_title_becomes_a_slug_and_the_number_stays_as_printed():
    assert document_filename("Rechnung RE-2026-00012", "RE-2026-00012") == (
        "rechnung-RE-2026-00012.pdf"
    )
    assert document_filename("Faktura korygująca CN-2026-000001", "CN-2026-000001") == (
        "faktura-korygujaca-CN-2026-000001.pdf"
    )
    assert document_filename("Følgeseddel S-7", "S-7") == "foelgeseddel-S-7.pdf"
    assert document_filename("Straße", "") == "strasse.pdf"
    # a translation that puts the number first, or leaves it out
    assert document_filename("Nr. 5 der Rechnungen", "5") == "nr-5-der-rechnungen.pdf"
    assert document_filename("Rechnung", "2026/7") == "rechnung-2026-7.pdf"
    assert document_filename("Personal data", "2026-12-03", "json") == (
        "personal-data-2026-12-03.json"
    )
    assert document_filename("???", "") == "download.pdf"


def test_unsafe_characters_never_reach_the_header():
    assert safe_filename('../a\\b:"c"\n.pdf') == "a-b-c.pdf"
    assert safe_filename("Faktura korygująca 1.pdf") == "Faktura-korygująca-1.pdf"
    assert ascii_filename("Łódź żółć.pdf") == "Lodz-zolc.pdf"
    assert ascii_filename("→") == "download"


def test_content_disposition_gives_every_browser_a_name():
    assert content_disposition("rechnung-1.pdf") == 'attachment; filename="rechnung-1.pdf"'
    assert content_disposition("x.pdf", attachment=False) == 'inline; filename="x.pdf"'
    header = content_disposition("Følgeseddel 7.pdf")
    assert header == (
        "attachment; filename=\"Foelgeseddel-7.pdf\"; filename*=UTF-8''F%C3%B8lgeseddel-7.pdf"
    )
    assert header.isascii()


# --- the documents --------------------------------------------------------------------------


@pytest.fixture
def order_in(make_order):
    def make(language, **fields):
        customer = UserFactory(language=language)
        order = make_order(customer=customer, email=customer.email, language=language, **fields)
        services.create_invoice(order)
        services.create_shipment(order, ship_all(order))
        services.create_credit_note(order, {order.lines.get().pk: 1})
        return Order.objects.get(pk=order.pk)

    return make


def downloads(client, order):
    note = CreditNote.objects.get(invoice__order=order)
    shipment = order.shipments.get()
    client.force_login(order.customer)
    return {
        "invoice": client.get(reverse("orders:account_invoice_pdf", args=[order.number])),
        "credit_note": client.get(
            reverse("orders:account_credit_note_pdf", args=[order.number, note.number])
        ),
        "packing_slip": client.get(
            reverse("orders:account_packing_slip", args=[order.number, shipment.pk])
        ),
    }, (order.invoice.number, note.number, shipment.number)


@pytest.mark.parametrize(
    "language, names",
    [
        ("en", ("invoice", "credit-note", "packing-slip")),  # as before
        ("de", ("rechnung", "rechnungskorrektur", "lieferschein")),
        ("pl", ("faktura", "faktura-korygujaca", "specyfikacja-przesylki")),
        ("da", ("faktura", "kreditnota", "foelgeseddel")),
    ],
)
def test_the_customers_documents_are_named_in_the_order_language(client, order_in, language, names):
    order = order_in(language)
    with translation.override("en"):  # the page the customer downloads from: any language
        responses, numbers = downloads(client, order)
    for (kind, response), name, number in zip(responses.items(), names, numbers, strict=True):
        assert response.status_code == 200, kind
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("inline; ")
        assert filename_of(response) == f"{name}-{number}.pdf", kind


def test_the_guest_link_names_them_alike(client, order_in):
    order = order_in("de")
    signed = links.status_path(order).rstrip("/").split("/")[-1]
    response = client.get(reverse("orders:guest_invoice_pdf", args=[signed]))
    assert filename_of(response) == f"rechnung-{order.invoice.number}.pdf"
    note = CreditNote.objects.get(invoice__order=order)
    response = client.get(reverse("orders:guest_credit_note_pdf", args=[signed, note.number]))
    assert filename_of(response) == f"rechnungskorrektur-{note.number}.pdf"


def test_the_backoffice_downloads_the_documents_under_their_own_language(client, order_in):
    order = order_in("pl")
    client.force_login(StaffFactory(is_superuser=True, language="de"))
    response = client.get(reverse("admin:orders_invoice_pdf", args=[order.invoice.pk]))
    assert filename_of(response) == f"faktura-{order.invoice.number}.pdf"
    shipment = order.shipments.get()
    response = client.get(reverse("admin:orders_shipment_pdf", args=[shipment.pk]))
    assert filename_of(response) == f"specyfikacja-przesylki-{shipment.number}.pdf"
    assert shipment.filename == f"specyfikacja-przesylki-{shipment.number}.pdf"


@pytest.mark.parametrize("language, name", [("en", "customer"), ("de", "kunde")])
def test_the_customer_sheet_is_named_in_the_operators_language(client, language, name):
    customer = UserFactory()
    client.force_login(StaffFactory(is_superuser=True, language=language))
    response = client.get(reverse("admin:customers_user_print", args=[customer.pk]))
    assert response.status_code == 200
    assert filename_of(response) == f"{name}-{customer.customer_number}.pdf"


def test_e_mail_attachments_have_the_names_of_the_downloads(make_order):
    """A German customer's invoice e-mail attached "invoice-….pdf" while the same PDF
    downloads as "rechnung-….pdf" (found by a backoffice walk-through)."""
    from orders import services
    from orders.models import Order
    from shop.models import OutboxEmail

    order = make_order()
    Order.objects.filter(pk=order.pk).update(language="de")
    invoice = services.create_invoice(Order.objects.get(pk=order.pk))
    services.send_invoice(invoice)
    mail = OutboxEmail.objects.get(template="order_invoice")
    assert [a["filename"] for a in mail.attachments] == [f"rechnung-{invoice.number}.pdf"]
    assert invoice.xml_filename == f"rechnung-{invoice.number}.xml"
