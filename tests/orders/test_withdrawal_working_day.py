"""The withdrawal period ends on a working day (Regulation (EEC, Euratom) No 1182/71 Art. 3(4),
recital 41 of Directive 2011/83/EU, § 193 BGB, art. 115 Kodeks cywilny): a 14th day that is
a Saturday, a Sunday or a public holiday of the seller's country moves to the next working
day — on the order pages, in the e-mails and in the backoffice's "late"."""

from datetime import date, datetime, time, timedelta

import holidays
import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from orders import deadlines, services
from orders.aftersales import Withdrawal
from orders.models import Order, Shipment
from shop.mail import written
from shop.models import OutboxEmail, ShopSettings

from .factories import ship_all
from .test_order_pages import account_page, content, withdraw_link

pytestmark = pytest.mark.django_db

SATURDAY = date(2025, 3, 15)  # the 14th day after a delivery on Saturday 1 March 2025
MONDAY = date(2025, 3, 17)


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def day(value, language):
    with translation.override(language):
        return date_format(value, "DATE_FORMAT")


def delivered(make_order, on, **kwargs):
    """An invoiced order, shipped two days before ``on`` and delivered on ``on`` (any date,
    past or future: written on the rows as the operator's date would be)."""
    order = make_order(**kwargs)
    services.create_invoice(order)
    shipment = services.create_shipment(order, ship_all(order))
    Shipment.objects.filter(pk=shipment.pk).update(
        created=at(on - timedelta(days=2), 10), delivered_at=at(on, 12)
    )
    return Order.objects.get(pk=order.pk)


def seller_in(country):
    shop = ShopSettings.load()
    shop.country = country
    shop.save()
    return ShopSettings.load()


def test_a_last_day_on_a_weekend_or_holiday_moves_to_the_next_working_day():
    assert deadlines.next_working_day(date(2026, 12, 4), "DE") == date(2026, 12, 4)  # Friday
    assert deadlines.next_working_day(date(2026, 12, 5), "DE") == date(2026, 12, 7)  # Sat
    assert deadlines.next_working_day(date(2026, 12, 6), "DE") == date(2026, 12, 7)  # Sun
    # Christmas Day on a Friday, Boxing Day on the Saturday, then Sunday.
    assert deadlines.next_working_day(date(2026, 12, 25), "DE") == date(2026, 12, 28)
    # Christmas Eve: a Polish public holiday since 2025, a working day in Germany.
    assert deadlines.next_working_day(date(2026, 12, 24), "PL") == date(2026, 12, 28)
    assert deadlines.next_working_day(date(2026, 12, 24), "DE") == date(2026, 12, 24)
    # Easter in Denmark: Maundy Thursday, Good Friday, the weekend, Easter Monday.
    assert deadlines.next_working_day(date(2026, 4, 2), "DK") == date(2026, 4, 7)
    assert deadlines.next_working_day(date(2026, 4, 2), "DE") == date(2026, 4, 2)
    assert deadlines.next_working_day(date(2026, 4, 3), "DE") == date(2026, 4, 7)
    # New Year across the turn of the year: Friday 1 January 2027, then the weekend.
    assert deadlines.next_working_day(date(2027, 1, 1), "DK") == date(2027, 1, 4)
    # A country the holiday calendar does not know keeps the weekend rule.
    assert deadlines.next_working_day(date(2026, 12, 25), "XX") == date(2026, 12, 25)
    assert deadlines.next_working_day(date(2026, 12, 26), "XX") == date(2026, 12, 28)


def test_a_period_whose_14th_day_is_a_saturday_ends_on_the_monday(make_order, staff):
    order = make_order()
    services.create_invoice(order)
    shipment = services.create_shipment(order, ship_all(order))
    Shipment.objects.filter(pk=shipment.pk).update(created=at(date(2025, 2, 27), 10))
    services.set_delivered(Shipment.objects.get(pk=shipment.pk), date(2025, 3, 1), user=staff)
    order = Order.objects.get(pk=order.pk)
    assert services.period_end(order) == MONDAY
    # Open on the Saturday and the Monday, closed on the Tuesday.
    assert services.withdrawal_open(order, today=SATURDAY)
    assert services.withdrawal_open(order, today=MONDAY)
    assert not services.withdrawal_open(order, today=MONDAY + timedelta(days=1))


@pytest.mark.parametrize(
    "country, delivered_on, ends, ends_in_germany",
    [
        # 14th day Friday 25 December 2026 (Christmas), then Boxing Day and Sunday
        ("DE", date(2026, 12, 11), date(2026, 12, 28), date(2026, 12, 28)),
        # 14th day Thursday 24 December 2026: in Poland a public holiday since 2025
        ("PL", date(2026, 12, 10), date(2026, 12, 28), date(2026, 12, 24)),
        # 14th day Maundy Thursday 2 April 2026: in Denmark on to Tuesday after Easter
        ("DK", date(2026, 3, 19), date(2026, 4, 7), date(2026, 4, 2)),
    ],
)
def test_the_public_holidays_of_the_sellers_country_count(
    make_order, country, delivered_on, ends, ends_in_germany
):
    german = seller_in("DE")
    order = delivered(make_order, delivered_on)
    assert services.period_end(order, german) == ends_in_germany
    shop = seller_in(country)
    assert services.period_end(order, shop) == ends
    assert services.period_end(order) == ends  # the saved settings
    assert services.withdrawal_open(order, today=ends)
    assert not services.withdrawal_open(order, today=ends + timedelta(days=1))


def test_an_order_with_nothing_to_ship_counts_from_the_order_date_to_a_working_day(make_order):
    from .factories import downloadable_product

    order = make_order(items={downloadable_product().pk: 1})
    Order.objects.filter(pk=order.pk).update(created=at(date(2026, 12, 11), 15))
    order = Order.objects.get(pk=order.pk)
    assert services.period_end(order) == date(2026, 12, 28)


def _statement_received(make_order, received_at):
    """A statement for an order delivered on Saturday 1 March 2025 (14th day: Saturday
    15 March) that named no order of its address, received at ``received_at`` and linked to
    the order by staff in the backoffice (which judges it by the time it was received)."""
    order = delivered(make_order, date(2025, 3, 1), language="de")
    withdrawal = services.record_withdrawal(
        name="Erika Mustermann",
        email="erika.private@example.org",
        order_number=order.number + "9",
        items_text="Die Lampe",
        language="de",
    )
    Withdrawal.objects.filter(pk=withdrawal.pk).update(received_at=received_at)
    return order, withdrawal


def test_a_statement_received_on_the_monday_is_on_time_in_the_backoffice(admin_client, make_order):
    order, withdrawal = _statement_received(make_order, at(MONDAY, 23, 30))
    url = reverse("admin:orders_withdrawal_change", args=[withdrawal.pk])
    response = admin_client.post(url, {"link_order": "1", "order_number": order.number})
    assert response.status_code == 302
    withdrawal.refresh_from_db()
    assert withdrawal.order == order
    assert withdrawal.period_ends == MONDAY and not withdrawal.is_late
    page = admin_client.get(url).content.decode()
    assert 'class="tag late"' not in page
    assert day(MONDAY, "en") in page
    mail = written(OutboxEmail.objects.get(template="order_withdrawal_received"))
    text = " ".join(mail.body_text.split())
    assert "endete die Widerrufsfrist" not in text
    assert "Bitte senden Sie uns die Waren unverzüglich zurück" in text


def test_a_statement_received_on_the_tuesday_is_late(admin_client, make_order):
    order, withdrawal = _statement_received(make_order, at(MONDAY + timedelta(days=1), 0, 10))
    url = reverse("admin:orders_withdrawal_change", args=[withdrawal.pk])
    admin_client.post(url, {"link_order": "1", "order_number": order.number})
    withdrawal.refresh_from_db()
    assert withdrawal.period_ends == MONDAY and withdrawal.is_late
    assert 'class="tag late"' in admin_client.get(url).content.decode()


def test_the_last_day_to_send_the_goods_back_is_a_working_day_too(make_order):
    """Art. 14(1): 14 days from the statement; from Friday 12 December 2025 that is Friday
    26 December (Boxing Day), so Monday 29 December."""
    order = delivered(make_order, date(2025, 12, 5), language="en")
    withdrawal = services.record_withdrawal(
        name="Erika Mustermann",
        email="erika.private@example.org",
        order_number=order.number + "9",
        items_text="The lamp",
        language="en",
    )
    Withdrawal.objects.filter(pk=withdrawal.pk).update(received_at=at(date(2025, 12, 12), 9))
    withdrawal = services.link_to_order(withdrawal, order.number)
    assert not withdrawal.is_late and withdrawal.period_ends == date(2025, 12, 19)
    mail = written(OutboxEmail.objects.get(template="order_withdrawal_received"))
    assert f"at the latest by {day(date(2025, 12, 29), 'en')}" in " ".join(mail.body_text.split())


def _next_weekend_before_a_working_monday(today):
    """The first Saturday after ``today`` whose Monday is a German working day."""
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    while saturday + timedelta(days=2) in holidays.country_holidays("DE", years=saturday.year):
        saturday += timedelta(days=7)
    return saturday


def test_the_pages_and_the_delivery_email_name_the_monday(client, make_order, customer):
    """On the real clock: a delivery whose 14th day is the coming Saturday."""
    saturday = _next_weekend_before_a_working_monday(timezone.localdate())
    monday = saturday + timedelta(days=2)
    delivered_on = saturday - timedelta(days=14)
    order = make_order(customer=customer, language="de")
    services.create_invoice(order)
    shipment = services.create_shipment(order, ship_all(order))
    Shipment.objects.filter(pk=shipment.pk).update(created=at(delivered_on, 8))
    services.set_delivered(Shipment.objects.get(pk=shipment.pk), delivered_on)
    order = Order.objects.get(pk=order.pk)
    assert services.period_end(order) == monday

    mail = written(OutboxEmail.objects.get(template="order_shipment_delivered"))
    for body in (mail.body_text, mail.body_html):
        text = " ".join(body.split())
        assert f"Sie können diese Bestellung bis zum {day(monday, 'de')} widerrufen." in text
        assert day(saturday, "de") not in text

    expected = {
        "en": f"You can withdraw from this order until {day(monday, 'en')}.",
        "de": f"Sie können diese Bestellung bis zum {day(monday, 'de')} widerrufen.",
        "pl": f"Możesz odstąpić od tego zamówienia do {day(monday, 'pl')}.",
    }
    for language, sentence in expected.items():
        page = account_page(client, order, language)
        assert sentence in " ".join(content(page).split())
        assert withdraw_link(page) is not None
