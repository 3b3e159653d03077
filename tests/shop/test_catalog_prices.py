"""Legal price display (issue 25): the unit price (PAngV § 4), sale prices with the lowest
price of the 30 days before the reduction (PAngV § 11), every price change in the price
history, GPSR information, delivery time and the shipping costs page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from orders.services import place_order
from shop.models import PriceHistory, Product
from tests.checkout import add_to_cart, checkout_post
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def jam(**fields):
    values = {
        "name": "Nordic berry jam",
        "price": Decimal("6.50"),
        "content_quantity": Decimal("250"),
        "content_unit": "g",
    }
    return ProductFactory(**{**values, **fields})


def history(product, *changes):
    """Replace the product's history by ``(days ago, price)`` rows."""
    PriceHistory.objects.filter(product=product).delete()
    for days, price in changes:
        PriceHistory.objects.create(
            product=product, recorded_at=timezone.now() - timedelta(days=days), price=Decimal(price)
        )


def test_unit_price_is_shown_wherever_the_price_is(client, shipping, card_payment):
    product = jam()
    expected = ["€6.50", "/ 250 g", "(€26.00 / 1 kg)"]
    for url in (
        reverse("shop:product", args=[product.slug]),
        reverse("shop:products"),
        reverse("shop:category", args=[product.category.slug]),
    ):
        page = client.get(url).content.decode()
        assert all(text in page for text in expected), url
    add_to_cart(client, product)
    for url in (reverse("shop:cart"), reverse("orders:checkout")):
        page = client.get(url).content.decode()
        assert all(text in page for text in expected), url


def test_unit_price_per_litre_and_metre_and_none_for_one_unit():
    assert jam(content_quantity=Decimal("750"), content_unit="ml").unit_price() == (
        Decimal("8.67"),
        "l",
    )
    assert jam(content_quantity=Decimal("50"), content_unit="cm").unit_price() == (
        Decimal("13.00"),
        "m",
    )
    assert jam(content_quantity=Decimal("1"), content_unit="kg").unit_price() is None
    assert ProductFactory().unit_price() is None


def test_content_needs_quantity_and_unit_together():
    with pytest.raises(IntegrityError):
        ProductFactory(content_quantity=Decimal("250"), content_unit="")


def test_every_price_change_is_recorded_in_the_history():
    product = ProductFactory(price=Decimal("10.00"))
    product.stock = 5
    product.save()  # no price change: no row
    product.price = Decimal("12.00")
    product.save()
    product.sale_price = Decimal("9.00")
    product.save()
    rows = list(PriceHistory.objects.filter(product=product).order_by("recorded_at", "pk"))
    assert [(r.price, r.sale_price) for r in rows] == [
        (Decimal("10.00"), None),
        (Decimal("12.00"), None),
        (Decimal("12.00"), Decimal("9.00")),
    ]
    assert rows[-1].sale_start is not None  # a sale without a start starts now


def test_lowest_price_of_30_days_before_the_sale_across_several_price_changes():
    product = ProductFactory(price=Decimal("12.90"))
    # 45 days ago 9.90 (until 35 days ago: outside the window), 35 days ago 12.90 (in
    # force when the window opens), 25 days ago 11.90, 20 days ago 13.90, 10 days ago
    # 12.90; sale from today at 8.90.
    history(product, (45, "9.90"), (35, "12.90"), (25, "11.90"), (20, "13.90"), (10, "12.90"))
    product.sale_price = Decimal("8.90")
    product.sale_start = timezone.now()
    product.save()
    assert product.sale_reference_price == Decimal("11.90")
    assert product.lowest_price_30_days == Decimal("11.90")
    assert product.current_price() == Decimal("8.90")


def test_an_earlier_sale_inside_the_30_days_counts_as_the_lowest_price():
    product = ProductFactory(price=Decimal("20.00"))
    history((product), (60, "20.00"))
    PriceHistory.objects.create(
        product=product,
        recorded_at=timezone.now() - timedelta(days=40),
        price=Decimal("20.00"),
        sale_price=Decimal("14.00"),
        sale_start=timezone.now() - timedelta(days=22),
        sale_end=timezone.now() - timedelta(days=15),
    )
    product.sale_price = Decimal("16.00")
    product.sale_start = timezone.now()
    product.save()
    assert product.lowest_price_30_days == Decimal("14.00")


def test_a_scheduled_sale_counts_the_price_in_force_until_it_starts():
    product = ProductFactory(price=Decimal("20.00"))
    history(product, (60, "20.00"))
    product.price = Decimal("18.00")  # lowered today, sale in 5 days
    product.sale_price = Decimal("15.00")
    product.sale_start = timezone.now() + timedelta(days=5)
    product.save()
    assert product.sale_reference_price == Decimal("18.00")
    assert product.current_price() == Decimal("18.00")  # not yet on sale
    assert product.current_price(timezone.now() + timedelta(days=6)) == Decimal("15.00")


def test_reduction_announced_with_the_lowest_price_of_30_days(client):
    product = ProductFactory(price=Decimal("12.90"))
    history(product, (40, "12.90"), (20, "11.90"), (15, "12.90"))
    product.sale_price = Decimal("9.90")
    product.save()
    for url in (reverse("shop:product", args=[product.slug]), reverse("shop:products")):
        page = client.get(url).content.decode()
        assert "<del" in page and "€11.90" in page and "€9.90" in page
        assert "Lowest price in the last 30 days: €11.90" in page


def test_sale_outside_its_period_is_not_applied_nor_announced(client):
    product = ProductFactory(
        price=Decimal("10.00"),
        sale_price=Decimal("7.00"),
        sale_start=timezone.now() - timedelta(days=10),
        sale_end=timezone.now() - timedelta(days=1),
    )
    assert product.current_price() == Decimal("10.00")
    page = client.get(reverse("shop:product", args=[product.slug])).content.decode()
    assert "Lowest price in the last 30 days" not in page and "€7.00" not in page


def test_sale_price_must_be_below_the_price():
    with pytest.raises(IntegrityError):
        ProductFactory(price=Decimal("10.00"), sale_price=Decimal("10.00"))


def test_cart_and_placement_charge_the_sale_price(client, checkout_data):
    product = ProductFactory(price=Decimal("40.00"), sale_price=Decimal("30.00"))
    add_to_cart(client, product, 2)
    assert "€60.00" in client.get(reverse("shop:cart")).content.decode()
    order = place_order({product.pk: 2}, checkout_data())
    line = order.lines.get()
    assert line.unit_price == Decimal("30.00") and line.line_total == Decimal("60.00")
    assert order.goods_total == Decimal("60.00")


def test_sale_price_is_charged_through_the_checkout_page(client, shipping, card_payment):
    product = ProductFactory(price=Decimal("40.00"), sale_price=Decimal("25.00"))
    add_to_cart(client, product)
    client.post(reverse("orders:checkout"), checkout_post(shipping, card_payment))
    assert product.__class__.objects.get(pk=product.pk).current_price() == Decimal("25.00")
    from orders.models import Order

    assert Order.objects.get().goods_total == Decimal("25.00")


def test_product_page_shows_gpsr_information_delivery_time_and_shipping_link(client):
    product = ProductFactory(
        manufacturer="Fjord Home Ltd.",
        manufacturer_address="12 Harbour Road\nBergen",
        manufacturer_contact="care@fjordhome.example",
        responsible_person="Nordlicht Handels GmbH",
        responsible_person_address="Hafenstraße 12\n20457 Hamburg",
        responsible_person_contact="safety@nordlicht.example",
        product_identifier="EAN 4012345678901",
        safety_information="Keep away from children.",
        delivery_days=3,
    )
    page = client.get(reverse("shop:product", args=[product.slug])).content.decode()
    for text in (
        "Product safety",
        "Fjord Home Ltd.",
        "12 Harbour Road",
        "care@fjordhome.example",
        "Responsible person in the EU",
        "Nordlicht Handels GmbH",
        "safety@nordlicht.example",
        "EAN 4012345678901",
        "Keep away from children.",
        "ships within 3 working days",
        'plus <a href="/shipping/">shipping</a>',
    ):
        assert text in page, text


def test_shipping_costs_page_is_generated_from_the_shipping_methods(client, shipping):
    shipping.free_over = Decimal("50.00")
    shipping.save()
    page = client.get(reverse("shop:shipping_costs")).content.decode()
    assert shipping.name in page and "€4.90" in page and "€50.00" in page


def test_prices_render_in_german(client):
    product = jam()
    client.cookies["django_language"] = "de"
    page = client.get(reverse("shop:product", args=[product.slug]), follow=True).content.decode()
    assert "26,00\xa0€ / 1 kg" in page and "zzgl." in page


def test_price_in_force_when_the_window_opens_counts():
    product = ProductFactory(price=Decimal("12.90"))
    history(product, (45, "9.90"), (25, "12.90"))  # 9.90 until 25 days ago
    product.sale_price = Decimal("8.90")
    product.save()
    assert product.lowest_price_30_days == Decimal("9.90")
    assert Product.objects.get(pk=product.pk).sale_reference_price == Decimal("9.90")
