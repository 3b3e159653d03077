from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache

from giftcards import services
from shop.models import ShopSettings
from shop.roles import setup_roles
from tests.factories import StaffFactory


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


@pytest.fixture
def role_user(db):
    def make(role):
        setup_roles()
        user = StaffFactory()
        user.groups.add(Group.objects.get(name=role))
        return user

    return make
