"""generate_codes, export_codes, assign_codes exactly as SPEC S14."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tests.factories import UserFactory
from vouchers.models import Campaign, Code

pytestmark = pytest.mark.django_db

# A campaign cannot be created expired: its end is in the future whenever the test runs.


def next_year_end():
    return f"{timezone.localdate().year + 1}-12-31"


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_generate_codes_prints_the_count():
    valid_to = next_year_end()
    out, _ = run(
        "generate_codes",
        "--name",
        "Cmd",
        "--count",
        "100",
        "--mask",
        "A<NUM:1000>",
        "--kind",
        "multi",
        "--amount",
        "5",
        "--min-order",
        "20",
        "--valid-from",
        "2026-01-01",
        "--valid-to",
        valid_to,
    )
    assert out.strip() == "100"
    campaign = Campaign.objects.get(name="Cmd")
    assert (campaign.kind, campaign.discount_type, campaign.discount_value) == (
        "multi",
        "amount",
        Decimal("5.00"),
    )
    assert campaign.min_order_value == Decimal("20.00")
    assert str(campaign.valid_to) == valid_to


def test_generate_codes_free_shipping_without_mask():
    out, _ = run("generate_codes", "--name", "Ship", "--count", "3", "--free-shipping")
    assert out.strip() == "3"
    assert Campaign.objects.get(name="Ship").discount_type == "free_shipping"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--mask", "A<NUM:x>", "--percent", "10"], "whole number"),
        (["--percent", "120"], "more than 0 and at most 100"),
        (
            [
                "--mask",
                "<NUM:1>",
                "--percent",
                "10",
                "--valid-from",
                "2026-05-01",
                "--valid-to",
                "2026-04-01",
            ],
            "before",
        ),
        (
            ["--mask", "<NUM:1>", "--percent", "10", "--valid-to", "2020-12-31"],
            "in the past",
        ),
    ],
)
def test_generate_codes_user_mistakes(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate_codes", "--name", "Bad", "--count", "5", *args)
    assert not Campaign.objects.exists() and not Code.objects.exists()


def test_generate_codes_exit_code_1_and_no_traceback():
    """A real process: user mistakes give a message on stderr and exit code 1."""
    import os
    import subprocess
    import sys

    from django.db import connection

    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    for args, message in [
        (["--count", "2", "--mask", "<NUM:x>", "--percent", "5"], "whole number"),
        (["--count", "0", "--percent", "5"], "at least 1"),
    ]:
        result = subprocess.run(
            [sys.executable, "manage.py", "generate_codes", "--name", "X", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert result.returncode != 0
        assert message in result.stderr and "Traceback" not in result.stderr
    assert result.returncode in (1, 2)
    assert not Campaign.objects.exists()


def test_export_codes_to_stdout_and_file(tmp_path, customer):
    run("generate_codes", "--name", "Exp", "--count", "2", "--mask=-X00<NUM:1>", "--percent", "5")
    out, _ = run("export_codes", "exp")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["code", "active", "assigned customer", "order number", "used"]
    assert [r[0] for r in rows[1:]] == ["'-X001", "'-X002"]  # a code may start with "-"
    target = tmp_path / "codes.csv"
    run("export_codes", "Exp", "-o", str(target))
    assert target.read_text().splitlines()[0].startswith("code,active")
    with pytest.raises(CommandError, match="No campaign"):
        call_command("export_codes", "Missing")


def test_export_neutralises_formulas():
    campaign = Campaign.objects.create(
        name="Inj", kind="single", discount_type="percent", discount_value=5
    )
    Code.objects.create(campaign=campaign, text="-2+3")
    out, _ = run("export_codes", "Inj")
    assert list(csv.reader(io.StringIO(out)))[1][0] == "'-2+3"


def test_assign_codes_command(make_order, tmp_path):
    buyer = UserFactory(email="buyer@example.com")
    make_order(customer=buyer)
    run("generate_codes", "--name", "Gift", "--count", "3", "--kind", "assigned", "--percent", "5")
    target = tmp_path / "emails.csv"
    out, _ = run(
        "assign_codes", "Gift", "--min-orders", "1", "--notify", "--emails-csv", str(target)
    )
    assert out.strip() == "1"
    assert Code.objects.get(assigned_to=buyer).campaign.name == "Gift"
    assert "buyer@example.com" in target.read_text()


def test_assign_codes_mistakes_change_nothing(make_order, tmp_path):
    make_order(customer=UserFactory())
    make_order(customer=UserFactory())
    run("generate_codes", "--name", "Tiny", "--count", "1", "--kind", "assigned", "--percent", "5")
    with pytest.raises(CommandError, match="at least one criterion"):
        call_command("assign_codes", "Tiny")
    target = tmp_path / "e.csv"
    with pytest.raises(CommandError, match="only 1 free code:"):
        call_command("assign_codes", "Tiny", "--min-orders", "1", "--emails-csv", str(target))
    assert not target.exists()
    assert not Code.objects.filter(assigned_to__isnull=False).exists()
    with pytest.raises(CommandError, match="No campaign"):
        call_command("assign_codes", "Nope", "--min-orders", "1")
