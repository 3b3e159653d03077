"""The checkout's fragments kept for guests (the address fields, the consents) follow the
shop's settings: terms and a privacy notice added by the operator are linked at the next
guest's checkout, not an hour later (an audit: "I accept the terms" stayed unlinked while
the footer linked them). They are kept per storefront version, which every save of the
settings moves on."""

from decimal import Decimal

import pytest

from shop.models import ShopSettings
from tests.checkout import add_to_cart
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def consents(html):
    return html[html.index('id="id_accept_terms"') : html.index("Zahlungspflichtig bestellen")]


def test_terms_added_after_a_guests_checkout_are_linked_for_the_next(
    client, shipping, card_payment
):
    product = ProductFactory(price=Decimal("10.00"))
    add_to_cart(client, product)
    first = consents(client.get("/de/checkout/").content.decode())
    assert 'href="/de/terms/"' not in first
    shop = ShopSettings.load()
    shop.terms_de, shop.terms_en = "AGB", "Terms"
    shop.privacy_notice_de, shop.privacy_notice_en = "Datenschutz", "Privacy"
    shop.save()
    client.cookies.clear()
    add_to_cart(client, product)
    later = consents(client.get("/de/checkout/").content.decode())
    assert 'href="/de/terms/"' in later and 'href="/de/privacy/"' in later
