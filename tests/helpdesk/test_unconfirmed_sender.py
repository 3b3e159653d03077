"""A logged-in customer's request that the account does not list is not lost from sight.

A request naming an order found only by the typed address (the account's address was never
confirmed through its mailbox) is kept as a guest's request of that address
(``services.create_contact_request``); the account's list said "You have not sent us any
questions yet" and the request seemed to vanish. The thank-you page now says where it went
and how it joins the account, and so does the list while such requests of the account's
address exist — and what they say is true: the link in the confirmation e-mail, opened
while logged in, adds the request to the account.
"""

import pytest
from django.urls import reverse

from helpdesk import services
from helpdesk.models import Thread
from shop.mail import written
from shop.models import OutboxEmail
from tests.factories import UserFactory
from tests.helpdesk.factories import ContactTopicFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

URL = "/contact/"
ADDED_BY_LINK = "Open the link in our confirmation e-mail while you are logged in"
NOT_LISTED = "The order is not in your customer account, so this request is not listed there"
OUTSIDE = "Messages you sent us without your account"
EMPTY = "You have not sent us any questions yet."


@pytest.fixture
def topic(db):
    return ContactTopicFactory()


@pytest.fixture
def mads(client):
    mads = UserFactory(email="mads@example.dk", first_name="Mads", last_name="Sørensen")
    client.force_login(mads)
    return mads


def form_data(topic, **overrides):
    return {
        "name": "Mads Sørensen",
        "email": "mads@example.dk",
        "topic": topic.pk,
        "subject": "Where is my parcel?",
        "message": "It has not arrived.",
        "order_number": "",
        "website": "",
        **overrides,
    }


def account_list(client):
    return client.get(reverse("helpdesk:account_threads")).content.decode()


def test_the_thank_you_page_says_where_the_request_went_and_the_link_adds_it(
    client, mads, topic, make_order
):
    guest_order = make_order(email="mads@example.dk")  # ordered before the account existed
    assert guest_order.customer_id is None

    response = client.post(URL, form_data(topic, order_number=guest_order.number), follow=True)

    thread = Thread.objects.get()
    assert thread.customer is None  # deliberately: the address proves nothing by itself
    html = response.content.decode()
    assert "We have received your request" in html
    assert NOT_LISTED in html and ADDED_BY_LINK in html

    # "My messages" says the same, instead of only "not sent us any questions yet".
    page = account_list(client)
    assert OUTSIDE in page
    assert thread.subject not in page  # it names none of them

    # True: the link of the confirmation e-mail, opened while logged in, adds it.
    mail = written(OutboxEmail.objects.get(template="helpdesk_contact_confirmation"))
    link = thread.get_absolute_url()
    assert link in mail.body_text
    client.get(link)
    thread.refresh_from_db()
    assert thread.customer == mads
    page = account_list(client)
    assert thread.subject in page and OUTSIDE not in page and EMPTY not in page


def test_a_request_for_another_address_says_where_the_answers_go(client, mads, topic, make_order):
    """Typed another address: only that mailbox can take the request in, so the page does
    not promise the account anything."""
    order = make_order(email="mads.work@example.dk")

    response = client.post(
        URL,
        form_data(topic, email="mads.work@example.dk", order_number=order.number),
        follow=True,
    )

    html = response.content.decode()
    assert Thread.objects.get().customer is None
    assert NOT_LISTED in html and "mads.work@example.dk" in html
    assert ADDED_BY_LINK not in html
    page = account_list(client)
    assert EMPTY in page and OUTSIDE not in page


def test_a_request_in_the_account_needs_no_explanation(client, mads, topic):
    response = client.post(URL, form_data(topic), follow=True)

    thread = Thread.objects.get()
    assert thread.customer == mads
    html = response.content.decode()
    assert NOT_LISTED not in html
    assert OUTSIDE not in account_list(client)


def test_another_addresses_requests_are_no_concern_of_the_account(client, mads, topic):
    services.create_contact_request(
        topic_id=topic.pk,
        name="Someone",
        email="someone@example.com",
        subject="Question",
        text="Hello?",
    )

    page = account_list(client)

    assert EMPTY in page and OUTSIDE not in page
