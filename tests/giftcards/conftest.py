from decimal import Decimal

import pytest
from django.core.cache import cache

from giftcards import services
from shop.models import ShopSettings


@pytest.fixture(autouse=True)
def _clear_throttle_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_card(db):
    def make(amount="50.00", **kwargs):
        return services.issue_cards(Decimal(amount), 1, **kwargs)[0]

    return make


@pytest.fixture
def set_mode(db):
    def set_(mode):
        shop = ShopSettings.load()
        shop.giftcard_mode = mode
        shop.save()
        return shop

    return set_
