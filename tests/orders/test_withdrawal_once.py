"""One declaration, one withdrawal statement: a double click on "Confirm withdrawal", the
browser's resubmit or the same call three times at once records the statement once and sends
one acknowledgement; a later declaration naming other units is a statement of its own."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from orders import services
from orders.aftersales import Withdrawal
from orders.models import Order
from shop.models import OutboxEmail
from tests.factories import ProductFactory
from tests.race import run_concurrently

from .factories import ship_all


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def delivered(make_order, **kwargs):
    order = make_order(**kwargs)
    services.create_invoice(order)
    services.create_shipment(order, ship_all(order))
    return Order.objects.get(pk=order.pk)


def acknowledgements():
    return OutboxEmail.objects.filter(template="order_withdrawal_received").count()


def confirm_data(order, **overrides):
    return {
        "name": "Erika Mustermann",
        "email": order.email,
        "order_number": order.number,
        "items_text": "",
        "reason": "",
        "confirm": "",
        **overrides,
    }


@pytest.mark.django_db
def test_confirming_the_same_withdrawal_twice_records_one_statement_and_one_acknowledgement(
    client, make_order
):
    order = delivered(make_order)
    first = client.post(reverse("orders:withdraw"), confirm_data(order))
    second = client.post(reverse("orders:withdraw"), confirm_data(order))
    assert first.status_code == second.status_code == 302
    withdrawal = Withdrawal.objects.get()
    assert acknowledgements() == 1
    assert order.comments.filter(text__startswith="Withdrawal statement received").count() == 1
    # The second click shows the same confirmation.
    done = client.get(reverse("orders:withdraw_done"))
    assert done.context["withdrawal"] == withdrawal


@pytest.mark.django_db
def test_a_repeated_statement_is_the_same_one_while_it_is_unprocessed_and_for_a_short_time(
    make_order,
):
    lamp = ProductFactory(name="Lamp", price=Decimal("30.00"))
    mug = ProductFactory(name="Mug", price=Decimal("8.00"))
    order = delivered(make_order, items={lamp.pk: 2, mug.pk: 1})
    lamp_line = order.lines.get(product=lamp)
    mug_line = order.lines.get(product=mug)

    def declare(**kwargs):
        values = {"name": "Erika", "email": order.email, "order_number": order.number}
        return services.record_withdrawal(**{**values, **kwargs})

    first = declare(items={lamp_line.pk: 1})
    # The same units, hours later, while the first is unprocessed: the same statement; the
    # e-mail address in other letters is the same person.
    Withdrawal.objects.filter(pk=first.pk).update(received_at=timezone.now() - timedelta(hours=5))
    assert declare(items={lamp_line.pk: 1}, email=order.email.upper()) == first
    assert acknowledgements() == 1

    # Other units, or another person: statements of their own.
    other_units = declare(items={lamp_line.pk: 1, mug_line.pk: 1})
    other_person = declare(items={lamp_line.pk: 1}, name="Max")
    assert len({first.pk, other_units.pk, other_person.pk}) == 3
    assert acknowledgements() == 3

    # Processed and long ago: the customer declares the same units again — recorded.
    services.mark_processed(first)
    assert declare(items={lamp_line.pk: 1}) != first
    assert Withdrawal.objects.count() == 4


@pytest.mark.django_db
def test_a_repeated_statement_naming_no_known_order_is_recorded_once(make_order):
    def declare():
        return services.record_withdrawal(
            name="Erika", email="nobody@example.com", order_number="999999", items_text="Lamp"
        )

    assert declare() == declare()
    assert Withdrawal.objects.get().order is None


@pytest.mark.django_db(transaction=True)
def test_the_same_withdrawal_three_times_at_once_records_one_statement(make_order):
    order = delivered(make_order)

    def declare(i):
        return services.record_withdrawal(
            name="Erika Mustermann",
            email=order.email,
            order_number=order.number,
            order=Order.objects.get(pk=order.pk),
        )

    outcomes = run_concurrently(declare, 3)
    assert all(isinstance(outcome, Withdrawal) for outcome in outcomes), outcomes
    assert len({outcome.pk for outcome in outcomes}) == 1
    assert Withdrawal.objects.count() == 1
    assert acknowledgements() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_statement_for_no_known_order_three_times_at_once_is_recorded_once():
    def declare(i):
        return services.record_withdrawal(
            name="Erika", email="nobody@example.com", order_number="999999"
        )

    outcomes = run_concurrently(declare, 3)
    assert all(isinstance(outcome, Withdrawal) for outcome in outcomes), outcomes
    assert Withdrawal.objects.count() == 1
