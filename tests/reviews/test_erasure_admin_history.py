"""Erasing a person takes them out of the backoffice's change history of their reviews
(``reviews.erasure.scrub_review_history``), for a guest erased by e-mail and for a customer
alike — also a review only their address links to them (found by an exploratory test: the
guest's reviews kept the name in the history, the customer's too when the review was not
linked to the account)."""

import json

import pytest
from django.contrib.admin.models import CHANGE, LogEntry

from customers.services import delete_customer, delete_guest
from tests.factories import UserFactory
from tests.reviews.factories import ReviewFactory

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
def test_erasure_scrubs_the_admin_history_of_the_persons_reviews(staff, erase):
    # written before the account existed: only the address says whose it is
    review = ReviewFactory(email=EMAIL, author_name="Gerda Gastmann")
    entry = _log(staff, review, f"Shop reply removed; asked Gerda Gastmann ({EMAIL}) first.")
    # the admin's own JSON message, naming the review itself
    form_entry = _log(
        staff, review, json.dumps([{"changed": {"name": "review", "object": str(review)}}])
    )
    assert "Gastmann" in entry.object_repr
    other = ReviewFactory(email="other@example.org", author_name="Ida Other")
    untouched = _log(staff, other, "Reply removed")

    erase()

    for scrubbed in (entry, form_entry):
        scrubbed.refresh_from_db()
        assert scrubbed.object_repr == "Deleted"
        for identifier in ("Gerda", "Gastmann", EMAIL):
            assert identifier not in scrubbed.change_message
        assert scrubbed.user_id == staff.pk and scrubbed.action_flag == CHANGE
    assert json.loads(form_entry.change_message)[0]["changed"]["object"] == "Deleted"
    untouched.refresh_from_db()
    assert untouched.change_message == "Reply removed" and untouched.object_repr == str(other)
