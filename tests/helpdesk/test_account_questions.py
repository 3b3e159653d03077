"""The customer's questions in the account: "My questions" in the account navigation and its
list page, the contact form leading a logged-in customer on to the new request, clickable
(and still escaped) links in the messages, the request number on one line, and the contact
link where the account deletion is refused."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from giftcards import services as giftcard_services
from helpdesk.models import Message, Thread
from tests.factories import StaffFactory, UserFactory
from tests.helpdesk.factories import ContactTopicFactory, MessageFactory, ThreadFactory
from tests.pages import ok_page

pytestmark = pytest.mark.django_db

LIST = "/helpdesk/threads/"


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def erika(db):
    user = UserFactory(email="erika@example.com", first_name="Erika")
    user.set_password("secret-pass-123")
    user.save()
    return user


def test_my_questions_is_in_the_account_navigation(client, erika):
    client.force_login(erika)
    page = ok_page(client, reverse("customers:account"))
    nav = page[page.index('class="account-nav"') :]
    nav = nav[: nav.index("</nav>")]
    assert f'href="{reverse("helpdesk:account_threads")}">My questions</a>' in nav
    assert reverse("helpdesk:account_threads") == LIST


def test_the_list_shows_the_customers_own_threads_with_order_date_status(client, erika, make_order):
    order = make_order(customer=erika, email=erika.email)
    mine = ThreadFactory(customer=erika, email=erika.email, subject="Where is my parcel?")
    with_order = ThreadFactory(customer=erika, email=erika.email, order=order, subject="Invoice")
    Thread.objects.filter(pk=with_order.pk).update(status=Thread.Status.OPERATOR_REPLIED)
    ThreadFactory(customer=UserFactory(), subject="Someone else's question")
    ThreadFactory(email=erika.email, subject="A guest request under her address")
    client.force_login(erika)
    page = ok_page(client, LIST)
    assert 'aria-current="page">My questions</a>' in page
    assert "Where is my parcel?" in page and "Invoice" in page
    assert "Someone else" not in page and "A guest request" not in page
    assert reverse("helpdesk:account_thread", args=[mine.pk]) in page
    assert order.number in page
    assert "Answered" in page and "Waiting for our answer" in page
    assert page.index("Invoice") < page.index("Where is my parcel?")  # newest first


def test_the_list_without_threads_invites_to_contact_us(client, erika):
    client.force_login(erika)
    page = ok_page(client, LIST)
    assert "You have not sent us any questions yet." in page
    assert reverse("helpdesk:contact") in page


def test_the_list_is_for_logged_in_customers_only(client):
    response = client.get(LIST)
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(StaffFactory())
    assert client.get(LIST).status_code == 404


def test_the_overview_box_links_all_questions(client, erika):
    ThreadFactory(customer=erika, email=erika.email)
    client.force_login(erika)
    assert f'href="{LIST}">All questions' in ok_page(client, reverse("customers:account"))


def test_a_logged_in_customer_goes_on_to_the_new_request(client, erika):
    topic = ContactTopicFactory()
    client.force_login(erika)
    data = {
        "name": "Erika",
        "email": erika.email,
        "topic": topic.pk,
        "subject": "Colour of the kettle",
        "message": "Is it available in green?",
        "order_number": "",
        "website": "",
    }
    response = client.post(reverse("helpdesk:contact"), data, follow=True)
    thread = Thread.objects.get()
    assert thread.customer == erika
    assert response.redirect_chain[-1][0] == reverse("helpdesk:account_thread", args=[thread.pk])
    page = response.content.decode()
    assert "We have received your request" in page and "Is it available in green?" in page


def test_a_guest_stays_on_the_contact_page(client):
    topic = ContactTopicFactory()
    data = {
        "name": "Gast",
        "email": "gast@example.org",
        "topic": topic.pk,
        "subject": "Question",
        "message": "Hello",
        "order_number": "",
        "website": "",
    }
    response = client.post(reverse("helpdesk:contact"), data)
    assert response["Location"] == reverse("helpdesk:contact")


LONG = "https://example.com/track/" + "A1B2C3D4E5" * 8


def test_links_in_messages_are_clickable_and_html_stays_escaped(admin_client, erika):
    thread = ThreadFactory(customer=erika, email=erika.email)
    MessageFactory(
        thread=thread,
        kind=Message.Kind.OPERATOR,
        text=f"Track it here: {LONG}\n<script>alert('x')</script> & <b>bold</b>",
    )
    customer_page = Client()  # admin_client is the test's client, logged in as staff
    customer_page.force_login(erika)
    page = ok_page(customer_page, reverse("helpdesk:account_thread", args=[thread.pk]))
    staff_page = ok_page(admin_client, reverse("admin:helpdesk_thread_change", args=[thread.pk]))
    for html in (page, staff_page):
        assert f'<a href="{LONG}" rel="nofollow">{LONG}</a>' in html
        assert "<script>alert(" not in html and "&lt;script&gt;alert(" in html
        assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert 'class="message-text"' in page  # wraps long links: static/css/shop.css


def test_the_reference_stays_on_one_line(client, erika):
    thread = ThreadFactory(customer=erika, email=erika.email)
    client.force_login(erika)
    page = ok_page(client, reverse("helpdesk:account_thread", args=[thread.pk]))
    assert f'<span class="thread-ref">T-{thread.token}</span>' in page
    css = (Path(settings.BASE_DIR) / "static/css/shop.css").read_text()
    assert ".thread-ref{white-space:nowrap}" in css
    assert ".message-text{white-space:pre-wrap;overflow-wrap:anywhere}" in css


def test_refused_account_deletion_links_the_contact_page(client, erika):
    card = giftcard_services.issue_cards(Decimal("20.00"))[0]
    giftcard_services.redeem_to_account(card.number, erika)
    client.force_login(erika)
    url = reverse("customers:delete_account")
    assert 'class="contact-link"' not in ok_page(client, url)  # nothing refused yet
    response = client.post(url, {"password": "secret-pass-123", "confirm": "on"})
    page = response.content.decode()
    assert response.status_code == 200 and "contact us" in page
    assert (
        f'<p class="contact-link"><a class="btn secondary" href="{reverse("helpdesk:contact")}"'
        in page
    )


def test_the_list_query_count_is_constant(client, erika, make_order, django_assert_max_num_queries):
    order = make_order(customer=erika, email=erika.email)
    for n in range(15):
        ThreadFactory(customer=erika, email=erika.email, order=order if n % 2 else None)
    client.force_login(erika)
    ok_page(client, LIST)
    with django_assert_max_num_queries(12):
        page = ok_page(client, LIST)
    assert page.count(order.number) == 7


def test_more_than_a_page_of_questions_pages_like_the_other_account_lists(client, erika):
    """21 requests: page 1 of 2 links to the older ones, page 2 back to the newer ones — the
    account's shared pager (_account_pager.html, as the orders and the gift-card ledger)."""
    for i in range(21):
        ThreadFactory(customer=erika, email=erika.email, subject=f"Question {i:02d}")
    client.force_login(erika)
    first = ok_page(client, LIST)
    assert "Page 1 of 2" in first and 'href="?page=2"' in first and "Older" in first
    assert first.count("Question ") == 20
    second = ok_page(client, LIST + "?page=2")
    assert "Page 2 of 2" in second and 'href="?page=1"' in second and "Newer" in second
    assert second.count("Question ") == 1
