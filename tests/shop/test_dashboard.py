"""The backoffice start page's figures and charts (issue 26, item 1)."""

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from orders import services
from orders.models import Order
from shop import dashboard
from shop.models import ShopSettings
from tests.factories import PaymentMethodFactory, RoleUserFactory

pytestmark = pytest.mark.django_db

START = reverse("admin:index")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def keys(response):
    return [f["widget"].key for f in response.context["figures"]]


@pytest.mark.parametrize(
    "role, shown, hidden",
    [
        (
            "Order clerk",
            {"orders.sales", "orders.top_products"},
            {"orders.receivables", "vouchers.campaigns"},
        ),
        ("Marketing", {"vouchers.campaigns"}, {"orders.sales", "orders.receivables"}),
        (
            "Payments",
            {"orders.receivables", "orders.sales", "giftcards.liability"},
            {"vouchers.campaigns"},
        ),
        (
            "Data protection officer",
            set(),
            {"orders.sales", "orders.receivables", "vouchers.campaigns"},
        ),
    ],
)
def test_each_role_sees_its_own_figures(client, role, shown, hidden):
    client.force_login(RoleUserFactory(role=role))
    visible = set(keys(client.get(START)))
    assert shown <= visible
    assert not hidden & visible


def test_the_manager_sees_every_figure_linked_to_its_list(admin_client, make_order):
    make_order()
    response = admin_client.get(START)
    assert set(keys(response)) == {w.key for w in dashboard.widgets()}
    page = response.content.decode()
    for url in re.findall(r'href="(/backoffice/[^"]+\?[^"]+)"', page):
        url = url.replace("&amp;", "&")
        assert admin_client.get(url).status_code == 200, url


def _count(client):
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(START).status_code == 200
    return len(ctx.captured_queries)


def test_start_page_query_count_does_not_grow_with_the_data(
    admin_client, make_order, invoice_payment
):
    ShopSettings.load()  # the settings row exists in a running shop (its first load inserts it)
    make_order()
    _count(admin_client)  # warm: the settings row and the version are kept per process
    few = _count(admin_client)
    for _ in range(6):
        order = make_order(payment_method_id=invoice_payment.pk)
        services.create_invoice(order)
    make_order(email="someone.else@example.com")
    assert _count(admin_client) == few


def test_figures_are_cached_for_a_minute_per_language(
    admin_client, make_order, django_assert_max_num_queries
):
    def sales(response):
        # (the "Before you go live" box, computed on every view, may stand before it)
        return next(f for f in response.context["figures"] if f["widget"].key == "orders.sales")

    make_order()
    first = admin_client.get(START)
    revenue = sales(first)["data"]["kpis"][1]["value"]
    make_order()  # a new order shows after the minute, not at once
    with CaptureQueriesContext(connection) as ctx:
        again = admin_client.get(START)
    assert sales(again)["data"]["kpis"][1]["value"] == revenue
    cached_queries = len(ctx.captured_queries)
    assert cached_queries < _count(admin_client)
    key_en = dashboard.cache_key(dashboard.visible(first.wsgi_request.user), "en")
    key_de = dashboard.cache_key(dashboard.visible(first.wsgi_request.user), "de")
    assert key_en != key_de
    with translation.override("de"):
        assert dashboard.cache_key(dashboard.visible(first.wsgi_request.user), "de") == key_de
    assert dashboard.CACHE_SECONDS == 60


def test_sales_figures_count_orders_without_canceled_ones(make_order):
    from orders import dashboard as figures

    kept, canceled = make_order(), make_order()
    services.cancel_order(canceled)
    data = figures.sales()
    assert data["kpis"][1]["value"] == 1
    assert data["kpis"][0]["value"] == kept.grand_total
    assert data["kpis"][2]["value"] == kept.grand_total  # average order value


def test_revenue_counts_a_gift_card_once_when_it_is_spent(make_order, product):
    """A gift card sold is a liability, not revenue (as in the sales report): a 25 € card
    bought and then spent on goods is the goods' revenue, not the card's as well."""
    from giftcards.models import GiftCard
    from orders import dashboard as figures
    from tests.factories import ProductFactory

    card_product = ProductFactory(
        name="Gift card 25", price=Decimal("25.00"), tax_rate=Decimal("0.00"), is_giftcard=True
    )
    bought = make_order({card_product.pk: 1, product.pk: 1})
    services.mark_paid(bought)
    card = GiftCard.objects.get()
    spent = make_order({product.pk: 2}, giftcard_number=card.number)
    assert spent.giftcard_total == Decimal("25.00")

    data = figures.sales()
    goods = bought.grand_total - Decimal("25.00") + spent.grand_total
    assert data["kpis"][0]["value"] == goods
    assert data["kpis"][1]["value"] == 2
    assert data["kpis"][2]["value"] == (goods / 2).quantize(Decimal("0.01"))


def test_new_and_returning_customers(make_order):
    from orders import dashboard as figures

    make_order(email="new@example.com")
    old = make_order(email="old@example.com")
    Order.objects.filter(pk=old.pk).update(created=old.created.replace(year=old.created.year - 1))
    make_order(email="old@example.com")
    rows = {r["label"]: r["value"] for r in figures.customers()["rows"]}
    assert rows == {"New customers": 1, "Returning customers": 1}


def test_open_amounts_by_age_of_the_invoice(admin_client, make_order, invoice_payment):
    from datetime import timedelta

    from django.utils import timezone

    from orders import dashboard as figures
    from orders.models import Invoice

    ages = {"0-14": 3, "15-30": 20, "31+": 45}
    orders = {}
    for bucket, days in ages.items():
        order = make_order(payment_method_id=invoice_payment.pk)
        invoice = services.create_invoice(order)
        Invoice.objects.filter(pk=invoice.pk).update(created=timezone.now() - timedelta(days=days))
        orders[bucket] = order
    paid = make_order(payment_method_id=invoice_payment.pk)
    services.create_invoice(paid)
    services.mark_paid(paid)
    data = figures.receivables()
    assert [r["count"] for r in data["rows"]] == [1, 1, 1]
    assert data["total"] == sum(o.grand_total for o in orders.values())
    for row, bucket in zip(data["rows"], ages, strict=True):
        listed = admin_client.get(row["url"]).context["cl"].result_list
        assert [o.pk for o in listed] == [orders[bucket].pk]


def test_charts_are_accessible_svg_without_scripts(admin_client, make_order):
    make_order()
    page = admin_client.get(START).content.decode()
    start = page.index('id="figures"')
    figures = page[start : page.index('class="app-', start)]
    svgs = re.findall(r"<svg[^>]*>", figures)
    # An image, or a group when its bars are links (tests/shop/test_chart_accessibility.py).
    assert len(svgs) >= 5
    assert all(re.search(r'role="(img|group)"', s) and "aria-labelledby" in s for s in svgs)
    assert figures.count("<title id=") == len(svgs)
    assert "<script" not in figures
    assert "Show the figures as a table" in figures
    links = re.findall(r'(?:src|href)="(https?://[^"]+)"', figures)
    assert links == []


def test_otp_apps_have_human_names_on_the_start_page(admin_client):
    page = admin_client.get(START).content.decode()
    assert "Two-factor authentication: authenticator apps" in page
    assert "OTP_TOTP" not in page and "OTP_STATIC" not in page


def test_card_payments_to_capture(admin_client, make_order):
    from orders import dashboard as figures

    order = make_order()
    PaymentMethodFactory(code="other", kind="prepayment")
    data = figures.authorized()
    assert data["count"] == 1 and data["amount"] == order.grand_total
    listed = admin_client.get(data["url"]).context["cl"].result_list
    assert [o.pk for o in listed] == [order.pk]


def test_charts_keep_svg_numbers_in_every_language(client, make_order):
    """German and Polish write 12,5 — an SVG coordinate must stay 12.5."""
    make_order()
    client.force_login(RoleUserFactory(role="Shop manager"))
    for language in ("de", "pl", "da"):
        cache.clear()
        page = client.get(START, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        start = page.index('id="figures"')
        figures = page[start : page.index('class="app-', start)]
        numbers = re.findall(r'\b(?:x|y|x1|x2|y1|y2|cx|cy|width|height|points)="([^"]*)"', figures)
        assert numbers and not [n for n in numbers if "," in n and " " not in n], language
        assert not re.search(r'points="[^"]*\d,\d+,\d', figures), language


def test_a_capped_attention_tile_says_more_than(admin_client, make_order, monkeypatch):
    from orders import panels
    from shop.admin import backoffice

    for _ in range(3):
        make_order()
    item = next(i for i in backoffice._attention if i.url_name == "admin:orders_order_changelist")
    monkeypatch.setattr(item, "cap", 2)
    monkeypatch.setattr(item, "count", lambda: min(3, 2 + 1))
    tiles = {str(i["label"]): i for i in admin_client.get(START).context["attention"]}
    assert tiles["New orders"]["display"] == "2+"
    assert panels.NEW_ORDERS_CAP == 999
