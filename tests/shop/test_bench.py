"""`manage.py bench --quick` runs end to end and leaves the data as it found it.

Figures are not asserted (timings belong to the bench, not to tests); the table's rows,
the throughput run's single-use code and the clean-up are.
"""

from io import StringIO

import pytest
from django.core.management import call_command

from orders.models import Order
from shop.models import OutboxEmail
from vouchers.models import Campaign, Code

pytestmark = pytest.mark.django_db(transaction=True)


def test_quick_bench_prints_every_row_and_leaves_the_data_unchanged():
    call_command("seed_demo", "--no-mail", stdout=StringIO())
    before = (
        Order.objects.count(),
        OutboxEmail.objects.count(),
        Campaign.objects.count(),
        Code.objects.count(),
    )
    assert before[1] == 0  # seed_demo --no-mail queues none of the history's e-mails
    out = StringIO()
    call_command("bench", "--quick", stdout=out)
    table = out.getvalue()
    for row in (
        "Orders search (name)",
        "Customers search (name)",
        "Personal-data search (name)",
        "Storefront checkout page",
        "Generate 100,000 codes",
        "Assign codes to 10,000 customers",
        "Invoice PDF",
        "Checkout throughput (32 clients)",
    ):
        assert row in table
    assert "HTTP " not in table and "page missing" not in table and "errors" not in table
    assert "code used 1×" in table
    after = (
        Order.objects.count(),
        OutboxEmail.objects.count(),
        Campaign.objects.count(),
        Code.objects.count(),
    )
    assert after == before
