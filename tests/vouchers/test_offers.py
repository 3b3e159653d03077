"""Partner offers on the success page and the external network mode (S12, issue 24 items 12
and 13: consent is honest, the partner script runs only in a sandboxed frame of its own)."""

import hashlib
import re
from datetime import timedelta
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import Order
from shop.models import ShopSettings
from tests.checkout import add_to_cart
from tests.conftest import BILLING
from tests.factories import CategoryFactory, ProductFactory
from vouchers import offers as partner_offers
from vouchers.models import PartnerOffer

from .factories import CampaignFactory, CodeFactory, PartnerOfferFactory

pytestmark = pytest.mark.django_db


def today():
    """The shop's date when the test runs (a run may cross midnight in Europe/Berlin)."""
    return timezone.localdate()


@pytest.fixture
def kitchen():
    return CategoryFactory(name="Kitchen")


@pytest.fixture
def kitchen_order(make_order, kitchen):
    pot = ProductFactory(category=kitchen, price=Decimal("30.00"))
    return make_order({pot.pk: 1}, partner_consent=True)


def success_page(client, order):
    session = client.session
    session["last_order_id"] = order.pk
    session.save()
    return client.get(reverse("orders:success")).content.decode()


def test_category_offers_first_then_general_up_to_three(kitchen_order, kitchen):
    general1 = PartnerOfferFactory(position=0)
    matched = PartnerOfferFactory(categories=[kitchen], position=5)
    general2 = PartnerOfferFactory(position=1)
    PartnerOfferFactory(position=2)  # a fourth: not shown
    offers = partner_offers.offers_for_order(kitchen_order)
    assert offers == [matched, general1, general2]


def test_exclusions(kitchen_order, kitchen):
    other = CategoryFactory()
    PartnerOfferFactory(categories=[other])  # other category
    PartnerOfferFactory(enabled=False)
    PartnerOfferFactory(valid_to=today() - timedelta(days=1))
    PartnerOfferFactory(valid_from=today() + timedelta(days=1))
    PartnerOfferFactory(min_order_value=Decimal("30.01"))
    assert partner_offers.offers_for_order(kitchen_order) == []
    ok = PartnerOfferFactory(min_order_value=Decimal("30.00"), categories=[kitchen, other])
    assert partner_offers.offers_for_order(kitchen_order) == [ok]  # once, despite two categories


def test_impressions_counted_and_shown_on_success_page(client, kitchen_order, kitchen):
    offer = PartnerOfferFactory(categories=[kitchen], headline="Free espresso")
    html = success_page(client, kitchen_order)
    assert "Free espresso" in html and offer.get_click_url() in html
    offer.refresh_from_db()
    assert offer.impressions == 1 and offer.clicks == 0


def test_without_consent_no_offers_and_no_partner_script(client, make_order, kitchen):
    pot = ProductFactory(category=kitchen)
    order = make_order({pot.pk: 1}, partner_consent=False)
    offer = PartnerOfferFactory(categories=[kitchen], headline="Free espresso")
    PartnerOfferFactory(headline="General deal")
    enable_network()
    html = success_page(client, order)
    assert "Free espresso" not in html and "General deal" not in html
    assert "A thank-you from our partners" not in html
    assert "<iframe" not in html and "network.example.com" not in html
    offer.refresh_from_db()
    assert offer.impressions == 0  # nothing was shown, nothing counted


def test_checkout_consent_says_what_it_does(client, product, shipping, card_payment):
    add_to_cart(client, product)
    html = client.get(reverse("orders:checkout")).content.decode()
    assert "Show me offers from partner shops and share my order data for them" in html
    assert "never your name or address" in html


def test_nothing_shown_when_nothing_matches(client, kitchen_order):
    html = success_page(client, kitchen_order)
    assert "A thank-you from our partners" not in html and "network.example.com" not in html


def test_click_redirects_only_to_the_offers_own_url(client):
    offer = PartnerOfferFactory(link_url="https://partner.example.com/deal")
    response = client.get(offer.get_click_url() + "?next=https://evil.example.com")
    assert (
        response.status_code == 302 and response["Location"] == "https://partner.example.com/deal"
    )
    offer.refresh_from_db()
    assert offer.clicks == 1
    code_only = PartnerOfferFactory(link_url="", voucher_code="PARTNER5")
    assert client.get(code_only.get_click_url()).status_code == 404
    assert client.get(reverse("vouchers:offer_go", args=[999999])).status_code == 404


def test_offer_needs_a_code_or_a_link():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerOffer.objects.create(partner="P", headline="H")


def enable_network():
    settings = ShopSettings.load()
    settings.partner_network_enabled = True
    settings.partner_network_script_url = "https://network.example.com/track.js?shop=7"
    settings.save()


def test_network_receives_only_four_values_and_only_with_consent(make_order, product):
    enable_network()
    CodeFactory(text="NET10", campaign=CampaignFactory(kind="multi"))
    without = make_order(partner_consent=False)
    assert partner_offers.partner_network_url(without) is None
    assert partner_offers.partner_frame_path(without) is None
    order = make_order(
        {product.pk: 2}, partner_consent=True, voucher_code="net10", email="Erika@Example.com "
    )
    url = partner_offers.partner_network_url(order)
    parts = urlsplit(url)
    assert parts.netloc == "network.example.com" and parts.path == "/track.js"
    query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    assert set(query) == {"shop", "order", "value", "currency", "email_sha256"}
    assert query["shop"] == "7" and query["order"] == order.number
    assert query["currency"] == "EUR"
    # 40.00 goods - 4.00 discount = 36.00 gross at 19 % VAT → 30.25 net, shipping excluded
    assert query["value"] == "30.25"
    assert query["email_sha256"] == hashlib.sha256(b"erika@example.com").hexdigest()
    assert "erika" not in url.lower()


def frame_src(html):
    match = re.search(r'<iframe src="([^"]+)" sandbox="([^"]*)"', html)
    assert match, "no sandboxed iframe on the success page"
    return unescape(match.group(1)), match.group(2)


def test_partner_script_runs_only_in_a_sandboxed_frame_of_its_own(client, make_order):
    order = make_order(
        partner_consent=True,
        email="erika.mustermann@example.com",
        billing={**BILLING, "street": "Geheimweg 7"},
    )
    assert "network.example.com" not in success_page(client, order)  # network off by default
    enable_network()
    html = success_page(client, order)
    # The success page shows the person (name, e-mail, address) and loads no partner script.
    assert "Geheimweg 7" in html and "erika.mustermann@example.com" in html
    assert "network.example.com" not in html
    src, sandbox = frame_src(html)
    assert sandbox == "allow-scripts"  # no allow-same-origin: it cannot read our page
    assert src == partner_offers.partner_frame_path(order)
    frame = client.get(src)
    assert frame.status_code == 200
    body = frame.content.decode()
    assert '<script src="https://network.example.com/track.js?shop=7&amp;order=' in body
    # Only the order reference, net value, currency and e-mail hash: no person in the frame.
    # Whole words: the postcode 10115 is also the start of order numbers from 101150 on.
    for personal in ("Erika", "Mustermann", "Geheimweg", "erika.mustermann", "10115", "Berlin"):
        assert not re.search(rf"\b{re.escape(personal)}\b", body), personal
    assert hashlib.sha256(b"erika.mustermann@example.com").hexdigest() in body
    assert order.number in body
    assert frame["X-Frame-Options"] == "SAMEORIGIN"
    assert frame["Referrer-Policy"] == "no-referrer"


def test_csp_allows_the_partner_origin_only_on_the_frame_page(client, make_order, settings):
    settings.CSP = "default-src 'self'; script-src 'self'; frame-ancestors 'none'"
    enable_network()
    order = make_order(partner_consent=True)
    html_response = client.get(reverse("shop:home"))
    assert html_response["Content-Security-Policy"] == settings.CSP
    session = client.session
    session["last_order_id"] = order.pk
    session.save()
    success = client.get(reverse("orders:success"))
    assert "network.example.com" not in success["Content-Security-Policy"]
    frame = client.get(frame_src(success.content.decode())[0])
    policy = dict(
        (d.split()[0], d.split()[1:]) for d in frame["Content-Security-Policy"].split("; ")
    )
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["https://network.example.com"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert "'self'" not in policy["script-src"] and "'unsafe-inline'" not in policy["script-src"]


def test_frame_page_refuses_without_consent_or_network_or_with_a_forged_link(client, make_order):
    enable_network()
    order = make_order(partner_consent=True)
    path = partner_offers.partner_frame_path(order)
    assert client.get(path).status_code == 200
    Order.objects.filter(pk=order.pk).update(partner_consent=False)
    assert client.get(path).status_code == 404
    Order.objects.filter(pk=order.pk).update(partner_consent=True)
    ShopSettings.objects.update(partner_network_enabled=False)
    assert client.get(path).status_code == 404
    ShopSettings.objects.update(partner_network_enabled=True)
    other = make_order(partner_consent=True)
    token = path.rstrip("/").split("/")[-1]
    forged = token.replace(str(order.pk), str(other.pk), 1)
    assert client.get(reverse("vouchers:partner_frame", args=[forged])).status_code == 404


def test_email_hash():
    assert partner_offers.email_hash(" A@B.de ") == hashlib.sha256(b"a@b.de").hexdigest()


def test_backoffice_list_shows_counters_and_network_page(admin_client):
    PartnerOfferFactory(partner="Coffee Co")
    PartnerOffer.objects.update(impressions=10, clicks=3)
    html = admin_client.get(reverse("admin:vouchers_partneroffer_changelist")).content.decode()
    assert "Coffee Co" in html and "30.0 %" in html
    page = admin_client.get(reverse("admin:vouchers_partneroffer_network")).content.decode()
    assert "email_sha256" in page and "Off" in page and "sandboxed frame" in page
