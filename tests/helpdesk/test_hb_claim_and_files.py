"""A contact request sent without logging in is linked to the customer account only when the
owner shows both the mailbox (the link in the acknowledgement e-mail) and the login; long
file names stay inside the thread card; a NUL typed into a message does not lose it."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from helpdesk import links, services
from helpdesk.attachments import Incoming
from helpdesk.models import Thread
from shop.models import OutboxEmail
from tests.factories import StaffFactory, UserFactory
from tests.helpdesk.factories import ContactTopicFactory, ThreadFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
LONG_NAME = "Scan_" + "WarehouseDamagedParcelPhotoFrontSideWithLabelAndTracking" * 2 + ".pdf"


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


def contact(client, email, message="Where is my parcel?"):
    topic = ContactTopicFactory()
    return client.post(
        reverse("helpdesk:contact"),
        {
            "name": "Erika Mustermann",
            "email": email,
            "topic": topic.pk,
            "subject": "Parcel",
            "message": message,
            "order_number": "",
            "website": "",
        },
    )


def acknowledgement_link(email):
    mail = OutboxEmail.objects.filter(template="helpdesk_contact_confirmation").latest("pk")
    assert mail.to == [email]
    return re.search(r"/helpdesk/t/[^\s/]+/", mail.body_text).group(0)


def account_questions(client):
    return client.get(reverse("customers:account")).content.decode()


def test_a_typed_address_does_not_link_the_thread_the_mailbox_and_login_do():
    erika = UserFactory(email="erika@example.com")
    contact(Client(), "Erika@Example.com")
    thread = Thread.objects.get()
    assert thread.customer is None  # anyone can type an address
    owner = Client()
    owner.force_login(erika)
    assert "Parcel" not in account_questions(owner)

    response = owner.get(acknowledgement_link("Erika@Example.com"))
    thread.refresh_from_db()
    assert thread.customer == erika
    assert response.status_code == 302
    assert response["Location"] == reverse("helpdesk:account_thread", args=[thread.pk])
    assert "Parcel" in account_questions(owner)
    assert owner.get(response["Location"]).status_code == 200


def test_another_account_or_staff_opening_the_link_links_nothing(client):
    contact(Client(), "erika@example.com")
    link = acknowledgement_link("erika@example.com")
    for user in (UserFactory(email="max@example.com"), StaffFactory(email="erika@example.com")):
        visitor = Client()
        visitor.force_login(user)
        assert visitor.get(link).status_code == 200  # the page, as for any link holder
    assert Thread.objects.get().customer is None


def test_the_guest_page_tells_account_holders_to_log_in(client):
    contact(client, "erika@example.com")
    page = client.get(acknowledgement_link("erika@example.com")).content.decode()
    assert "Log in</a> and this request is listed in your account." in page


def test_an_answer_posted_through_the_guest_link_is_not_lost_by_the_linking():
    erika = UserFactory(email="erika@example.com")
    thread = ThreadFactory(email="erika@example.com")
    owner = Client()
    owner.force_login(erika)
    owner.post(links.signed_thread_path(thread), {"text": "Any news?"})
    assert thread.messages.filter(text="Any news?").exists()


# --- long file names ------------------------------------------------------------------------


def test_long_file_names_wrap_inside_the_card_and_keep_their_full_name(client):
    staff = StaffFactory(is_superuser=True)
    thread = ThreadFactory(email="erika@example.com")
    services.customer_reply(thread, "Photo", files=[Incoming.from_bytes(LONG_NAME, PDF)])
    name = thread.messages.get().attachments.get().filename
    assert len(name) > 100 and " " not in name
    store = client.get(links.signed_thread_path(thread)).content.decode()
    link = re.search(r"<a [^>]*download>[^<]*</a>", store).group(0)
    assert "overflow-wrap:anywhere" in link and f'title="{name}"' in link and f">{name}<" in link
    client.force_login(staff)
    backoffice = client.get(reverse("admin:helpdesk_thread_change", args=[thread.pk]))
    html = backoffice.content.decode()
    assert re.search(r"\.hd-files a\{[^}]*overflow-wrap:anywhere", html)
    assert f'title="{name}">{name}</a>' in html


# --- NUL in typed text ------------------------------------------------------------------------


def test_a_nul_in_a_contact_message_is_dropped_and_the_text_kept(client):
    response = contact(client, "erika@example.com", message="Hello\x00 there,\nmy parcel…")
    assert response.status_code == 302
    assert Thread.objects.get().messages.get().text == "Hello there,\nmy parcel…"


def test_a_message_of_only_nul_is_a_form_error_with_the_form_shown_again(client):
    response = contact(client, "erika@example.com", message="\x00")
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert 'value="Parcel"' in response.content.decode()  # the rest of the input is kept
    assert not Thread.objects.exists()


def test_a_nul_in_an_answer_through_the_guest_link_is_dropped(client):
    thread = ThreadFactory(email="erika@example.com")
    response = client.post(links.signed_thread_path(thread), {"text": "Thanks\x00!"})
    assert response.status_code == 302
    assert thread.messages.get().text == "Thanks!"
