"""Tracking links follow the reader's language where the carrier's page has it: DPD's
tracking page is in German for a German order's e-mail and page, not in English. Carriers
whose language parameter we don't know keep their one address."""

import pytest
from django.urls import reverse
from django.utils import translation

from orders import services
from orders.models import TrackingNumber
from shop.mail import written
from shop.models import OutboxEmail
from tests.factories import UserFactory

DPD = "https://tracking.dpd.de/status/{}/parcel/0123%2045"


@pytest.mark.parametrize(
    ("language", "locale"),
    [("de", "de_DE"), ("pl", "pl_PL"), ("da", "da_DK"), ("en", "en_US"), ("de-at", "de_DE")],
)
def test_dpd_links_to_its_page_in_the_language(language, locale):
    tracking = TrackingNumber(carrier="dpd", number="0123 45")
    assert tracking.url_for(language) == DPD.format(locale)


def test_a_language_dpd_does_not_speak_gets_its_english_page():
    tracking = TrackingNumber(carrier="dpd", number="0123 45")
    assert tracking.url_for("fr") == DPD.format("en_US")
    assert tracking.url_for(None) == DPD.format("en_US")


@pytest.mark.parametrize("carrier", ["ups", "gls", "inpost"])
def test_other_carriers_keep_their_address(carrier):
    tracking = TrackingNumber(carrier=carrier, number="99")
    assert tracking.url_for("de") == tracking.url_for("pl") == tracking.url_for("en")
    assert tracking.url_for("de") == TrackingNumber.URLS[carrier].format(n="99")


def test_an_other_carrier_has_no_link():
    assert TrackingNumber(carrier="other", number="1").url_for("de") == ""


def test_the_url_is_in_the_language_it_is_shown_in():
    tracking = TrackingNumber(carrier="dpd", number="0123 45")
    with translation.override("da"):
        assert tracking.url == DPD.format("da_DK")
    with translation.override("en"):
        assert tracking.url == DPD.format("en_US")


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "locale"), [("de", "de_DE"), ("pl", "pl_PL")])
def test_the_tracking_email_links_to_the_page_in_the_orders_language(make_order, language, locale):
    order = make_order(language=language)
    line = order.lines.get()
    shipment = services.create_shipment(order, {line.pk: 1}, [("dpd", "0123 45")])
    with translation.override("en"):  # the staff member who presses "Send" reads English
        services.send_tracking(shipment)
    mail = written(OutboxEmail.objects.filter(template="order_tracking").latest("pk"))
    assert DPD.format(locale) in mail.body_text
    assert DPD.format(locale) in mail.body_html
    assert "en_US" not in mail.body_text + mail.body_html


@pytest.mark.django_db
def test_the_account_page_of_a_german_order_links_to_the_german_page(client, make_order):
    erika = UserFactory(email="erika.track@example.com", language="de")
    order = make_order(customer=erika, email=erika.email, language="de")
    line = order.lines.get()
    services.create_shipment(order, {line.pk: 1}, [("dpd", "0123 45")])
    client.force_login(erika)
    with translation.override("de"):
        url = reverse("orders:account_order", args=[order.number])
    page = client.get(url).content.decode()
    assert DPD.format("de_DE") in page
