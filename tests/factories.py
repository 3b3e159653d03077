"""factory-boy factories shared by every app's tests. Apps add their own factories in
tests/<app>/factories.py; the core ones live here."""

from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from customers.models import CustomerGroup, User
from shop.models import Category, PaymentMethod, Product, ShippingMethod
from shop.roles import ROLES


class CustomerGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerGroup
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Group {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    email = factory.Sequence(lambda n: f"staff{n}@example.com")
    is_staff = True


class RoleUserFactory(StaffFactory):
    """A staff user (no superuser) in one backoffice role of shop/roles.py:
    ``RoleUserFactory(role="Support")``. The role groups exist after every migrate (and flush)."""

    email = factory.Sequence(lambda n: f"role{n}@example.com")

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        assert extracted in ROLES, f"RoleUserFactory(role=...) takes one of {list(ROLES)}"
        if create:
            obj.groups.add(Group.objects.get(name=extracted))


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    price = Decimal("10.00")
    is_giftcard = False
    # A gift card is sold without VAT (the database says so: product_giftcard_without_vat).
    tax_rate = factory.LazyAttribute(
        lambda product: Decimal("0.00") if product.is_giftcard else Decimal("19.00")
    )


class ShippingMethodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShippingMethod

    name = factory.Sequence(lambda n: f"Parcel {n}")
    price = Decimal("4.90")
    tax_rate = Decimal("19.00")
    free_over = Decimal("50.00")


class PaymentMethodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaymentMethod
        django_get_or_create = ["code"]

    code = "card"
    name = "Credit card"
    kind = PaymentMethod.Kind.CARD


def settle_open_business(*orders):
    """Finish what the shop still owes the person of ``orders`` before an erasure test
    (``orders.erasure.open_business`` refuses the erasure otherwise): a paid (or authorised)
    order is shipped in full, its open returns rejected and its withdrawal statements
    processed — as the staff would before erasing."""
    from django.utils import timezone

    from orders.aftersales import Return, Withdrawal
    from orders.models import Order
    from orders.services import create_shipment
    from orders.services.lifecycle import order_state

    for order in orders:
        order = Order.objects.get(pk=order.pk)
        remaining = {p.line.pk: p.remaining for p in order_state(order).progress if p.remaining}
        if remaining and order.payment_status != Order.PaymentStatus.UNPAID:
            create_shipment(order, remaining)
        Return.objects.filter(order=order, status__in=Return.OPEN).update(
            status=Return.Status.REJECTED, rejection_reason="Not sent back"
        )
        Withdrawal.objects.filter(order=order).update(
            status=Withdrawal.Status.PROCESSED, processed_at=timezone.now()
        )
