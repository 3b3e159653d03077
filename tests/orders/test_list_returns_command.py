"""`manage.py list_returns --order NUMBER`: an order number that names no order is a one-line
error with a non-zero exit, not an empty list that looks like "this order has no returns"."""

import os
import subprocess
import sys
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from orders import services
from orders.models import Order
from tests.factories import ProductFactory

from .factories import ship_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(make_order):
    lamp = ProductFactory(name="Lamp", price=Decimal("30.00"), stock=5)
    order = make_order({lamp.pk: 2})
    services.create_invoice(order)
    services.create_shipment(order, ship_all(order))
    return Order.objects.get(pk=order.pk)


def _run(*args):
    """A real process against the test database: what an operator sees."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], capture_output=True, text=True, env=env, timeout=120
    )


@pytest.mark.parametrize("number", ["999999", "abc", "  ", ""])
def test_unknown_order_number_is_an_error(number):
    with pytest.raises(CommandError, match="--order"):
        call_command("list_returns", "--order", number, stdout=StringIO())


@pytest.mark.parametrize("number", ["999999", "abc"])
def test_unknown_order_number_is_a_one_line_error_with_exit_code_1(number):
    result = _run("list_returns", "--order", number)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert repr(number) in result.stderr
    assert "return(s)" not in result.stdout


def test_order_of_the_returns_lists_them(delivered):
    ret = services.create_return(delivered, {delivered.lines.get().pk: 1}, "defective")
    out = StringIO()
    call_command("list_returns", "--order", f" {delivered.number} ", stdout=out)
    assert ret.number in out.getvalue() and "1 return(s)" in out.getvalue()


def test_known_order_without_returns_lists_none(delivered, make_order):
    services.create_return(delivered, {delivered.lines.get().pk: 1}, "defective")
    other = make_order()
    out = StringIO()
    call_command("list_returns", "--order", other.number, "--all", stdout=out)
    assert "0 return(s)" in out.getvalue() and delivered.number not in out.getvalue()
