"""The contact form does not tell strangers which order numbers belong to an e-mail address:
order numbers it finds no order for (of the typed address) are counted per client, and past
the limit a request naming an order number is refused without looking it up (as the
withdrawal form does). A request that names a real order of the typed address reaches the
order's owner — confirmed to the order's address — and shows the sender nothing of it."""

import pytest
from django.urls import reverse

from helpdesk.models import Thread
from shop.models import OutboxEmail
from tests.factories import UserFactory
from tests.helpdesk.factories import ContactTopicFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

URL = "/contact/"
NOT_FOUND = "We could not find an order with this number for your e-mail address."
TOO_MANY = "You have entered several order numbers we could not find"


@pytest.fixture
def topic(db):
    return ContactTopicFactory()


def form_data(topic, **overrides):
    return {
        "name": "Mallory",
        "email": "erika@example.com",
        "topic": topic.pk,
        "subject": "Question",
        "message": "Please tell me about this order.",
        "order_number": "",
        "website": "",
        **overrides,
    }


def order_number_errors(response):
    return response.context["form"].errors.get("order_number", [])


def test_wrong_order_numbers_are_counted_and_past_the_limit_no_number_is_looked_up(
    client, topic, make_order, settings
):
    settings.HELPDESK_CONTACT_LOOKUP_LIMIT = 3
    order = make_order(email="erika@example.com")
    for number in ("999991", "999992", "999993"):
        response = client.post(URL, form_data(topic, order_number=number))
        assert NOT_FOUND in order_number_errors(response)

    # The right number now gets the same refusal as any other: nothing tells them apart.
    right = client.post(URL, form_data(topic, order_number=order.number, subject="Found it"))
    wrong = client.post(URL, form_data(topic, order_number="999994"))

    for response in (right, wrong):
        assert response.status_code == 200
        assert any(TOO_MANY in e for e in order_number_errors(response))
        assert NOT_FOUND not in response.content.decode()
    assert 'value="Found it"' in right.content.decode()  # what was typed is kept
    assert not Thread.objects.exists()
    assert not OutboxEmail.objects.filter(template__startswith="helpdesk_").exists()


def test_past_the_limit_a_request_without_an_order_number_is_still_taken(client, topic, settings):
    settings.HELPDESK_CONTACT_LOOKUP_LIMIT = 2
    for number in ("999991", "999992"):
        client.post(URL, form_data(topic, order_number=number))

    response = client.post(URL, form_data(topic, order_number=""))

    assert response.status_code == 302
    assert Thread.objects.count() == 1


def test_another_client_is_not_limited(client, topic, make_order, settings):
    settings.HELPDESK_CONTACT_LOOKUP_LIMIT = 2
    order = make_order(email="erika@example.com")
    for number in ("999991", "999992"):
        client.post(URL, form_data(topic, order_number=number))

    other = client.post(URL, form_data(topic, order_number=order.number), REMOTE_ADDR="10.9.9.9")

    assert other.status_code == 302
    assert Thread.objects.get().order == order


def test_the_default_limit_is_five_failed_lookups_per_hour(client, topic):
    for i in range(5):
        response = client.post(URL, form_data(topic, order_number=f"99999{i}"))
        assert NOT_FOUND in order_number_errors(response)

    response = client.post(URL, form_data(topic, order_number="999999"))

    assert any(TOO_MANY in e for e in order_number_errors(response))


def test_a_matching_request_shows_the_sender_nothing_of_the_order(client, topic, make_order):
    order = make_order(email="erika@example.com")

    response = client.post(URL, form_data(topic, order_number=order.number), follow=True)

    assert response.status_code == 200
    html = response.content.decode()
    assert "We have received your request" in html
    for detail in (order.billing_street, order.billing_city, order.lines.get().name):
        assert detail not in html
    # The confirmation goes to the order's address only; the sender got no link to the thread.
    mails = OutboxEmail.objects.filter(template="helpdesk_contact_confirmation")
    assert [m.to for m in mails] == [[order.email]]


def test_a_logged_in_stranger_gets_no_one_elses_order_into_their_account(client, topic, make_order):
    """The thread of a logged-in sender is listed in their account, the shop's answers
    included. An order found by the typed address (not the account, whose address nobody
    confirmed) sends the request to that address instead, as a guest's: its owner can take
    it into their account through the e-mailed link; the sender sees nothing of it."""
    mallory = UserFactory(email="mallory@example.com")
    order = make_order(email="erika@example.com")
    client.force_login(mallory)

    response = client.post(URL, form_data(topic, order_number=order.number), follow=True)

    assert response.status_code == 200
    thread = Thread.objects.get()
    assert (thread.order, thread.customer, thread.email) == (order, None, "erika@example.com")
    html = response.content.decode()
    assert order.billing_street not in html and order.lines.get().name not in html
    mails = OutboxEmail.objects.filter(template="helpdesk_contact_confirmation")
    assert [m.to for m in mails] == [["erika@example.com"]]
    assert client.get(reverse("helpdesk:account_thread", args=[thread.pk])).status_code == 404


def test_a_logged_in_customers_own_order_joins_their_account(client, topic, make_order):
    erika = UserFactory(email="erika@example.com")
    in_account = make_order(customer=erika, email="erika@example.com")
    client.force_login(erika)

    response = client.post(
        URL, form_data(topic, email="erika.work@example.com", order_number=in_account.number)
    )

    assert response.status_code == 302
    thread = Thread.objects.get()
    assert (thread.order, thread.customer) == (in_account, erika)
