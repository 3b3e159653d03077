"""Every CSV export neutralises spreadsheet formula injection (SPEC S16).

Each export is exercised end to end through its backoffice view or ops command with cell
values starting with ``=``, ``+``, ``-``, ``@``, tab and CR: such a cell must come out with a
leading apostrophe, and no cell of the file may start with one of those characters.
"""

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from shop.exports import DANGEROUS_PREFIXES
from tests.factories import UserFactory
from tests.formtokens import fresh
from tests.vouchers.factories import CampaignFactory, CodeFactory
from vouchers.models import Code

pytestmark = pytest.mark.django_db

DANGEROUS = ['=HYPERLINK("HTTP://EVIL")', "+1+2", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


def cells(text):
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def assert_neutralised(text, values):
    found = cells(text)
    assert found, "empty export"
    for value in values:
        assert "'" + value in found, f"{value!r} not exported as a neutralised cell"
    offending = [c for c in found if c.startswith(DANGEROUS_PREFIXES)]
    assert offending == []


def read(path):
    return path.read_bytes().decode("utf-8")  # no newline translation: CR inside cells stays


def body(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    return b"".join(
        response.streaming_content if response.streaming else [response.content]
    ).decode()


@pytest.fixture
def malicious_customers(make_order):
    """Customers whose names and e-mails would run as formulas, each with one order."""
    users = []
    for i, value in enumerate(DANGEROUS):
        user = UserFactory(
            first_name=value, last_name=f"Last{i}", email=f"{'=+-'[i % 3]}u{i}@example.com"
        )
        make_order(customer=user, email=user.email)
        users.append(user)
    return users


@pytest.fixture
def campaign_with_dangerous_codes(make_order):
    campaign = CampaignFactory(name="Formula", kind="assigned")
    holder = UserFactory(email="=cmd|' /C calc'!A0@example.com")
    for value in DANGEROUS:
        CodeFactory(campaign=campaign, text=value)
    Code.objects.filter(campaign=campaign, text=DANGEROUS[0]).update(assigned_to=holder)
    return campaign, holder


def test_campaign_code_download_in_backoffice(admin_client, campaign_with_dangerous_codes):
    campaign, holder = campaign_with_dangerous_codes
    url = reverse("admin:vouchers_campaign_download", args=[campaign.pk])
    text = body(admin_client.get(url))
    assert_neutralised(text, [*DANGEROUS, holder.email])


def test_export_codes_command_stdout_and_file(tmp_path, campaign_with_dangerous_codes):
    campaign, holder = campaign_with_dangerous_codes
    out = io.StringIO()
    call_command("export_codes", campaign.name, stdout=out)
    assert_neutralised(out.getvalue(), [*DANGEROUS, holder.email])
    target = tmp_path / "codes.csv"
    call_command("export_codes", campaign.name, "-o", str(target), stderr=io.StringIO())
    assert_neutralised(read(target), [*DANGEROUS, holder.email])


def test_codes_generated_from_a_mask_starting_with_minus_are_exported_safely(tmp_path):
    # "-" is a legal literal in a mask, so a real campaign can hold codes like "-1000".
    call_command(
        "generate_codes",
        "--name",
        "Minus",
        "--count",
        "3",
        "--mask=-<NUM:1000>",
        "--percent",
        "5",
        stdout=io.StringIO(),
    )
    out = io.StringIO()
    call_command("export_codes", "Minus", stdout=out)
    assert_neutralised(out.getvalue(), ["-1000", "-1001", "-1002"])


def test_assign_save_csv_in_backoffice(admin_client, malicious_customers):
    campaign = CampaignFactory(kind="assigned")
    response = admin_client.post(
        reverse("admin:vouchers_campaign_assign"),
        {"campaign": campaign.pk, "min_orders": 1, "save_csv": "1"},
    )
    text = body(response)
    assert_neutralised(
        text, [*DANGEROUS, *(u.email for u in malicious_customers if u.email[0] in "=+-")]
    )
    # Save CSV only exports: nothing was assigned.
    assert not Code.objects.filter(assigned_to__isnull=False).exists()


def test_assign_codes_command_emails_csv(tmp_path, malicious_customers):
    campaign = CampaignFactory(name="Assign me", kind="assigned")
    for i in range(len(malicious_customers)):
        CodeFactory(campaign=campaign, text=f"ASSIGN{i:03d}")
    target = tmp_path / "emails.csv"
    out = io.StringIO()
    call_command(
        "assign_codes", "Assign me", "--min-orders", "1", "--emails-csv", str(target), stdout=out
    )
    assert out.getvalue().strip() == str(len(malicious_customers))
    assert_neutralised(read(target), [u.email for u in malicious_customers])


@pytest.fixture
def formula_currency(settings):
    # Gift-card exports hold only generated values; a hostile currency setting proves the
    # cells still pass through the neutraliser.
    settings.SHOP_CURRENCY = "=1+"
    return settings.SHOP_CURRENCY


def test_giftcard_bulk_issue_csv_in_backoffice(admin_client, formula_currency):
    response = admin_client.post(
        reverse("admin:giftcards_giftcard_issue"),
        fresh({"amount": "25.00", "count": "3", "valid_until": "", "reason": "=cmd"}),
    )
    # The numbers download from the batch's page the form leads to.
    text = body(admin_client.get(response["Location"] + "csv/"))
    assert_neutralised(text, [formula_currency, "=cmd"])
    assert cells(text).count("'" + formula_currency) == 3


def test_issue_giftcards_command_csv(tmp_path, formula_currency):
    out = io.StringIO()
    call_command("issue_giftcards", "--amount", "10", "--count", "2", stdout=out)
    assert_neutralised(out.getvalue(), [formula_currency])
    target = tmp_path / "cards.csv"
    call_command(
        "issue_giftcards", "--amount", "10", "--count", "2", "-o", str(target), stdout=io.StringIO()
    )
    assert_neutralised(read(target), [formula_currency])
    assert Decimal("10.00") in [Decimal(c) for c in cells(read(target))[5::4]]
