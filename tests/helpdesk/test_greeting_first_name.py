"""The helpdesk e-mails greet by first name, as the order e-mails to the same person do.

A Danish customer read "Hej Mads Sørensen," from customer service and "Hej Mads," in every
order e-mail. A request kept without an account (a guest, or a logged-in sender naming an
order found by the typed address only) greeted by the full name typed into the form; when it
names an order, that order is one of the thread's own address, and the e-mails now greet by
its first name, as its order e-mails do. Without an account and an order: the name as typed;
without any name: a plain greeting, not "Hello ,".
"""

import pytest

from helpdesk import services
from shop.mail import written
from shop.models import OutboxEmail
from tests.factories import StaffFactory, UserFactory

from .factories import ContactTopicFactory

pytestmark = pytest.mark.django_db

MAILS = ("helpdesk_contact_confirmation", "helpdesk_reply")


def mail(template):
    return written(OutboxEmail.objects.filter(template=template).latest("pk"))


def contact(name, email, customer=None, order_number="", language="da"):
    thread = services.create_contact_request(
        topic_id=ContactTopicFactory().pk,
        name=name,
        email=email,
        subject="Hvor er min pakke?",
        text="Den er ikke kommet.",
        order_number=order_number,
        customer=customer,
        language=language,
    )
    services.operator_reply(thread, StaffFactory(is_superuser=True), "Den er sendt i dag.")
    return thread


def greetings(template):
    email = mail(template)
    return email.body_text, email.body_html


MADS = {
    "first_name": "Mads",
    "last_name": "Sørensen",
    "street": "Nørregade 1",
    "postcode": "1165",
    "city": "København",
    "country": "DK",
}


def test_a_guest_naming_their_order_is_greeted_by_its_first_name(make_order):
    order = make_order(email="mads@example.dk", billing=MADS)
    thread = contact("Mads Sørensen", "mads@example.dk", order_number=order.number)
    assert thread.customer is None and thread.order == order

    for template in MAILS:
        text, html = greetings(template)
        assert "Hej Mads," in text and "Hej Mads," in html
        assert "Sørensen," not in text + html


def test_a_logged_in_sender_whose_request_stays_outside_the_account_too(make_order):
    """The sender is logged in, but the order was found by the typed address only: the
    thread has no account — the greeting still uses the first name."""
    mads = UserFactory(email="mads@example.dk", first_name="Mads", last_name="Sørensen")
    order = make_order(email="mads@example.dk", billing=MADS)  # ordered as a guest
    thread = contact("Mads Sørensen", "mads@example.dk", customer=mads, order_number=order.number)
    assert thread.customer is None

    text, html = greetings("helpdesk_contact_confirmation")
    assert "Hej Mads," in text and "Hej Mads," in html  # as the order's own e-mails
    assert "Hej Mads Sørensen" not in text + html


def test_an_account_is_greeted_by_its_first_name_in_danish():
    mads = UserFactory(email="mads@example.dk", first_name="Mads", last_name="Sørensen")
    contact("Mads Sørensen", mads.email, customer=mads)
    for template in MAILS:
        text, html = greetings(template)
        assert "Hej Mads," in text and "Hej Mads," in html
        assert "Hej Mads Sørensen" not in text + html


def test_a_guest_without_an_order_is_greeted_by_the_name_as_given():
    contact("Mads Sørensen", "mads@example.dk")
    for template in MAILS:
        text, html = greetings(template)
        assert "Hej Mads Sørensen," in text and "Hej Mads Sørensen," in html


def test_an_e_mail_without_a_name_gets_a_plain_greeting():
    thread = services.create_email_thread(
        email="anonymous@example.dk", subject="Spørgsmål", text="Hej"
    )
    services.operator_reply(thread, StaffFactory(is_superuser=True), "Svar")
    text, html = greetings("helpdesk_reply")
    assert "Hello ," not in text and "Hello ," not in html
    assert "Hello," in text or "Hej," in text
