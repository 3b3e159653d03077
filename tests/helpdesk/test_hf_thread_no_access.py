"""A staff member whose role may not open a thread (another department's, or none at all)
gets the backoffice's no-access page (403) for it, not Django's "… with ID "7" doesn't
exist. Perhaps it was deleted?" and a redirect: the thread exists. The page shows nothing
of the thread. An id that names no thread keeps Django's answer."""

import pytest
from django.urls import reverse

from helpdesk import services
from helpdesk.models import Thread
from tests.factories import RoleUserFactory
from tests.formtokens import fresh
from tests.helpdesk.factories import ContactTopicFactory, ThreadFactory

pytestmark = pytest.mark.django_db

SUBJECT = "Rabatt für meinen Verein Blauweiß"
CUSTOMER = "Zofia Wiśniewska"


def change_url(pk):
    return reverse("admin:helpdesk_thread_change", args=[pk])


@pytest.fixture
def thread():
    thread = ThreadFactory(
        topic=ContactTopicFactory(), subject=SUBJECT, name=CUSTOMER, email="zofia@example.com"
    )
    services.set_status(thread, Thread.Status.FORWARDED_SALES)
    return thread


def _assert_no_access_page(response, thread):
    assert response.status_code == 403
    page = response.content.decode()
    assert 'class="no-access"' in page  # the backoffice's own 403 page
    assert "doesn’t exist" not in page and "doesn't exist" not in page
    # It says why — another department's request — not "not carry out this action".
    assert "This request is with another department" in page
    assert "this action" not in page
    for secret in (SUBJECT, CUSTOMER, "zofia@example.com"):
        assert secret not in page


@pytest.mark.parametrize("role", ["Marketing", "Data protection officer"])
def test_a_role_without_the_thread_gets_the_no_access_page(client, thread, role):
    client.force_login(RoleUserFactory(role=role))
    response = client.get(change_url(thread.pk))
    _assert_no_access_page(response, thread)


def test_a_department_that_opens_other_threads_gets_the_no_access_page_too(client, thread):
    marketing = RoleUserFactory(role="Marketing")
    own = ThreadFactory(topic=thread.topic)
    services.set_status(own, Thread.Status.FORWARDED_MARKETING)
    client.force_login(marketing)
    assert client.get(change_url(own.pk)).status_code == 200
    _assert_no_access_page(client.get(change_url(thread.pk)), thread)
    # neither can it post to the thread
    response = client.post(change_url(thread.pk), fresh({"_note": "1", "text": "sneaky"}))
    assert response.status_code == 403
    assert not thread.messages.filter(text="sneaky").exists()


def test_the_history_of_a_thread_without_access_is_refused_too(client, thread):
    client.force_login(RoleUserFactory(role="Marketing"))
    url = reverse("admin:helpdesk_thread_history", args=[thread.pk])
    response = client.get(url)
    assert response.status_code == 403
    assert SUBJECT not in response.content.decode()


def test_the_department_the_thread_is_forwarded_to_opens_it(client, thread):
    client.force_login(RoleUserFactory(role="Sales"))
    response = client.get(change_url(thread.pk))
    assert response.status_code == 200 and SUBJECT in response.content.decode()


@pytest.mark.parametrize("pk", ["999999", "abc"])
def test_a_thread_that_does_not_exist_keeps_djangos_answer(client, thread, pk):
    client.force_login(RoleUserFactory(role="Marketing"))
    response = client.get(change_url(pk))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
