"""The credit note e-mail states the amounts its PDF states, with the same sign convention
in every language: what is credited carries the credit note's minus ("−15,00 €": goods,
shipping, an extra credit, the total), what reduces the credit is shown without it (the
share of the discount, a deduction such as a restocking fee), where the money goes is a plain
amount. Never a raw sign ("-2,00 €" for a deduction, "15,00 €" for an extra credit) and never
two minus signs."""

import re
from decimal import Decimal

import pytest
from django.utils import translation

from orders import pdf, services
from orders.models import Order
from shop.mail import written
from shop.models import OutboxEmail
from shop.money import format_money
from tests.factories import ProductFactory

from .factories import ship_all
from .test_documents import pdf_text

pytestmark = pytest.mark.django_db
D = Decimal
MINUS = "−"


def plain(text):
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


def amount(value, language, credited=False):
    text = format_money(value, "EUR", language)
    return plain(f"{MINUS}{text}" if credited else text)


def mail_of(note):
    email = written(
        OutboxEmail.objects.filter(template="order_credit_note").order_by("-pk").first()
    )
    assert note.number in email.subject
    return plain(email.body_text), plain(email.body_html)


@pytest.mark.parametrize("language", ["en", "de", "pl", "da"])
def test_credit_note_mail_and_pdf_state_the_same_signed_amounts(make_order, language):
    lamp = ProductFactory(name="Lamp", price=D("15.00"), tax_rate=D("19.00"))
    order = make_order({lamp.pk: 3}, language=language)
    services.create_invoice(order)
    services.create_shipment(order, ship_all(order))
    line = order.lines.get().pk

    deduction = services.create_credit_note(
        order, {line: 1}, adjustment="-2.00", adjustment_text="Restocking fee"
    )
    extra = services.create_credit_note(
        Order.objects.get(pk=order.pk),
        {line: 1},
        adjustment="1.50",
        adjustment_text="Goodwill",
    )
    for note, adjustment_shown in (
        (deduction, amount(D("2.00"), language)),  # reduces the credit: no minus
        (extra, amount(D("1.50"), language, credited=True)),  # credited: the minus
    ):
        services.send_credit_note(note)
        text, html = mail_of(note)
        with translation.override(language):
            document = plain(pdf_text(pdf.render_credit_note(note)))
        expected = [
            amount(D("15.00"), language, credited=True),
            adjustment_shown,
            amount(note.grand_total, language, credited=True),
            amount(note.paid_total, language),  # refunded via the card: a plain amount
        ]
        for shown in expected:
            assert shown in document, (shown, document)
            assert shown in text, (shown, text)
            assert shown in html, (shown, html)
        assert f"Restocking fee: {amount(D('2.00'), language)}" in text or note is extra
        assert f"Goodwill: {amount(D('1.50'), language, credited=True)}" in text or (
            note is deduction
        )
        for body in (text, html, document):
            # no raw sign in front of an amount, no double minus (links left out: a signed
            # token may hold "--8")
            body = re.sub(r"https?://\S+", "", body)
            assert not re.search(r"(?<![\w/])-\s?[−\d€]", body), body
            assert f"{MINUS}{MINUS}" not in body and f"{MINUS}-" not in body


def test_the_closing_note_names_the_balance_of_earlier_adjustments_in_the_mail_too(make_order):
    """A full refund after a deduction gives the deduction back: its adjustment has no text
    of its own, the e-mail names it as the PDF does."""
    lamp = ProductFactory(name="Lamp", price=D("15.00"), tax_rate=D("19.00"))
    order = make_order({lamp.pk: 2}, language="de")
    services.create_invoice(order)
    services.create_shipment(order, ship_all(order))
    services.create_credit_note(
        order, {order.lines.get().pk: 1}, adjustment="-3.00", adjustment_text="Rücksendung"
    )
    services.refund_order(Order.objects.get(pk=order.pk))
    last = order.invoices.get().credit_notes.get(is_final=True)
    services.send_credit_note(last)
    text, html = mail_of(last)
    balance = f"Ausgleich früherer Korrekturbeträge: {amount(D('3.00'), 'de', credited=True)}"
    assert balance in text
    with translation.override("de"):
        document = plain(pdf_text(pdf.render_credit_note(last)))
    assert "Ausgleich früherer Korrekturbeträge" in document
    assert amount(D("3.00"), "de", credited=True) in document
