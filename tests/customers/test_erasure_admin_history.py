"""Erasure reaches the backoffice's change history (django_admin_log): the entries of the
account and of every record pointing at it keep who changed what and when, not the person's
name or address — also the entry of the deletion itself."""

import json

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from customers.models import Address
from customers.services import delete_customer
from tests.factories import UserFactory
from tests.helpdesk.factories import ThreadFactory

pytestmark = pytest.mark.django_db

NAME = "Zbigniewa Przybyszewska-Øster"


@pytest.fixture
def zbigniewa(db):
    return UserFactory(
        email="zbigniewa@example.com", first_name="Zbigniewa", last_name="Przybyszewska-Øster"
    )


def _log(staff, obj, action=CHANGE, message=""):
    return LogEntry.objects.log_actions(
        staff.pk, [obj], action, change_message=message, single_object=True
    )


def _texts():
    return " ".join(
        f"{e.object_repr} {e.change_message} {e.get_change_message()}"
        for e in LogEntry.objects.all()
    )


def test_the_deletion_entry_and_the_accounts_history_lose_the_name(
    admin_client, staff, zbigniewa, make_order
):
    address = Address.objects.create(
        customer=zbigniewa,
        first_name="Zbigniewa",
        last_name="Przybyszewska-Øster",
        street="Ulica Długa 5",
        postcode="00-001",
        city="Warszawa",
        country="PL",
    )
    order = make_order(customer=zbigniewa, email=zbigniewa.email)
    thread = ThreadFactory(customer=zbigniewa, email=zbigniewa.email, name=NAME)
    # what the admin writes: the inline address named in the account's change message (JSON,
    # non-ASCII escaped), a free text naming her on the order, the objects' own texts
    _log(staff, zbigniewa, ADDITION, [{"added": {"name": "address", "object": str(address)}}])
    _log(staff, address)
    _log(staff, order, CHANGE, f"Called {NAME} (zbigniewa@example.com) about the delivery")
    _log(staff, thread)
    other = UserFactory(first_name="Zbigniewa", last_name="Nowak")
    _log(staff, other)

    response = admin_client.post(
        reverse("admin:customers_user_delete", args=[zbigniewa.pk]), {"post": "yes"}
    )
    assert response.status_code == 302

    texts = _texts()
    for identifier in ("Przybyszewska", "Øster", "zbigniewa@example.com", "Długa"):
        assert identifier not in texts
    user_type = ContentType.objects.get_for_model(type(zbigniewa))
    deletion = LogEntry.objects.get(
        content_type=user_type, object_id=str(zbigniewa.pk), action_flag=DELETION
    )
    assert deletion.object_repr == "Deleted"
    addition = LogEntry.objects.get(
        content_type=user_type, object_id=str(zbigniewa.pk), action_flag=ADDITION
    )
    assert json.loads(addition.change_message) == [
        {"added": {"name": "address", "object": "Deleted"}}
    ]
    order_entry = LogEntry.objects.get(object_id=str(order.pk), content_type__model="order")
    assert order_entry.object_repr == order.number  # no name in it: kept
    assert order_entry.change_message == "Called Deleted (Deleted) about the delivery"
    assert LogEntry.objects.get(object_id=str(thread.pk), content_type__model="thread")
    # who changed what and when stays; another person of the same first name keeps hers
    assert LogEntry.objects.filter(user=staff).count() == 6
    assert LogEntry.objects.get(object_id=str(other.pk), content_type=user_type).object_repr == (
        "Zbigniewa Nowak"
    )


def test_erasure_outside_the_backoffice_scrubs_the_history_too(staff, zbigniewa):
    _log(staff, zbigniewa)
    delete_customer(zbigniewa)  # the storefront's "Delete my account"
    assert LogEntry.objects.get().object_repr == "Deleted"
