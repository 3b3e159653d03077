"""Erasure takes the person's phone numbers and streets out of free text, however the number
is written, and reaches every order under the person's addresses (earlier ones, guest orders);
an anonymised order keeps no VAT ID or buyer reference (found by an exploratory test)."""

import pytest

from customers import services
from customers.erasure import scrubber
from customers.models import Address
from helpdesk.models import Message, Thread
from orders.erasure import anonymise_orders
from orders.models import Order, OrderComment
from orders.retention import anonymise_guest_orders
from orders.services import add_comment, mark_paid
from shop.mail import queue_email
from shop.models import OutboxEmail
from tests.factories import UserFactory, settle_open_business
from tests.helpdesk.factories import MessageFactory, ThreadFactory

pytestmark = pytest.mark.django_db

NAME = ("Zbigniewa", "Przybyszewska-Øster")
PHONE = "+48 601 777 313"
STREET = "Ulica Kwiatkowskiego-Żółtej 917"
DK_STREET = "Østerbrogade Zbigvej 4711"
DK_PHONE = "+45 2847 1913"


@pytest.mark.parametrize(
    "written",
    [
        "+48 601 777 313",
        "+48-601-777-313",
        "0048 (601) 777.313",
        "601 777 313",
        "601777313",
        "(+48) 601 777 313",
    ],
)
def test_a_phone_number_is_matched_however_it_is_written(written):
    clean = scrubber([(PHONE, "Deleted")])
    assert clean(f"Call {written} please") == "Call Deleted please"


def test_short_numbers_and_other_digits_stay():
    clean = scrubber([("+48 601 777 313", "Deleted"), ("12345", "Deleted")])
    text = "Order 1601777313, house 917, code 12345, phone 601 777 31"
    assert clean(text) == "Order 1601777313, house 917, code Deleted, phone 601 777 31"


@pytest.fixture
def zbig(db):
    user = UserFactory(
        email="zbig.oster@example.org",
        first_name=NAME[0],
        last_name=NAME[1],
        phone=PHONE,
        previous_emails=["zbig.old@example.org"],
    )
    Address.objects.create(
        customer=user,
        first_name=NAME[0],
        last_name=NAME[1],
        street=STREET,
        postcode="00-950",
        city="Warszawa",
        country="PL",
        phone=PHONE,
        is_default=True,
    )
    Address.objects.create(
        customer=user,
        first_name=NAME[0],
        last_name=NAME[1],
        street=DK_STREET,
        postcode="2100",
        city="København Ø",
        country="DK",
        phone=DK_PHONE,
    )
    return user


def billing(street=STREET, country="PL", postcode="00-950", city="Warszawa"):
    return {
        "first_name": NAME[0],
        "last_name": NAME[1],
        "street": street,
        "postcode": postcode,
        "city": city,
        "country": country,
    }


def test_erasure_takes_phones_and_streets_out_of_threads_and_comments(zbig, make_order, staff):
    order = make_order(customer=zbig, email=zbig.email, billing=billing(), phone=PHONE)
    mark_paid(order)
    settle_open_business(order)  # shipped: no open business stops the erasure
    add_comment(order, "Customer called from +48 601-777-313 about the parcel.", user=staff)
    thread = ThreadFactory(customer=zbig, email=zbig.email, name=" ".join(NAME))
    message = MessageFactory(
        thread=thread,
        text=f"Please deliver to {STREET.upper()}, phone {PHONE}; or {DK_STREET}, 2847 1913.",
    )

    services.delete_customer(zbig)

    text = Message.objects.get(pk=message.pk).text
    assert text == "Please deliver to Deleted, phone Deleted; or Deleted, Deleted."
    comments = " ".join(OrderComment.objects.filter(order=order).values_list("text", flat=True))
    assert "777" not in comments and "Deleted" in comments
    assert Thread.objects.get(pk=thread.pk).customer_id is None


def test_erasure_reaches_guest_orders_under_current_and_earlier_addresses(zbig, make_order):
    guest_now = make_order(email="Zbig.Oster@example.org", billing=billing(), phone=PHONE)
    guest_before = make_order(
        email="zbig.old@example.org",
        billing=billing(DK_STREET, "DK", "2100", "København"),
        phone=DK_PHONE,
        customer_note="Ring twice",
    )
    for order in (guest_now, guest_before):
        mark_paid(order)
        settle_open_business(order)
    stranger = make_order(email="someone@example.org")
    queue_email("order_confirmation", "zbig.old@example.org", {"order": guest_before})
    OutboxEmail.objects.update(status=OutboxEmail.Status.SENT)

    services.delete_customer(zbig)

    for order in Order.objects.filter(pk__in=[guest_now.pk, guest_before.pk]):
        assert order.anonymised
        assert (order.phone, order.customer_note) == ("", "")
        assert order.billing_street == order.shipping_street == "Deleted"
        assert order.billing_last_name == "Deleted"
    assert Order.objects.get(pk=stranger.pk).email == "someone@example.org"
    assert not OutboxEmail.objects.filter(to__icontains="zbig.old@example.org").exists()


def test_anonymised_order_keeps_no_vat_id_or_buyer_references(make_order):
    order = make_order(
        vat_id="DK13585628",
        buyer_reference="ZBIGREF-777",
        purchase_order_reference="PO-ZBIG-4411",
        billing={**billing(), "company": "Wąchock Øresund Handel ApS"},
    )
    anonymise_orders(Order.objects.filter(pk=order.pk))
    order.refresh_from_db()
    assert (order.billing_vat_id, order.buyer_reference, order.purchase_order_reference) == (
        "",
        "",
        "",
    )


def test_guest_order_retention_takes_the_vat_id_and_references_too(make_order):
    from datetime import timedelta

    from django.utils import timezone

    order = make_order(
        vat_id="DK13585628",
        buyer_reference="REF-1",
        purchase_order_reference="PO-1",
        billing={**billing(), "company": "Wąchock Øresund Handel ApS"},
    )
    anonymise_guest_orders(timezone.now() + timedelta(days=1))
    order.refresh_from_db()
    assert order.anonymised
    assert (order.billing_vat_id, order.buyer_reference, order.purchase_order_reference) == (
        "",
        "",
        "",
    )
