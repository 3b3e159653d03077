import csv
import io
import subprocess
import sys
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from giftcards import services
from giftcards.models import GiftCard

pytestmark = pytest.mark.django_db


def test_issue_giftcards_prints_csv(capsys):
    call_command("issue_giftcards", "--amount", "15", "--count", "3")
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["number", "value", "currency", "valid_until"]
    numbers = [r[0].replace(" ", "") for r in rows[1:]]
    assert len(numbers) == 3 and all(services.is_valid_number(n) for n in numbers)
    assert GiftCard.objects.filter(number__in=numbers, balance=Decimal("15.00")).count() == 3


def test_issue_giftcards_writes_file(tmp_path, capsys):
    target = tmp_path / "cards.csv"
    call_command(
        "issue_giftcards", "--amount", "20.00", "-o", str(target), "--valid-until", "2099-01-31"
    )
    assert "Issued 1 gift card(s)" in capsys.readouterr().out
    rows = list(csv.reader(target.open()))
    assert rows[1][1:] == ["20.00", "EUR", "2099-01-31"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--amount", "abc"], "not an amount"),
        (["--amount", "10.005"], "at most two decimal places"),
        (["--amount", "123456789"], "at most €1,000,000.00"),
        (["--amount", "-1"], "greater than zero"),
        (["--amount", "10", "--count", "0"], "between 1 and"),
        (["--amount", "10", "--valid-until", "31.12.2099"], "YYYY-MM-DD"),
    ],
)
def test_issue_giftcards_bad_input(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("issue_giftcards", *args)
    assert GiftCard.objects.count() == 0


def test_giftcard_balance_prints_state_and_ledger(make_card, make_order, capsys):
    card = make_card("50.00")
    order = make_order(giftcard_number=card.number)
    call_command("giftcard_balance", *card.display_number.split())
    out = capsys.readouterr().out
    assert card.display_number in out and "Available" in out and "25.10 EUR" in out
    assert "Issued" in out and "Spent on order" in out and order.number in out


def test_giftcard_balance_bad_number_exits_1_without_traceback():
    payload = "123456789012345"
    typo = payload + str((int(services.luhn_check_digit(payload)) + 1) % 10)
    # A typo is caught before any database access, so this runs outside the test database.
    result = subprocess.run(
        [sys.executable, "manage.py", "giftcard_balance", typo],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "typo" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""
