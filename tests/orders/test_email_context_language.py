"""What an e-mail's context says is in the e-mail's language too, not in the language of
whoever caused it (an audit): the order confirmation's withdrawal instructions named the
seller's country in English in a Polish e-mail, and the "refund paid out" e-mail the card
method in the German of the staff member who recorded the payout."""

import pytest
from django.utils import translation

from orders.services import lifecycle
from shop import mail
from shop.models import OutboxEmail
from tests.factories import PaymentMethodFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "language,country", [("pl", "Niemcy"), ("da", "Tyskland"), ("de", "Deutschland")]
)
def test_the_withdrawal_instructions_name_the_sellers_country_in_the_orders_language(
    language, country, make_order
):
    make_order(language=language)
    email = mail.written(OutboxEmail.objects.get(template="order_confirmation"))
    for body in (email.body_text, email.body_html):
        assert "Hamburg, Germany" not in body
        assert f"20457 Hamburg, {country}" in body


def test_the_refund_paid_out_email_names_the_method_in_the_orders_language(make_order):
    card = PaymentMethodFactory(code="card2", name="Credit card", kind="card")
    card.name_de, card.name_pl = "Kreditkarte", "Karta kredytowa"
    card.save()
    order = make_order(language="pl", payment_method_id=card.pk)
    with translation.override("de"):  # a German staff member's request
        lifecycle.capture_payment(order)
        lifecycle.cancel_order(order)
        lifecycle.mark_cancellation_refunded(order)
    for template in ("order_canceled", "order_refund_paid_out"):
        email = mail.written(OutboxEmail.objects.filter(template=template).get())
        assert "Kreditkarte" not in email.body_text, template
    paid_out = mail.written(OutboxEmail.objects.get(template="order_refund_paid_out"))
    assert "Karta kredytowa" in paid_out.body_text
