"""A guest erased by e-mail loses what the shop's core keeps under their address as a
customer does: the failed-login records (django-axes) and the person in the backoffice's
change history of their orders (found by an exploratory test: both stayed)."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.admin.models import CHANGE, LogEntry

from customers.services import delete_guest

pytestmark = pytest.mark.django_db

GUEST = "gerda.gast@example.org"


def _attempt(model, username):
    extra = {"get_data": "", "post_data": "", "failures_since_start": 1}
    return model.objects.create(
        username=username,
        ip_address="203.0.113.7",
        user_agent="Firefox",
        http_accept="*/*",
        path_info="/account/login/",
        **(extra if model is AccessAttempt else {}),
    )


def test_guest_erasure_forgets_the_failed_logins_under_the_address(make_order):
    make_order(email=GUEST)
    _attempt(AccessAttempt, "Gerda.Gast@example.org")
    _attempt(AccessFailureLog, GUEST)
    _attempt(AccessAttempt, "someone.else@example.org")

    delete_guest(GUEST)

    assert not AccessAttempt.objects.filter(username__iexact=GUEST).exists()
    assert not AccessFailureLog.objects.filter(username__iexact=GUEST).exists()
    assert AccessAttempt.objects.filter(username="someone.else@example.org").exists()


def test_guest_erasure_takes_the_person_out_of_the_orders_history(make_order, staff):
    order = make_order(
        email=GUEST,
        phone="+49 171 5550123",
        billing={
            "first_name": "Gerda",
            "last_name": "Gastmann",
            "street": "Gästeweg 17",
            "postcode": "10115",
            "city": "Berlin",
            "country": "DE",
        },
    )
    other = make_order(email="other@example.org")
    LogEntry.objects.log_actions(
        staff.pk,
        [order],
        CHANGE,
        change_message=f"Called Gerda Gastmann ({GUEST}, 0171 555 0123) about Gästeweg 17",
        single_object=True,
    )
    LogEntry.objects.log_actions(
        staff.pk, [other], CHANGE, change_message="Called Gerda about it", single_object=True
    )

    delete_guest(GUEST)

    entry = LogEntry.objects.get(object_id=str(order.pk))
    for identifier in ("Gerda", "Gastmann", GUEST, "555", "Gästeweg"):
        assert identifier not in entry.change_message
    assert entry.object_repr == order.number and entry.user_id == staff.pk
    # another person's order keeps its history
    assert LogEntry.objects.get(object_id=str(other.pk)).change_message == "Called Gerda about it"
