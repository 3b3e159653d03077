"""Erasing a person takes them out of the backoffice's change history of their helpdesk
threads (``helpdesk.erasure.scrub_thread_history``), for a guest erased by e-mail and for a
customer alike — also a thread only their address links to them (found by an exploratory
test: the guest's threads kept the name in the history, the customer's too when the thread
was not linked to the account)."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.urls import reverse

from customers.services import delete_customer, delete_guest
from helpdesk import services
from helpdesk.models import Message, Thread
from shop.models import OutboxEmail
from tests.factories import UserFactory
from tests.formtokens import fresh
from tests.helpdesk.factories import ThreadFactory

pytestmark = pytest.mark.django_db

EMAIL = "gerda.gast@example.org"


def _log(staff, obj, message):
    LogEntry.objects.log_actions(
        staff.pk, [obj], CHANGE, change_message=message, single_object=True
    )
    return LogEntry.objects.filter(object_id=str(obj.pk)).latest("pk")


def _erase_guest():
    delete_guest(EMAIL)


def _erase_customer():
    customer = UserFactory(email=EMAIL, first_name="Gerda", last_name="Gastmann")
    delete_customer(customer)


@pytest.mark.parametrize("erase", [_erase_guest, _erase_customer], ids=["guest", "customer"])
def test_erasure_scrubs_the_admin_history_of_the_persons_threads(staff, erase):
    # not linked to any account: only the address says whose it is
    thread = ThreadFactory(
        email=EMAIL, name="Gerda Gastmann", subject="Delivery for Gerda Gastmann"
    )
    entry = _log(staff, thread, f"Called Gerda Gastmann ({EMAIL}, Gästeweg 17)")
    assert "Gastmann" in entry.object_repr
    other = ThreadFactory(email="other@example.org", name="Ida Other", subject="Hello")
    untouched = _log(staff, other, "Called Ida about it")

    erase()

    entry.refresh_from_db()
    assert entry.object_repr == "Deleted"
    for identifier in ("Gerda", "Gastmann", EMAIL):
        assert identifier not in entry.change_message
    assert entry.user_id == staff.pk and entry.action_flag == CHANGE  # who and what stay
    untouched.refresh_from_db()
    assert untouched.change_message == "Called Ida about it"
    assert untouched.object_repr == str(other)


def test_an_erased_senders_thread_takes_notes_but_sends_no_reply(admin_client, customer):
    """A reply to the placeholder address would fail eight times in the outbox while the
    thread said "Operator replied": refused, and the page offers only the note."""
    thread = ThreadFactory(customer=customer, email=customer.email, name="Erika M")
    services.customer_reply(thread, "Where is my parcel?")
    delete_customer(customer)
    thread.refresh_from_db()
    url = reverse("admin:helpdesk_thread_change", args=[thread.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="_send"' not in page and 'name="_note"' in page
    mails = OutboxEmail.objects.count()
    admin_client.post(url, fresh({"text": "It ships today.", "_send": "1"}))
    thread.refresh_from_db()
    assert thread.status != Thread.Status.OPERATOR_REPLIED
    assert OutboxEmail.objects.count() == mails
    assert not Message.objects.filter(thread=thread, kind=Message.Kind.OPERATOR).exists()
    admin_client.post(url, fresh({"text": "Parcel went out.", "_note": "1"}))
    assert Message.objects.filter(thread=thread, kind=Message.Kind.NOTE).count() == 1
