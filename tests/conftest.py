from decimal import Decimal

import pytest

from orders.services import CheckoutData, place_order
from tests.factories import (
    PaymentMethodFactory,
    ProductFactory,
    ShippingMethodFactory,
    StaffFactory,
    UserFactory,
)

BILLING = {
    "first_name": "Erika",
    "last_name": "Mustermann",
    "street": "Musterstraße 1",
    "postcode": "10115",
    "city": "Berlin",
    "country": "DE",
}


@pytest.fixture(autouse=True)
def _media_and_mail(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    settings.AXES_ENABLED = False
    settings.BACKOFFICE_REQUIRE_2FA = False  # tests/security/test_twofactor.py turns it on


@pytest.fixture
def shipping(db):
    return ShippingMethodFactory()


@pytest.fixture
def card_payment(db):
    return PaymentMethodFactory(code="card", name="Credit card", kind="card")


@pytest.fixture
def invoice_payment(db):
    return PaymentMethodFactory(code="invoice", name="Pay on invoice", kind="invoice")


@pytest.fixture
def product(db):
    return ProductFactory(price=Decimal("20.00"), tax_rate=Decimal("19.00"))


@pytest.fixture
def customer(db):
    return UserFactory()


@pytest.fixture
def staff(db):
    user = StaffFactory(is_superuser=True)
    return user


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def checkout_data(shipping, card_payment):
    def make(**overrides):
        values = {
            "email": "erika@example.com",
            "billing": dict(BILLING),
            "shipping_method_id": shipping.pk,
            "payment_method_id": card_payment.pk,
        }
        values.update(overrides)
        return CheckoutData(**values)

    return make


@pytest.fixture
def make_order(checkout_data, product):
    """Place a real order through the checkout service."""

    def make(items=None, customer=None, **overrides):
        return place_order(items or {product.pk: 1}, checkout_data(**overrides), customer=customer)

    return make
