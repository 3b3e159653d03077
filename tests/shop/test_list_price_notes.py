"""Every price says what it includes (PAngV § 3, Art. 6(1)(e) Directive 2011/83/EU): the
VAT and whether shipping is added — in the lists too (start page, category, search), not
only on the product page (an audit: the lists showed bare prices)."""

from decimal import Decimal

import pytest

from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language,note", [("de", "MwSt., zzgl."), ("pl", "VAT"), ("da", "moms")])
def test_the_lists_say_vat_and_shipping_beside_each_price(client, language, note):
    product = ProductFactory(name="Mug", price=Decimal("12.90"), tax_rate=Decimal("19.00"))
    pages = [
        f"/{language}/",
        f"/{language}/products/",
        f"/{language}/products/?q=Mug",
        f"/{language}/category/{product.category.slug}/",
    ]
    for page in pages:
        main = client.get(page).content.decode().split("<main", 1)[1]
        assert note in main, page
        assert "/shipping/" in main, page
