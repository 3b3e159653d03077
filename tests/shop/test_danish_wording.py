"""What the Danish audit found, as a Danish reader meets it: the backoffice's "Change" links
say Django's "Ret" (not the language switch's "Skift"), a gift-card order's page heads its
delivery note "Levering" (not the outbox's "Afsendelse"), the checkout lists its countries
in the order of the Danish alphabet, tracking links open PostNord's Danish page, and the
Danish catalogue quotes with »…«, never with the German „…“."""

import gettext
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from helpdesk.models import Thread
from orders import links
from orders.models import TrackingNumber
from shop import readiness
from shop.models import ShopSettings
from tests.checkout import add_to_cart
from tests.factories import ProductFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

# What Django's own admin catalogue says for its "Change" links, and what the storefront's
# language switch says on its button.
ADMIN_CHANGE = {"da": "Ret", "de": "Ändern", "pl": "Zmień", "en": "Change"}
SWITCH_CHANGE = {"da": "Skift", "de": "Ändern", "pl": "Zmień", "en": "Change"}


def staff_client(language):
    client = Client()
    client.force_login(StaffFactory(is_superuser=True, language=language))
    return client


def change_links(html):
    return re.findall(r'class="changelink"[^>]*>([^<]+)<', html)


# --- the backoffice's "Change" links ----------------------------------------------------------


@pytest.mark.parametrize("language", ["da", "de", "pl", "en"])
def test_the_backoffice_change_links_say_djangos_word(language):
    page = staff_client(language).get(reverse("admin:app_list", args=["reviews"]))
    assert page.status_code == 200
    words = change_links(page.content.decode())
    assert words and set(words) == {ADMIN_CHANGE[language]}


@pytest.mark.parametrize("language", ["da", "de", "pl", "en"])
def test_the_language_switch_keeps_its_own_word(client, language):
    with translation.override(language):
        url = reverse("shop:home")
    html = client.get(url).content.decode()
    button = re.search(r'id="lang-change">([^<]+)<', html)
    assert button and button[1] == SWITCH_CHANGE[language]


@pytest.mark.parametrize("language", ["da", "de", "pl"])
def test_the_shops_catalogue_has_no_bare_change_of_its_own(language):
    """Our catalogue is read before Django's: a bare "Change" of ours would be every admin
    "Change" link's word."""
    with translation.override(language):
        assert translation.gettext("Change") == ADMIN_CHANGE[language]
        assert translation.pgettext("language switch", "Change") == SWITCH_CHANGE[language]


# --- "Levering" on the storefront, "Afsendelse" for the outbox --------------------------------


DELIVERY_HEADING = {"da": "Levering", "de": "Zustellung", "pl": "Dostawa", "en": "Delivery"}


@pytest.fixture
def gift_card_order(make_order):
    gift_card = ProductFactory(
        name="Gift card 25", price=Decimal("25.00"), tax_rate=Decimal("0.00"), is_giftcard=True
    )
    customer = UserFactory(email="mette@example.com")
    order = make_order(items={gift_card.pk: 1}, customer=customer, email=customer.email)
    return order, customer


def headings(html):
    return [" ".join(h.split()) for h in re.findall(r"<h[23][^>]*>([^<]+)</h[23]>", html)]


@pytest.mark.parametrize("language", ["da", "de", "pl", "en"])
def test_a_gift_card_orders_pages_head_the_note_with_the_storefronts_delivery(
    client, gift_card_order, language
):
    order, customer = gift_card_order
    client.force_login(customer)
    with translation.override(language):
        account_url = reverse("orders:account_order", args=[order.number])
    account = client.get(account_url).content.decode()
    client.logout()
    with translation.override(language):
        status_url = links.status_path(order)
    guest = client.get(status_url).content.decode()
    for html in (account, guest):
        assert DELIVERY_HEADING[language] in headings(html)
        assert "Afsendelse" not in html


def test_the_outboxs_delivery_stays_the_dispatch_in_danish():
    with translation.override("da"):
        assert translation.gettext("Delivery") == "Afsendelse"


# --- the checkout's countries in the order of the reader's alphabet ---------------------------

COUNTRY_ORDER = {
    "da": ["Danmark", "Polen", "Schweiz", "Tyskland", "Østrig"],
    "de": ["Dänemark", "Deutschland", "Österreich", "Polen", "Schweiz"],
    "pl": ["Austria", "Dania", "Niemcy", "Polska", "Szwajcaria"],
    "en": ["Austria", "Denmark", "Germany", "Poland", "Switzerland"],
}


def options(html, name):
    select = html.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
    return [" ".join(o.split()) for o in re.findall(r"<option[^>]*>([^<]*)</option>", select)]


@pytest.mark.usefixtures("fresh_cache")
@pytest.mark.parametrize("language", ["da", "de", "pl", "en"])
def test_the_checkout_lists_its_countries_as_the_pages_alphabet_sorts_them(
    client, product, shipping, card_payment, language
):
    add_to_cart(client, product)
    with translation.override(language):
        url = reverse("orders:checkout")
    html = client.get(url).content.decode()
    assert options(html, "billing_country") == COUNTRY_ORDER[language]
    assert options(html, "shipping_country") == COUNTRY_ORDER[language]


# --- tracking pages in the reader's language ----------------------------------------------------


@pytest.mark.parametrize(
    ("carrier", "language", "url"),
    [
        ("postnord", "da", "https://tracking.postnord.com/dk/?id=99"),
        ("postnord", "en", "https://tracking.postnord.com/en/?id=99"),
        ("postnord", "de", "https://tracking.postnord.com/en/?id=99"),
        (
            "dhl",
            "de",
            "https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode=99",
        ),
        (
            "dhl",
            "da",
            "https://www.dhl.de/en/privatkunden/pakete-empfangen/verfolgen.html?piececode=99",
        ),
        (
            "dhl",
            "pl",
            "https://www.dhl.de/en/privatkunden/pakete-empfangen/verfolgen.html?piececode=99",
        ),
    ],
)
def test_postnord_and_dhl_link_to_the_page_the_reader_can_read(carrier, language, url):
    assert TrackingNumber(carrier=carrier, number="99").url_for(language) == url


# --- smaller wording ------------------------------------------------------------------------------


def test_the_go_live_warning_names_the_vat_id_in_lower_case_mid_sentence():
    shop = ShopSettings.load()
    with translation.override("da"):
        messages = [str(message) for _key, message, _url in readiness.problems(shop)]
    demo = next(m for m in messages if "demofirmaets" in m)
    assert "momsnr." in demo and "Momsnr." not in demo
    assert "vejnavn og husnummer" in demo


@pytest.mark.parametrize("language, word", [("da", "eller"), ("de", "oder"), ("pl", "lub")])
def test_the_helpdesk_filter_names_the_statuses_as_they_are_called(language, word):
    from helpdesk.forms import ThreadSearchForm

    with translation.override(language):
        label = dict(ThreadSearchForm().fields["status"].choices)["open"]
        label = str(label)
        reported = str(Thread.Status.REPORTED.label)
        replied = str(Thread.Status.CUSTOMER_REPLIED.label)
    assert f"({reported} {word} {replied})" in label


def test_the_danish_catalogue_quotes_the_danish_way():
    mo = Path(settings.BASE_DIR) / "locale/da/LC_MESSAGES/django.mo"
    with mo.open("rb") as file:
        catalogue = gettext.GNUTranslations(file)._catalog
    german = [key for key, text in catalogue.items() if "„" in text]
    assert german == []
