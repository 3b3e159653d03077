"""A sale resumed long after its start announces the lowest price of the 30 days before it
shows again (PAngV § 11, Omnibus Directive), not of the 30 days before its old start.

The product cost 30.00 until 40 days ago (a sale at 25.00 ran 60 to 50 days ago), then
20.00; the sale price 18.00 stayed in its field, its period over. The operator sets only a
new end 10 days ahead — in the backoffice, by import or through ``Product.save()``: the sale
runs again at 18.00, and the shop announced 30.00 as "the lowest price of the last 30 days",
a price it had not charged for 40 days (``shop.pricing.prepare_price_change`` took the 30
days before the stored start). The reduction starts now: the reference is 20.00. A sale
that ran already before its end was moved keeps the reference of its own start.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from shop.models import PriceHistory, Product
from tests.factories import ProductFactory
from tests.html_forms import FormParser, post_data

pytestmark = pytest.mark.django_db

LOWEST = "Lowest price in the last 30 days"


def resumable_sale():
    """The product of the story above, its sale over: 20.00, sale price 18.00 kept."""
    now = timezone.now()
    product = ProductFactory(sku="MUG-1", price=Decimal("30.00"))
    PriceHistory.objects.filter(product=product).delete()
    old_start, old_end = now - timedelta(days=60), now - timedelta(days=50)
    for days, price, sale_price in ((70, "30.00", None), (61, "30.00", "25.00")):
        PriceHistory.objects.create(
            product=product,
            recorded_at=now - timedelta(days=days),
            price=Decimal(price),
            sale_price=sale_price and Decimal(sale_price),
            sale_start=old_start if sale_price else None,
            sale_end=old_end if sale_price else None,
        )
    PriceHistory.objects.create(
        product=product,
        recorded_at=now - timedelta(days=40),
        price=Decimal("20.00"),
        sale_price=Decimal("18.00"),
        sale_start=old_start,
        sale_end=old_end,
    )
    Product.objects.filter(pk=product.pk).update(
        price=Decimal("20.00"),
        sale_price=Decimal("18.00"),
        sale_start=old_start,
        sale_end=old_end,
        sale_reference_price=Decimal("30.00"),
    )
    product.refresh_from_db()
    assert not product.on_sale and product.current_price() == Decimal("20.00")
    return product


def assert_resumed_from_now(client, product):
    product.refresh_from_db()
    assert product.on_sale and product.current_price() == Decimal("18.00")
    assert product.lowest_price_30_days == Decimal("20.00")
    page = client.get(reverse("shop:product", args=[product.slug])).content.decode()
    assert f"{LOWEST}: €20.00" in page and "€30.00" not in page


def test_a_sale_resumed_with_a_new_end_announces_the_price_of_the_last_30_days(client):
    product = resumable_sale()
    old_start = product.sale_start
    product.sale_end = timezone.now() + timedelta(days=10)
    product.save()
    assert_resumed_from_now(client, product)
    assert product.sale_start == old_start  # the operator's value is kept


def test_a_sale_resumed_in_the_backoffice(admin_client, client):
    product = resumable_sale()
    url = reverse("admin:shop_product_change", args=[product.pk])
    parser = FormParser(url)
    parser.feed(admin_client.get(url).content.decode())
    form = max(parser.forms, key=lambda f: len(f.fields))
    data = {
        name: values if len(values) > 1 else values[0]
        for name, values in post_data(form.fields).items()
    }
    end = timezone.localtime() + timedelta(days=10)
    end_fields = sorted(name for name in data if name.startswith("sale_end"))
    if end_fields == ["sale_end"]:
        data["sale_end"] = end.strftime("%Y-%m-%d %H:%M")
    else:  # a date and a time input
        data["sale_end_0"], data["sale_end_1"] = end.strftime("%Y-%m-%d"), end.strftime("%H:%M")
    response = admin_client.post(url, {**data, "_save": "1"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert_resumed_from_now(client, product)


def test_a_sale_resumed_by_import(admin_client, client):
    product = resumable_sale()
    end = timezone.localtime() + timedelta(days=10)
    csv = f"sku,sale_end\nMUG-1,{end:%Y-%m-%d %H:%M}\n".encode()
    preview = admin_client.post(
        reverse("admin:shop_product_import"),
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("p.csv", csv)},
    )
    confirm = preview.context["confirm_form"]
    done = admin_client.post(
        reverse("admin:shop_product_process_import"),
        {**confirm.initial, "resource": "0", "format": "0"},
    )
    assert done.status_code == 302
    assert_resumed_from_now(client, product)


def test_a_sale_resumed_with_a_start_moved_into_the_past_counts_from_now(client):
    """The sale did not run before this save: a start typed as 45 days ago is no reduction
    shown 45 days ago (when the product still cost 30.00)."""
    product = resumable_sale()
    product.sale_start = timezone.now() - timedelta(days=45)
    product.sale_end = timezone.now() + timedelta(days=10)
    product.save()
    assert_resumed_from_now(client, product)


def test_a_running_sale_given_a_later_end_keeps_the_reference_of_its_start(client):
    """Its reduction began at its start: the 30 days before it still decide (from now they
    would hold the sale price itself, 18.00)."""
    product = ProductFactory(price=Decimal("20.00"))
    now = timezone.now()
    PriceHistory.objects.filter(product=product).update(recorded_at=now - timedelta(days=60))
    product.sale_price = Decimal("18.00")
    product.sale_start = now - timedelta(days=5)
    product.sale_end = now + timedelta(days=1)
    product.save()
    assert product.lowest_price_30_days == Decimal("20.00")
    product.sale_end = now + timedelta(days=10)
    product.save()
    product.refresh_from_db()
    assert product.on_sale and product.lowest_price_30_days == Decimal("20.00")


def test_a_resumed_sale_starting_later_takes_the_30_days_before_its_start():
    product = resumable_sale()
    product.sale_start = timezone.now() + timedelta(days=3)
    product.sale_end = timezone.now() + timedelta(days=10)
    product.save()
    product.refresh_from_db()
    assert not product.on_sale
    assert product.sale_reference_price == Decimal("20.00")
    assert product.current_price(timezone.now() + timedelta(days=4)) == Decimal("18.00")
