"""A gift card is a multi-purpose voucher: sold without VAT, VAT is due on what it pays for
(§ 3 (15) UStG, Art. 30b Directive 2006/112/EC). A gift-card product with a rate was
accepted (new products start at 19 %), and its invoice taxed the card as revenue while the
goods it paid for were taxed again (an audit). The database refuses it, with words."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from shop.models import Product
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

MESSAGE = "A gift card is sold without VAT"


def test_a_gift_card_with_a_vat_rate_is_refused_with_words():
    card = Product(
        category=CategoryFactory(),
        name="Gift card 50",
        slug="gift-card-50",
        sku="GC-50",
        price=Decimal("50.00"),
        tax_rate=Decimal("19.00"),
        is_giftcard=True,
    )
    with pytest.raises(ValidationError) as refused:
        card.full_clean()
    assert MESSAGE in str(refused.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        card.save()
    card.tax_rate = Decimal("0.00")
    card.full_clean()
    card.save()


def test_the_backoffice_form_says_what_to_do(admin_client):
    category = CategoryFactory()
    response = admin_client.post(
        "/backoffice/shop/product/add/",
        {
            "name_en": "Gift card 50",
            "sku": "GC-50",
            "slug": "gift-card-50",
            "category": category.pk,
            "price": "50.00",
            "tax_rate": "19.00",
            "is_giftcard": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert not Product.objects.filter(sku="GC-50").exists()
