from decimal import Decimal

import pytest

from customers import services
from orders import limits
from orders.models import Order
from shop.models import ShopSettings
from tests.factories import CustomerGroupFactory, PaymentMethodFactory, ProductFactory, UserFactory
from tests.race import run_concurrently


@pytest.fixture
def limited(db):
    return PaymentMethodFactory(
        code="invoice", name="Pay on invoice", kind="invoice", limited_by_open_amount=True
    )


def _settings(limit="500.00", guests=False):
    shop = ShopSettings.load()
    shop.default_open_amount_limit = Decimal(limit)
    shop.guests_may_use_limited_methods = guests
    shop.save()
    return shop


@pytest.mark.django_db
def test_limit_comes_from_customer_then_group_then_shop():
    _settings("500.00")
    group = CustomerGroupFactory(open_amount_limit=Decimal("2000.00"))
    plain, grouped = UserFactory(), UserFactory(group=group)
    override = UserFactory(group=group, open_amount_limit=Decimal("50.00"))
    assert services.open_amount_limit(plain) == Decimal("500.00")
    assert services.open_amount_limit(grouped) == Decimal("2000.00")
    assert services.open_amount_limit(override) == Decimal("50.00")


@pytest.mark.django_db
def test_open_amount_counts_unpaid_not_canceled_orders(make_order, customer, product):
    a = make_order(customer=customer)  # 20.00 + 4.90 shipping
    b = make_order(customer=customer)
    c = make_order(customer=customer)
    Order.objects.filter(pk=b.pk).update(payment_status=Order.PaymentStatus.PAID)
    # (A canceled order holds no card authorization: the database insists.)
    Order.objects.filter(pk=c.pk).update(
        status=Order.Status.CANCELED, payment_status=Order.PaymentStatus.UNPAID
    )
    assert a.payment_status == Order.PaymentStatus.AUTHORIZED  # not paid yet: open
    assert limits.open_amount(customer) == a.grand_total == Decimal("24.90")


@pytest.mark.django_db
def test_boundary_equal_to_limit_allowed_one_cent_over_refused(
    make_order, checkout_data, limited, customer
):
    _settings("100.00")
    first = make_order(customer=customer)  # 24.90 open, paid by card
    assert limits.open_amount(customer) == first.grand_total
    exact = ProductFactory(price=Decimal("75.10"))  # 24.90 + 75.10 = 100.00 (free shipping ≥ 50)
    over = ProductFactory(price=Decimal("75.11"))
    assert limits.limited_method_allowed(customer, Decimal("75.10"))
    assert not limits.limited_method_allowed(customer, Decimal("75.11"))
    assert limited in limits.allowed_payment_methods(customer, Decimal("75.10"))
    assert limited not in limits.allowed_payment_methods(customer, Decimal("75.11"))

    with pytest.raises(services.CustomerError) as err:
        make_order({over.pk: 1}, customer=customer, payment_method_id=limited.pk)
    assert err.value.field == "payment_method"
    assert Order.objects.filter(customer=customer).count() == 1

    placed = make_order({exact.pk: 1}, customer=customer, payment_method_id=limited.pk)
    assert placed.grand_total == Decimal("75.10")
    assert limits.open_amount(customer) == Decimal("100.00")


@pytest.mark.django_db
def test_guests_get_limited_methods_only_if_the_shop_allows(make_order, limited, card_payment):
    _settings(guests=False)
    assert limited not in limits.allowed_payment_methods(None, Decimal("10"))
    with pytest.raises(services.CustomerError):
        make_order(payment_method_id=limited.pk)
    _settings(guests=True)
    assert limited in limits.allowed_payment_methods(None, Decimal("10"))
    assert make_order(payment_method_id=limited.pk).payment_method == limited


@pytest.mark.django_db(transaction=True)
def test_two_parallel_orders_cannot_both_slip_under_the_limit(
    checkout_data, limited, shipping, card_payment
):
    from orders.services import place_order

    _settings("60.00")
    customer = UserFactory()
    product = ProductFactory(price=Decimal("40.00"))  # 40 + 4.90 = 44.90 each; both > 60
    data = checkout_data(payment_method_id=limited.pk)

    def attempt(_):
        try:
            order = place_order({product.pk: 1}, data, customer=customer)
            return ("ok", order.pk)
        except services.CustomerError as exc:
            return ("refused", exc.message)

    results = run_concurrently(attempt, 2)
    outcomes = sorted(r[0] if isinstance(r, tuple) else repr(r) for r in results)
    assert outcomes == ["ok", "refused"], results
    assert Order.objects.filter(customer=customer, payment_method=limited).count() == 1
    assert limits.open_amount(customer) == Decimal("44.90")


@pytest.mark.django_db
def test_customer_detail_shows_open_amount_and_limit(admin_client, make_order, customer):
    from django.urls import reverse

    _settings("300.00")
    make_order(customer=customer)
    page = admin_client.get(reverse("admin:customers_user_change", args=[customer.pk]))
    body = page.content.decode()
    assert "Open amount" in body and "24.90" in body and "300.00" in body
    assert "shop default" in body
