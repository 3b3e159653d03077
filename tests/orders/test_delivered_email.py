"""The customer hears when a parcel has been delivered: the first delivery date the operator
enters on a shipment queues one e-mail in the order's language — the items, the date, and
until when they can withdraw once the last parcel is there (or that more is to follow). A
corrected or removed date, an erased order, a canceled one send nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from orders import links, services
from orders.deadlines import next_working_day
from orders.models import Order, Shipment
from shop.mail import link_in_language, written
from shop.models import OutboxEmail
from tests.factories import ProductFactory

from .factories import ship_all

pytestmark = pytest.mark.django_db

TEMPLATE = "order_shipment_delivered"


def sent_mails():
    return [written(mail) for mail in OutboxEmail.objects.filter(template=TEMPLATE)]


def flat(text):
    return " ".join(text.split())


def day(value, language):
    with translation.override(language):
        return date_format(value, "DATE_FORMAT")


def backdate(shipment, days):
    """The parcel left ``days`` ago: a delivery date before today can be entered."""
    Shipment.objects.filter(pk=shipment.pk).update(created=timezone.now() - timedelta(days=days))
    return Shipment.objects.get(pk=shipment.pk)


@pytest.fixture
def lamp():
    return ProductFactory(name="Lamp", price=Decimal("30.00"), stock=10)


@pytest.fixture
def shipped(make_order, lamp):
    """A German order of two lamps, invoiced and shipped in one parcel 3 days ago."""
    order = make_order({lamp.pk: 2}, language="de")
    services.create_invoice(order)
    shipment = backdate(services.create_shipment(order, ship_all(order)), 3)
    return Order.objects.get(pk=order.pk), shipment


def test_the_first_delivery_date_tells_the_customer_until_when_they_can_withdraw(shipped):
    order, shipment = shipped
    delivered_on = timezone.localdate() - timedelta(days=1)
    saved = services.set_delivered(shipment, delivered_on)
    assert saved.customer_emailed
    [mail] = sent_mails()
    assert mail.to == [order.email]
    period_end = services.period_end(order)
    assert period_end == next_working_day(delivered_on + timedelta(days=14), "DE")
    assert mail.subject == f"Ihr Paket {shipment.number} wurde zugestellt"
    withdraw = link_in_language(links.withdrawal_url(order), "de")
    for body in (mail.body_text, mail.body_html):
        text = flat(body)
        assert "Hallo Erika," in text
        assert (
            f"Ihr Paket {shipment.number} zur Bestellung {order.number} wurde am "
            f"{day(delivered_on, 'de')} zugestellt:" in text
        )
        assert "2 × Lamp" in text
        assert f"Sie können diese Bestellung bis zum {day(period_end, 'de')} widerrufen." in text
        assert "Widerrufsfunktion" in text
        assert withdraw in body
        assert link_in_language(links.customer_order_url(order), "de") in body
        assert "folgt separat" not in text


def test_a_corrected_or_removed_date_sends_no_second_email(shipped):
    order, shipment = shipped
    today = timezone.localdate()
    services.set_delivered(shipment, today - timedelta(days=2))
    assert len(sent_mails()) == 1
    corrected = services.set_delivered(shipment, today)
    assert not corrected.customer_emailed
    removed = services.set_delivered(shipment, None)
    assert not removed.customer_emailed
    assert Shipment.objects.get(pk=shipment.pk).delivered_at is None
    assert len(sent_mails()) == 1
    # Unknown again, then known: the customer hears of the delivery anew.
    assert services.set_delivered(shipment, today).customer_emailed
    assert len(sent_mails()) == 2
    # The history records every change.
    history = [c.text for c in order.comments.filter(is_event=True)]
    assert any(shipment.number in text and "removed" in text for text in history)


def test_a_parcel_with_more_to_follow_names_no_deadline(make_order, lamp):
    order = make_order({lamp.pk: 3}, language="da")
    services.create_invoice(order)
    line = order.lines.get()
    first = backdate(services.create_shipment(order, {line.pk: 1}), 2)
    services.set_delivered(first, timezone.localdate())
    [mail] = sent_mails()
    for body in (mail.body_text, mail.body_html):
        text = flat(body)
        assert "1 × Lamp" in text
        assert "Resten af din ordre følger separat." in text
        assert "indtil den" not in text
        assert link_in_language(links.withdrawal_url(order), "da") not in body


def test_the_last_parcel_starts_the_period_the_first_one_did_not(make_order, lamp):
    order = make_order({lamp.pk: 2}, language="en")
    services.create_invoice(order)
    line = order.lines.get()
    first = backdate(services.create_shipment(order, {line.pk: 1}), 5)
    second = backdate(services.create_shipment(order, {line.pk: 1}), 2)
    today = timezone.localdate()
    # The first parcel arrives while the second (shipped 2 days ago, 3 days' assumed transit)
    # is still on its way.
    services.set_delivered(first, today - timedelta(days=4))
    assert "follows separately" in flat(sent_mails()[0].body_text)
    services.set_delivered(second, today)
    last = written(OutboxEmail.objects.filter(template=TEMPLATE).latest("pk"))
    end = day(next_working_day(today + timedelta(days=14), "DE"), "en")
    assert f"You can withdraw from this order until {end}." in flat(last.body_text)
    assert "follows separately" not in last.body_text


def test_a_late_entry_after_the_period_names_no_deadline(make_order, lamp):
    order = make_order({lamp.pk: 1}, language="en")
    services.create_invoice(order)
    shipment = backdate(services.create_shipment(order, ship_all(order)), 30)
    services.set_delivered(shipment, timezone.localdate() - timedelta(days=20))
    [mail] = sent_mails()
    text = flat(mail.body_text)
    assert "was delivered on" in text
    assert "withdraw" not in text.lower()
    assert "follows separately" not in text


def test_an_erased_order_gets_no_email(shipped):
    order, shipment = shipped
    Order.objects.filter(pk=order.pk).update(email=f"deleted-{order.pk}@invalid")
    saved = services.set_delivered(shipment, timezone.localdate())
    assert saved.delivered_at is not None
    assert not saved.customer_emailed
    assert sent_mails() == []


def test_a_closed_order_gets_no_email(shipped):
    order, shipment = shipped
    Order.objects.filter(pk=order.pk).update(status=Order.Status.CLOSED)
    assert not services.set_delivered(shipment, timezone.localdate()).customer_emailed
    assert sent_mails() == []


def test_the_backoffice_saves_the_date_and_says_the_customer_is_emailed(admin_client, shipped):
    order, shipment = shipped
    url = reverse("admin:orders_shipment_delivered", args=[shipment.pk])
    today = timezone.localdate()
    response = admin_client.post(url, {"delivered_on": today.isoformat()})
    assert timezone.localdate(Shipment.objects.get(pk=shipment.pk).delivered_at) == today
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert (
        message == f"Delivery date saved; the delivery notice is being e-mailed to {order.email}."
    )
    assert len(sent_mails()) == 1
    response = admin_client.post(url, {"delivered_on": ""})
    assert [str(m) for m in get_messages(response.wsgi_request)][-1] == "Delivery date saved."
    assert len(sent_mails()) == 1
