"""The order history's lifecycle events are read in the reader's language (shop.events):
written during a checkout in one language, shown to German, Polish and Danish staff in
theirs — amounts, dates and method names included; and an erased customer's e-mail address
and name leave the history with the rest of their data."""

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation

from customers import services as customer_services
from orders import services
from orders.models import OrderComment
from shop import events
from tests.factories import StaffFactory, UserFactory, settle_open_business
from tests.pages import ok_page

pytestmark = pytest.mark.django_db


def history(client, order):
    return ok_page(client, reverse("admin:orders_order_change", args=[order.pk]))


@pytest.fixture
def card_payment(db):
    from tests.factories import PaymentMethodFactory

    return PaymentMethodFactory(
        code="card", name="Credit card", name_de="Kreditkarte", name_pl="Karta", kind="card"
    )


def test_an_event_written_in_english_is_read_in_each_staff_members_language(client, make_order):
    with translation.override("en"):
        order = make_order()  # a guest's checkout on the English storefront
    event = order.comments.get(is_event=True)
    assert event.text == "Card payment of €24.90 authorized via Credit card."
    staff = StaffFactory(is_superuser=True, language="de")
    client.force_login(staff)
    assert "Kartenzahlung über 24,90\xa0€ per Kreditkarte autorisiert." in history(client, order)
    staff.language = "pl"
    staff.save()
    assert "Autoryzowano płatność kartą na 24,90\xa0€ metodą płatności „Karta”." in history(
        client, order
    )
    staff.language = "da"
    staff.save()  # no Danish name: the method's name in the shop's language
    page = history(client, order)
    assert "Kortbetaling på 24,90\xa0€ autoriseret via Credit card." in page
    assert "Card payment of" not in page


def test_dates_follow_the_reader(make_order, staff):
    order = make_order()
    services.create_invoice(order)
    lines = {line.pk: line.quantity for line in order.lines.all()}
    shipment = services.create_shipment(order, lines, user=staff)
    day = timezone.localdate()
    services.set_delivered(shipment, day, user=staff)
    delivered = order.comments.get(text__contains="delivered on")
    with translation.override("de"):
        german = formats.date_format(day)
        assert delivered.display_text == f"Sendung {shipment.number} am {german} zugestellt."
    with translation.override("pl"):
        assert formats.date_format(day) in delivered.display_text
        assert shipment.number in delivered.display_text


def test_a_two_sentence_event_is_written_again_sentence_by_sentence():
    parts = [
        events.part("Return %(number)s received.", number="R-1"),
        events.part("Back to stock: %(items)s.", items="1 × Mug"),
    ]
    with translation.override("de"):
        german = events.render(parts)
    with translation.override("en"):
        english = events.render(parts)
    assert english == "Return R-1 received. Back to stock: 1 × Mug."
    assert german != english and "R-1" in german and "1 × Mug" in german


def test_an_event_that_cannot_be_written_again_shows_its_stored_text(make_order):
    order = make_order()
    kept = OrderComment.objects.create(
        order=order,
        text="Invoice 7 created.",
        message=[["Invoice %(number)s created.", {}]],  # the value went missing
        is_event=True,
    )
    unknown = OrderComment.objects.create(
        order=order,
        text="Something old.",
        message=[["A sentence of an older version (%(number)s).", {"number": 5}]],
        is_event=True,
    )
    plain = OrderComment.objects.create(order=order, text="Called the customer.")
    with translation.override("de"):
        assert kept.display_text == "Invoice 7 created."
        assert unknown.display_text == "A sentence of an older version (5)."
        assert plain.display_text == "Called the customer."


def test_a_retired_method_keeps_the_name_it_had(make_order, card_payment):
    order = make_order()
    card_payment.is_active = False
    card_payment.save()
    event = order.comments.get(is_event=True)
    with translation.override("de"):
        assert "per Credit card autorisiert" in event.display_text


def test_erasure_takes_the_email_and_name_out_of_the_history(make_order, staff):
    customer = UserFactory(first_name="Annegret", last_name="Vogelsang")
    order = make_order(customer=customer, email=customer.email)
    invoice = services.create_invoice(order)
    services.send_invoice(invoice, user=staff)
    services.add_comment(order, "Annegret Vogelsang asked for a gift wrap.", user=staff)
    assert order.comments.filter(text__icontains=customer.email).exists()
    settle_open_business(order)  # shipped: erasure waits for a paid order otherwise
    customer_services.delete_customer(customer)
    for comment in OrderComment.objects.filter(order=order):
        stored = f"{comment.text} {comment.message}".lower()
        for trace in (customer.email, "annegret", "vogelsang"):
            assert trace not in stored, comment.text
        for language in ("en", "de"):
            with translation.override(language):
                assert customer.email not in comment.display_text
    sent = OrderComment.objects.get(order=order, text__contains="sent by e-mail")
    assert invoice.number in sent.display_text


def test_the_access_report_shows_an_event_as_text_without_its_stored_values(make_order):
    from privacy.subjects.people import resolve
    from privacy.subjects.records import collect_places

    customer = UserFactory()
    order = make_order(customer=customer, email=customer.email)
    places = collect_places(resolve(f"customer:{customer.pk}"))
    comments = [p for p in places if p["key"].startswith("orders.ordercomment")]
    fields = {f["name"]: f["value"] for f in comments[0]["records"][0]["fields"]}
    assert "message" not in fields and "%(" not in str(fields)
    assert fields["text"].startswith("Card payment of") and order.number in fields["order"]
