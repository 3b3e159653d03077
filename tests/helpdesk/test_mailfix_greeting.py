"""The helpdesk e-mails greet like every other e-mail: by the first name of the customer
account the thread belongs to; a sender without an account by the name they typed."""

import pytest

from helpdesk import services
from shop.mail import written
from shop.models import OutboxEmail
from tests.factories import StaffFactory, UserFactory

from .factories import ContactTopicFactory

pytestmark = pytest.mark.django_db


def mail(template):
    return written(OutboxEmail.objects.filter(template=template).latest("pk"))


def contact(customer=None, name="Łukasz Wójcik", email="lukasz@example.com"):
    return services.create_contact_request(
        topic_id=ContactTopicFactory().pk,
        name=name,
        email=customer.email if customer else email,
        subject="Where is my parcel?",
        text="It has not arrived.",
        customer=customer,
    )


def test_a_customer_is_greeted_by_the_accounts_first_name_in_both_mails():
    customer = UserFactory(first_name="Łukasz", last_name="Wójcik")
    thread = contact(customer, name="Łukasz Wójcik")
    confirmation = mail("helpdesk_contact_confirmation")
    services.operator_reply(thread, StaffFactory(is_superuser=True), "It left today.")
    reply = mail("helpdesk_reply")
    for email in (confirmation, reply):
        assert "Hello Łukasz," in email.body_text and "Hello Łukasz," in email.body_html
        assert "Hello Łukasz Wójcik" not in email.body_text + email.body_html


def test_a_sender_without_an_account_is_greeted_by_the_typed_name():
    thread = contact(name="Jürgen Müller-Weiß")
    services.operator_reply(thread, StaffFactory(is_superuser=True), "It left today.")
    for template in ("helpdesk_contact_confirmation", "helpdesk_reply"):
        email = mail(template)
        assert "Hello Jürgen Müller-Weiß," in email.body_text
        assert "Hello Jürgen Müller-Weiß," in email.body_html


def test_an_account_without_a_first_name_falls_back_to_the_typed_name():
    customer = UserFactory(first_name="", last_name="Wójcik")
    contact(customer, name="Ł. Wójcik")
    assert "Hello Ł. Wójcik," in mail("helpdesk_contact_confirmation").body_text


def test_the_typed_name_is_escaped_once_in_html_and_as_typed_in_text():
    contact(name="O'Brien & <Söhne>")
    email = mail("helpdesk_contact_confirmation")
    assert "Hello O'Brien & <Söhne>," in email.body_text
    assert "Hello O&#x27;Brien &amp; &lt;Söhne&gt;," in email.body_html
