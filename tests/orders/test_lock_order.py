"""One lock order for everything that consumes or gives back limited resources: the
placement and the cancellations / credit notes lock customer, discount code and campaign, gift
cards and account credit, and product stock in that order (``orders.signals.order_releasing``),
so a cancellation and a placement never wait for each other in a circle (a deadlock that
PostgreSQL breaks by failing one of them)."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from giftcards import services as giftcard_services
from orders import services
from tests.factories import ProductFactory
from tests.race import run_concurrently
from tests.vouchers.factories import CampaignFactory, CodeFactory

# The tables in the order every transaction must take their row locks.
ORDER = [
    "vouchers_code",
    "vouchers_campaign",
    "giftcards_giftcard",
    "giftcards_creditaccount",
    "shop_product",
]
LOCKING = re.compile(
    r'^(?:UPDATE "(?P<updated>\w+)"|SELECT .* FROM "(?P<selected>\w+)".* FOR UPDATE)', re.S
)


def locked_tables(queries):
    """The tables of ``ORDER`` in the order a transaction first locked a row of them."""
    seen = []
    for query in queries:
        match = LOCKING.match(query["sql"])
        if not match:
            continue
        table = match["updated"] or match["selected"]
        if table in ORDER and table not in seen:
            seen.append(table)
    return seen


def assert_lock_order(tables):
    assert tables == sorted(tables, key=ORDER.index), f"locks taken out of order: {tables}"


@pytest.fixture
def stocked():
    return ProductFactory(price=Decimal("40.00"), stock=100)


@pytest.fixture
def limited_code():
    campaign = CampaignFactory(kind="multi", budget=Decimal("500.00"), max_uses=100)
    return CodeFactory(text="SPRING", campaign=campaign).text


@pytest.mark.django_db
def test_placement_cancellation_and_credit_notes_lock_in_one_order(
    make_order, checkout_data, stocked, limited_code
):
    card = giftcard_services.issue_cards(Decimal("10.00"), 1)[0]
    with CaptureQueriesContext(connection) as placing:
        order = make_order({stocked.pk: 2}, voucher_code=limited_code, giftcard_number=card.number)
    placed = locked_tables(placing.captured_queries)
    assert {"vouchers_campaign", "giftcards_giftcard", "shop_product"} <= set(placed)
    assert_lock_order(placed)

    with CaptureQueriesContext(connection) as canceling:
        services.cancel_order(order)
    canceled = locked_tables(canceling.captured_queries)
    assert {"vouchers_campaign", "giftcards_giftcard", "shop_product"} <= set(canceled)
    assert_lock_order(canceled)

    invoiced = make_order({stocked.pk: 2}, voucher_code=limited_code)
    services.create_invoice(invoiced)
    line = invoiced.lines.get()
    with CaptureQueriesContext(connection) as partial:
        services.create_credit_note(invoiced, {line.pk: 1})
    assert_lock_order(locked_tables(partial.captured_queries))
    with CaptureQueriesContext(connection) as final:
        services.refund_order(invoiced)
    closed = locked_tables(final.captured_queries)
    assert {"vouchers_campaign", "shop_product"} <= set(closed)
    assert_lock_order(closed)


@pytest.mark.django_db(transaction=True)
def test_cancellations_and_placements_of_one_campaign_and_product_never_deadlock(
    make_order, checkout_data, stocked, limited_code
):
    orders = [make_order({stocked.pk: 1}, voucher_code=limited_code) for _ in range(4)]
    data = checkout_data(voucher_code=limited_code)

    def work(i):
        if i % 2:
            return services.cancel_order(orders[i // 2]).status
        return services.place_order({stocked.pk: 1}, data).status

    outcomes = run_concurrently(work, 8)
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert not errors, errors
    stocked.refresh_from_db()
    assert stocked.stock == 100 - 4 - 4 + 4
