"""The shop speaks German, Polish and Danish to its customers (SPEC S13: e-mails in the
customer's language): storefront, checkout errors, e-mails and documents."""

import pytest
from django.urls import reverse
from django.utils import translation

from orders import pdf, services
from shop.mail import written
from shop.models import OutboxEmail
from vouchers.services import VoucherError, quote_for_checkout

pytestmark = pytest.mark.django_db

CART_EMPTY = {
    "de": "Ihr Warenkorb ist leer.",
    "pl": "Twój koszyk jest pusty.",
    "da": "Din kurv er tom.",
}


@pytest.mark.parametrize("language", ["de", "pl", "da"])
def test_storefront_in_the_chosen_language(client, language):
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    page = client.get(reverse("shop:cart"), follow=True).content.decode()
    assert CART_EMPTY[language] in page


@pytest.mark.parametrize("language", ["de", "pl", "da"])
def test_order_confirmation_and_credit_note_in_the_customers_language(make_order, language):
    order = make_order(language=language)
    confirmation = written(OutboxEmail.objects.get(template="order_confirmation", to=[order.email]))
    english = _subject_in("en", order)
    assert order.number in confirmation.subject and confirmation.subject != english
    invoice = services.create_invoice(order)
    services.refund_order(order)
    refund_mail = OutboxEmail.objects.get(template="order_refunded")
    assert "refunded" not in refund_mail.subject  # translated, not English
    credit_note = invoice.credit_notes.get()
    text = _pdf_text(pdf.render_credit_note(credit_note))
    assert credit_note.number in text and "Credit note" not in text


@pytest.mark.parametrize("language", ["de", "pl", "da"])
def test_voucher_error_messages_are_translated(language):
    with translation.override("en"):
        english = _unknown_code_message()
    with translation.override(language):
        assert _unknown_code_message() != english


def _unknown_code_message():
    with pytest.raises(VoucherError) as excinfo:
        quote_for_checkout("NO-SUCH-CODE", customer=None, order=_unsaved_order())
    return str(excinfo.value.message)


def _unsaved_order():
    from decimal import Decimal

    from orders.models import Order

    return Order(email="erika@example.com", goods_total=Decimal("50"), shipping_total=None)


def _subject_in(language, order):
    from django.template.loader import render_to_string

    with translation.override(language):
        return render_to_string(
            "emails/order_confirmation.txt",
            {"order": order, "lines": list(order.lines.all()), "taxes": order.tax_breakdown()},
        ).partition("\n")[0]


def _pdf_text(data):
    from tests.orders.test_documents import pdf_text

    return pdf_text(data)
