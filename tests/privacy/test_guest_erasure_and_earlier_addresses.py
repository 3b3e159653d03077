"""A customer's earlier login addresses belong to their privacy subject (report, export,
browser), and a guest known only by e-mail can be erased from the personal-data browser by
the data protection officer, recorded in the access log (found by an exploratory test)."""

import pytest
from django.urls import reverse

from customers.models import User
from orders.models import Order
from orders.services import mark_paid
from privacy import subjects
from privacy.models import AccessLogEntry
from shop.mail import queue_email
from shop.models import OutboxEmail
from tests.factories import UserFactory, settle_open_business
from tests.helpdesk.factories import MessageFactory, ThreadFactory

pytestmark = pytest.mark.django_db

GUEST = "gerda.gast@example.org"


def test_customer_subject_includes_earlier_addresses(make_order):
    user = UserFactory(email="now@example.org", previous_emails=["before@example.org"])
    old_order = make_order(email="before@example.org")
    queue_email("order_confirmation", "before@example.org", {"order": old_order})

    person = subjects.resolve(f"customer:{user.pk}")
    assert set(person.emails) == {"now@example.org", "before@example.org"}
    places = {p["model"]: p for p in subjects.collect(person)["places"]}
    assert len(places["orders.order"]["records"]) == 1
    assert places["shop.outboxemail"]["records"]
    assert f"order:{old_order.pk}" in subjects.subject_refs(person)
    # the earlier address leads to its person
    assert subjects.resolve("email:before@example.org").ref == person.ref


def test_earlier_address_another_account_holds_now_is_not_included(db):
    user = UserFactory(email="now@example.org", previous_emails=["taken@example.org"])
    UserFactory(email="taken@example.org")
    assert subjects.resolve(f"customer:{user.pk}").emails == ("now@example.org",)


@pytest.fixture
def guest_data(make_order, staff):
    order = make_order(email=GUEST, phone="+49 171 5550123", customer_note="Ring twice")
    mark_paid(order)
    settle_open_business(order)  # shipped: no open business stops the erasure
    pending = make_order(email=GUEST)
    thread = ThreadFactory(email=GUEST, name="Gerda Gast", subject="Frage von Gerda Gast")
    message = MessageFactory(thread=thread, text="Call me: 0171 555 0123, Gerda")
    queue_email("order_confirmation", GUEST, {"order": order})
    OutboxEmail.objects.update(status=OutboxEmail.Status.SENT)
    return {"order": order, "pending": pending, "thread": thread, "message": message}


def test_dpo_erases_a_guest_from_the_browser(client, dpo, guest_data):
    client.force_login(dpo)
    ref = f"email:{GUEST}"
    show = client.get(reverse("admin:privacy_subject_show", args=[ref]))
    url = reverse("admin:privacy_subject_erase", args=[ref])
    assert url in show.content.decode()
    assert client.get(url).status_code == 200

    response = client.post(url)

    assert response.status_code == 302
    order = Order.objects.get(pk=guest_data["order"].pk)
    assert order.anonymised and order.phone == "" and order.customer_note == ""
    assert Order.objects.get(pk=guest_data["pending"].pk).status == Order.Status.CANCELED
    thread = guest_data["thread"]
    thread.refresh_from_db()
    assert thread.email.startswith("deleted-t") and thread.name == "Deleted customer"
    guest_data["message"].refresh_from_db()
    assert guest_data["message"].text == "Call me: Deleted, Deleted customer"
    assert not OutboxEmail.objects.filter(to__icontains=GUEST).exists()
    entry = AccessLogEntry.objects.filter(note="guest data erased").get()
    assert entry.action == "change" and entry.user_id == dpo.pk
    assert ref in entry.subjects and f"order:{order.pk}" in entry.subjects
    assert client.get(reverse("admin:privacy_subject_show", args=[ref])).status_code == 404


def test_erasing_a_guest_needs_the_erasure_permission(client, marketing, guest_data):
    client.force_login(marketing)
    url = reverse("admin:privacy_subject_erase", args=[f"email:{GUEST}"])
    assert client.post(url).status_code == 403
    assert Order.objects.get(pk=guest_data["order"].pk).email == GUEST


def test_guest_address_of_a_customer_is_refused(admin_client, make_order):
    from customers.services import CustomerError, delete_guest

    user = UserFactory(email="now@example.org", previous_emails=["before@example.org"])
    make_order(email="before@example.org")
    with pytest.raises(CustomerError, match="belongs to customer"):
        delete_guest("before@example.org")
    assert User.objects.filter(pk=user.pk).exists()
    assert Order.objects.get(email="before@example.org")
