"""Partner offers on the success page and the external network mode (S12)."""

import hashlib
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from shop.models import ShopSettings
from tests.factories import CategoryFactory, ProductFactory
from vouchers import offers as partner_offers
from vouchers.models import PartnerOffer

from .factories import CampaignFactory, CodeFactory, PartnerOfferFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def kitchen():
    return CategoryFactory(name="Kitchen")


@pytest.fixture
def kitchen_order(make_order, kitchen):
    pot = ProductFactory(category=kitchen, price=Decimal("30.00"))
    return make_order({pot.pk: 1})


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
    PartnerOfferFactory(valid_to=TODAY - timedelta(days=1))
    PartnerOfferFactory(valid_from=TODAY + timedelta(days=1))
    PartnerOfferFactory(min_order_value=Decimal("30.01"))
    assert partner_offers.offers_for_order(kitchen_order) == []
    ok = PartnerOfferFactory(min_order_value=Decimal("30.00"), categories=[kitchen, other])
    assert partner_offers.offers_for_order(kitchen_order) == [ok]  # once, despite two categories


def test_impressions_counted_and_shown_on_success_page(client, kitchen_order, kitchen):
    offer = PartnerOfferFactory(categories=[kitchen], headline="Free espresso")
    session = client.session
    session["last_order_id"] = kitchen_order.pk
    session.save()
    html = client.get(reverse("orders:success")).content.decode()
    assert "Free espresso" in html and offer.get_click_url() in html
    offer.refresh_from_db()
    assert offer.impressions == 1 and offer.clicks == 0


def test_nothing_shown_when_nothing_matches(client, kitchen_order):
    session = client.session
    session["last_order_id"] = kitchen_order.pk
    session.save()
    html = client.get(reverse("orders:success")).content.decode()
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


def test_network_receives_data_only_with_consent(make_order, product):
    enable_network()
    CodeFactory(text="NET10", campaign=CampaignFactory(kind="multi"))
    without = make_order(partner_consent=False)
    assert partner_offers.partner_network_url(without) is None
    order = make_order(
        {product.pk: 2}, partner_consent=True, voucher_code="net10", email="Erika@Example.com "
    )
    url = partner_offers.partner_network_url(order)
    parts = urlsplit(url)
    assert parts.netloc == "network.example.com" and parts.path == "/track.js"
    query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    assert query["shop"] == "7" and query["order"] == order.number
    assert query["currency"] == "EUR" and query["voucher"] == "NET10"
    # 40.00 goods - 4.00 discount = 36.00 gross at 19 % VAT → 30.25 net, shipping excluded
    assert query["value"] == "30.25"
    assert query["email_sha256"] == hashlib.sha256(b"erika@example.com").hexdigest()
    assert "erika" not in url.lower()


def test_network_off_by_default_and_script_only_with_consent(client, make_order):
    order = make_order(partner_consent=True)
    assert partner_offers.partner_network_url(order) is None
    enable_network()
    session = client.session
    session["last_order_id"] = order.pk
    session.save()
    assert "network.example.com" in client.get(reverse("orders:success")).content.decode()
    no_consent = make_order(partner_consent=False)
    session["last_order_id"] = no_consent.pk
    session.save()
    assert "network.example.com" not in client.get(reverse("orders:success")).content.decode()


def test_email_hash():
    assert partner_offers.email_hash(" A@B.de ") == hashlib.sha256(b"a@b.de").hexdigest()


def test_backoffice_list_shows_counters_and_network_page(admin_client):
    PartnerOfferFactory(partner="Coffee Co")
    PartnerOffer.objects.update(impressions=10, clicks=3)
    html = admin_client.get(reverse("admin:vouchers_partneroffer_changelist")).content.decode()
    assert "Coffee Co" in html and "30.0 %" in html
    page = admin_client.get(reverse("admin:vouchers_partneroffer_network")).content.decode()
    assert "email_sha256" in page and "Off" in page
