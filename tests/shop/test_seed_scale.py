"""`seed_scale` with every kind of row at once, in small counts: the README's way to build
the bench data must keep working whenever a model gains a column (a JSON default through
COPY broke it once)."""

from io import StringIO

import pytest
from django.core.management import call_command

from customers.models import User
from orders.models import Order, OrderLine
from privacy import benchmarks as privacy_benchmarks
from shop.models import Product
from vouchers.models import Code

pytestmark = pytest.mark.django_db


def test_seed_scale_builds_every_kind_of_row(monkeypatch, product, shipping, card_payment, staff):
    monkeypatch.setattr(privacy_benchmarks, "PER_DAY", 20)
    products, customers = Product.objects.count(), User.objects.count()
    out = StringIO()
    call_command(
        "seed_scale",
        *("--products", "20", "--customers", "30", "--orders", "40"),
        *("--codes", "50", "--access-log", "60"),
        stdout=out,
    )

    assert Product.objects.count() == products + 20
    assert User.objects.count() == customers + 30
    assert User.objects.filter(previous_emails=[]).count() >= 30  # the JSON default
    assert Order.objects.count() == 40
    assert OrderLine.objects.count() >= 40
    assert Code.objects.count() == 50
    assert "done in" in out.getvalue()
