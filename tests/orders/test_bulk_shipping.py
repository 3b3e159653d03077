"""The warehouse's day on the order list: which orders may leave ("Ready to ship" — goods
left to ship and a payment that allows it), a pick list of their goods, and shipping them
all at once with their packing slips (each through the order page's ``create_shipment``)."""

import pytest
from django.urls import reverse

from orders import services
from orders.models import Order, Shipment
from orders.services import bulk
from shop.models import BackgroundJob
from tests.factories import PaymentMethodFactory, ProductFactory, RoleUserFactory
from tests.orders.factories import ship_all
from tests.orders.test_bulk_actions import CHANGELIST, act, pdf_text, texts

pytestmark = pytest.mark.django_db


def job_file(client):
    job = BackgroundJob.objects.get()
    download = client.get(reverse("admin:shop_backgroundjob_file", args=[job.pk]))
    return job, pdf_text(b"".join(download.streaming_content))


@pytest.fixture
def prepayment(db):
    return PaymentMethodFactory(code="prepayment", name="Bank transfer", kind="prepayment")


@pytest.fixture
def cases(make_order, prepayment):
    """One order of each kind the warehouse meets."""
    cod = PaymentMethodFactory(code="cod", name="Cash on delivery", kind="cod")
    card = ProductFactory(name="Gift card", price=20, tax_rate=0, is_giftcard=True)
    paid_transfer = make_order(payment_method_id=prepayment.pk)
    services.mark_paid(paid_transfer)
    partly = make_order({ProductFactory().pk: 2, ProductFactory().pk: 1})
    first = {line.pk: 1 for line in partly.lines.all()}
    services.create_shipment(partly, first)
    shipped = make_order()
    services.create_shipment(shipped, ship_all(shipped))
    canceled = make_order()
    services.cancel_order(canceled)
    return {
        "card authorized": make_order(),
        "cash on delivery": make_order(payment_method_id=cod.pk),
        "transfer paid": paid_transfer,
        "partly shipped": partly,
        "transfer unpaid": make_order(payment_method_id=prepayment.pk),
        "shipped": shipped,
        "canceled": canceled,
        "gift card only": make_order({card.pk: 1}),
    }


READY = {"card authorized", "cash on delivery", "transfer paid", "partly shipped"}


def test_ready_to_ship_is_goods_left_and_a_payment_that_allows_it(cases):
    numbers = {order.number: name for name, order in cases.items()}
    ready = {numbers[n] for n in Order.objects.ready_to_ship().values_list("number", flat=True)}
    waiting = {
        numbers[n]
        for n in Order.objects.awaiting_payment_to_ship().values_list("number", flat=True)
    }
    assert ready == READY
    assert waiting == {"transfer unpaid"}
    # The order's own rule agrees with the filter, order by order.
    for name, order in cases.items():
        if name in READY | {"transfer unpaid"}:
            assert Order.objects.get(pk=order.pk).payment_allows_shipping == (name in READY)


def test_the_start_page_and_the_list_filter_show_the_orders_to_ship(admin_client, cases):
    start = admin_client.get(reverse("admin:index")).content.decode()
    assert "Orders to ship" in start and f"{CHANGELIST}?to_ship=ready" in start
    page = admin_client.get(CHANGELIST + "?to_ship=ready").content.decode()
    for name, order in cases.items():
        assert (order.number in page) == (name in READY), name
    waiting = admin_client.get(CHANGELIST + "?to_ship=awaiting_payment").content.decode()
    assert cases["transfer unpaid"].number in waiting
    assert cases["card authorized"].number not in waiting


def test_ship_orders_ships_whats_left_and_prints_the_packing_slips(admin_client, cases):
    response = act(admin_client, "bulk_ship", list(cases.values()), follow=True)
    page = response.content.decode()
    job, pages = job_file(admin_client)
    assert "4 orders shipped; their packing slips are in one PDF." in page
    skipped = dict(job.result["skipped"])
    assert skipped == {
        cases["transfer unpaid"].number: "waiting for payment",
        cases["shipped"].number: "already shipped",
        cases["canceled"].number: "the order is canceled",
        cases["gift card only"].number: "nothing to ship (downloads or gift cards)",
    }
    for name in READY:
        order = Order.objects.get(pk=cases[name].pk)
        assert services.order_state(order).fully_shipped, name
    # The partly shipped order got the rest: one more unit of its first line, none of the other.
    rest = Shipment.objects.filter(order=cases["partly shipped"]).latest("id")
    assert [line.quantity for line in rest.lines.all()] == [1]
    assert len(pages) == 4
    assert f"{cases['partly shipped'].number}-2" in " ".join(pages)
    assert not Shipment.objects.filter(order=cases["transfer unpaid"]).exists()


def test_shipping_nothing_is_an_error_and_changes_nothing(admin_client, cases):
    before = Shipment.objects.count()
    response = act(admin_client, "bulk_ship", [cases["transfer unpaid"], cases["shipped"]])
    messages = texts(response)
    assert any(m.startswith("No order was shipped. 2 orders skipped:") for m in messages)
    assert Shipment.objects.count() == before


def test_the_pick_list_adds_up_each_product_over_the_orders(admin_client, make_order, product):
    other = ProductFactory(name="Teapot", sku="AAA-1")
    one = make_order({product.pk: 2, other.pk: 1})
    two = make_order({product.pk: 3})
    response = act(admin_client, "bulk_print_pick_list", [one, two])
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="pick-list-')
    text = " ".join(pdf_text(response.content)).replace("\xa0", " ")
    assert "Pick list" in text and "2 orders" in text and "6 units" in text
    # Each product once with its total, SKU order: the teapot (AAA-1) first.
    assert text.index("AAA-1") < text.index(product.sku)
    assert f"5 {product.sku} {product.name}" in text
    assert f"{one.number} × 2, {two.number} × 3" in text
    assert one.shipping_city in text
    assert not Shipment.objects.exists()  # printing ships nothing


def test_the_pick_list_speaks_the_staff_members_language(client, make_order):
    staff = RoleUserFactory(role="Order clerk", language="de")
    client.force_login(staff)
    order = make_order(language="pl")
    response = act(client, "bulk_print_pick_list", [order])
    text = " ".join(pdf_text(response.content))
    assert "Kommissionierliste" in text and "1 Bestellung" in text


def test_the_pick_list_names_the_orders_it_left_out(admin_client, cases):
    response = act(admin_client, "bulk_print_pick_list", list(cases.values()), follow=True)
    page = response.content.decode()
    assert "Pick list of 4 orders in one PDF." in page
    assert "waiting for payment" in page
    job, pages = job_file(admin_client)
    assert cases["card authorized"].number in " ".join(pages)


def test_shipping_in_bulk_needs_the_right_to_change_orders(client, make_order):
    support = RoleUserFactory(role="Support")
    client.force_login(support)
    order = make_order()
    page = client.get(CHANGELIST).content.decode()
    # The pick list is the warehouse's paper (goods work, the Order clerk's); the CSV export
    # stays with every reader of the list.
    assert "bulk_export_csv" in page
    assert "bulk_print_pick_list" not in page and "bulk_ship" not in page
    act(client, "bulk_ship", [order])
    assert not Shipment.objects.exists()


def test_the_ship_page_warns_before_shipping_an_unpaid_transfer(
    admin_client, make_order, prepayment
):
    order = make_order(payment_method_id=prepayment.pk)
    page = admin_client.get(reverse("admin:orders_order_ship", args=[order.pk])).content.decode()
    assert "Payment method Bank transfer: the payment has not arrived yet." in page
    paid = make_order()
    page = admin_client.get(reverse("admin:orders_order_ship", args=[paid.pk])).content.decode()
    assert "The payment has not arrived yet" not in page


def test_the_services_agree_with_the_jobs_registry():
    assert {"orders.ship", "orders.print_pick_list"} <= set(bulk.JOBS)


def test_the_ready_to_ship_list_runs_no_more_queries_for_many_orders_than_for_one(
    admin_client, make_order
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        admin_client.get(CHANGELIST + "?to_ship=ready")  # warm per-request caches
        with CaptureQueriesContext(connection) as ctx:
            page = admin_client.get(CHANGELIST + "?to_ship=ready").content.decode()
        return page, len(ctx.captured_queries)

    first = make_order()
    page, one = queries()
    assert first.number in page
    more = [make_order() for _ in range(5)]
    page, six = queries()
    assert all(o.number in page for o in more)
    assert six <= one  # (the shop settings may still be read once the first time)
