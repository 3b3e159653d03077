"""The verified-purchase badges of existing reviews follow the rule (``proving_lines``): a
purchase canceled, closed or fully credited proves nothing, a purchase that stands does. Only
reviews processed since the rule came in followed it; migration 0007 recalculates the others
once (on the historical models), and ``manage.py refresh_review_badges`` applies the current
rule again at any time. Both give the same answer; anonymised reviews without account or link
keep their badge."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from orders import services as order_services
from orders.models import Order
from reviews.models import Review, ReviewRequest
from tests.factories import ProductFactory, UserFactory
from tests.orders.factories import ship_all

BEFORE = [("reviews", "0006_hb_confirmed_reviews")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


def _bought(make_order, items, **fields):
    order = make_order(items, **fields)
    order_services.create_invoice(order)  # card: paid
    order_services.create_shipment(order, ship_all(order))
    return Order.objects.get(pk=order.pk)


def _line(order, product):
    return order.lines.get(product=product)


def _review(model, **fields):
    values = {"rating": 4, "text": "t", "author_name": "A"}
    # By id: ``model`` may be the historical Review of an earlier migration, which takes no
    # instances of today's models (and knows none of the columns added since).
    fields = {
        (f"{name}_id" if hasattr(value, "pk") else name): (
            value.pk if hasattr(value, "pk") else value
        )
        for name, value in fields.items()
    }
    return model.objects.create(**{**values, **fields}).pk


def _stale_badges(make_order, model=Review):
    """Reviews whose badge the rule decides otherwise now, and some it leaves as they are;
    returns ``{pk: the badge the rule gives}``. The badges are written as an earlier rule
    left them."""
    lamp = ProductFactory(name="Lamp", price=Decimal("15.00"))
    coffee = ProductFactory(name="Coffee", price=Decimal("10.70"))
    ida = UserFactory(email="ida@example.com")
    order = _bought(make_order, {lamp.pk: 2, coffee.pk: 1}, customer=ida, email=ida.email)
    order_services.create_credit_note(order, {_line(order, coffee).pk: 1}, reason="returned")
    order_services.create_credit_note(
        Order.objects.get(pk=order.pk), {_line(order, lamp).pk: 1}, reason="one broke"
    )
    max_ = UserFactory(email="max@example.com")
    canceled = make_order({lamp.pk: 1}, customer=max_, email=max_.email)
    order_services.mark_paid(canceled)
    order_services.cancel_order(canceled)
    guest_order = _bought(make_order, {coffee.pk: 1}, email="gast@example.com")
    link = ReviewRequest.objects.create(order=guest_order, email="gast@example.com")
    ole = UserFactory(email="ole@example.com")
    _bought(make_order, {lamp.pk: 1}, customer=ole, email=ole.email)
    reviews = [
        # (the badge as an earlier rule left it, the review, the badge the rule gives now)
        # fully credited: the coffee proves nothing any more
        (True, {"product": coffee, "customer": ida, "email": ida.email}, False),
        # one of two lamps credited: the other stands
        (False, {"product": lamp, "customer": ida, "email": ida.email}, True),
        # canceled after payment
        (True, {"product": lamp, "customer": max_, "email": max_.email}, False),
        # the review-request link's order stands
        (False, {"product": coffee, "request": link, "email": "gast@example.com"}, True),
        # a typed address proves nothing
        (True, {"product": lamp, "email": "typed@example.com"}, False),
        # erased: the link that proved it is gone, not the purchase
        (True, {"product": coffee, "email": "deleted-r1@invalid", "anonymised": "erased"}, True),
        # a purchase that stands, already so
        (True, {"product": lamp, "customer": ole, "email": ole.email}, True),
    ]
    expected = {}
    for before, fields, now in reviews:
        expected[_review(model, verified_purchase=before, **fields)] = now
    return expected


def _badges(expected):
    return dict(Review.objects.filter(pk__in=expected).values_list("pk", "verified_purchase"))


@pytest.fixture
def before_recalculation(db):
    """The historical Review model of the database migrated back to before 0007."""
    _migrate(BEFORE)
    yield (
        MigrationExecutor(connection)
        .loader.project_state(BEFORE)
        .apps.get_model("reviews", "Review")
    )
    _migrate(None)


@pytest.mark.django_db(transaction=True)
def test_the_migration_recalculates_the_badges_of_existing_reviews(
    before_recalculation, make_order
):
    expected = _stale_badges(make_order, before_recalculation)
    assert _badges(expected) != expected

    _migrate(None)

    assert _badges(expected) == expected


@pytest.mark.django_db
def test_the_command_applies_the_rule_again_and_a_dry_run_changes_nothing(make_order, capsys):
    expected = _stale_badges(make_order)
    stale = _badges(expected)
    changed = sum(stale[pk] != now for pk, now in expected.items())

    call_command("refresh_review_badges", "--dry-run")
    assert (
        f"Would change the verified-purchase badge of {changed} reviews." in capsys.readouterr().out
    )
    assert _badges(expected) == stale

    call_command("refresh_review_badges", "--batch-size", "2")
    assert f"Changed the verified-purchase badge of {changed} reviews." in capsys.readouterr().out
    assert _badges(expected) == expected
    call_command("refresh_review_badges")
    assert "badge of 0 reviews" in capsys.readouterr().out
