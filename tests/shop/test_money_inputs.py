"""Every money input has a sane maximum and at most two decimals (issue 18, point 6): one
definition in ``shop.money``, used by the forms, the model fields and the commands."""

import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from giftcards import services as giftcard_services
from giftcards.models import CreditAccount, GiftCard
from shop.models import Product
from shop.money import MAX_AMOUNT, MoneyError, MoneyField, money_option, parse_money
from tests.factories import ProductFactory, UserFactory
from tests.formtokens import fresh
from vouchers.models import Campaign

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "value, expected",
    [
        ("25", "25.00"),
        ("25.5", "25.50"),
        (" 0.01 ", "0.01"),
        ("-5.00", "-5.00"),
        ("12,50", "12.50"),  # a decimal comma, as German, Polish and Danish staff type it
        ("-5,00", "-5.00"),
        (" 0,5 ", "0.50"),
    ],
)
def test_parse_money_accepts_amounts(value, expected):
    assert parse_money(value) == Decimal(expected)


def test_parse_money_takes_a_computed_amount_with_trailing_zeros():
    assert parse_money(Decimal("24.900")) == Decimal("24.90")  # not typed: no ambiguity


@pytest.mark.parametrize(
    "value, message",
    [
        ("10.005", "at most two decimal places"),
        ("0.001", "at most two decimal places"),
        ("123456789", "at most €1,000,000.00"),
        ("1e12", "is not an amount"),
        ("-60000000", "at most €1,000,000.00"),
        ("NaN", "is not an amount"),
        ("Infinity", "is not an amount"),
        ("1.234,50", "is not an amount"),  # grouped: refused, never guessed
        ("1,234.50", "is not an amount"),
        ("1,2,3", "is not an amount"),
        ("1.500", "at most two decimal places"),  # not read as 1.50
        ("1,500", "at most two decimal places"),
        ("", "is not an amount"),
        # What Python's Decimal() reads but nobody types as an amount (issue found by an
        # operator: a gift card of "1_000" was issued as 1,000.00).
        ("1e3", "is not an amount"),
        ("1_000", "is not an amount"),
        ("1_000,50", "is not an amount"),
        ("\u0665", "is not an amount"),  # Arabic-Indic five
        ("\uff15", "is not an amount"),  # full-width five
        ("5\u00a0000", "is not an amount"),
    ],
)
def test_parse_money_refuses_what_is_not_a_plain_amount(value, message):
    with pytest.raises(MoneyError, match=message):
        parse_money(value)


def test_money_field_refuses_too_many_decimals_and_too_much():
    field = MoneyField()
    assert field.clean("1000000.00") == MAX_AMOUNT
    for value in ("1000000.01", "60000000", "10.005", "-1"):
        with pytest.raises(Exception):  # noqa: B017 - ValidationError with the field's message
            field.clean(value)


def test_money_option_is_a_one_line_command_error():
    assert money_option("12.50", "--amount") == Decimal("12.50")
    with pytest.raises(CommandError) as excinfo:
        money_option("123456789", "--amount")
    assert str(excinfo.value) == "--amount: The amount can be at most €1,000,000.00."


def test_model_money_fields_refuse_too_much_in_the_backoffice(admin_client):
    product = ProductFactory()
    url = reverse("admin:shop_product_change", args=[product.pk])
    response = admin_client.post(
        url,
        {
            "category": product.category_id,
            "name": product.name,
            "slug": product.slug,
            "sku": product.sku,
            "price": "60000000.00",
            "tax_rate": "19.00",
            "image_color": "#8fb3c9",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "less than or equal to €1,000,000.00" in response.content.decode()
    assert Product.objects.get(pk=product.pk).price == Decimal("10.00")


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


@pytest.mark.parametrize(
    "args",
    [
        ["--amount", "123456789"],
        ["--percent", "10", "--min-order", "1e12"],
        ["--amount", "5.555"],
    ],
)
def test_generate_codes_overflow_is_a_one_line_error_with_exit_code_1(args):
    result = _run("generate_codes", "--name", "Overflow", "--count", "1", *args)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "--amount" in result.stderr or "--min-order" in result.stderr
    assert not Campaign.objects.exists()


def test_issue_giftcards_into_an_unwritable_file_issues_nothing():
    result = _run("issue_giftcards", "--amount", "10", "-o", "/nonexistent/dir/x.csv")
    assert result.returncode == 1
    assert "No card was issued" in result.stderr and "Traceback" not in result.stderr
    assert not GiftCard.objects.exists()


def test_issue_giftcards_never_rounds_an_amount():
    with pytest.raises(CommandError, match="two decimal places"):
        call_command("issue_giftcards", "--amount", "10.005")
    assert not GiftCard.objects.exists()


@pytest.fixture
def account(customer):
    return giftcard_services.account_for(customer)


def test_a_credit_adjustment_of_sixty_million_is_refused_by_the_form(admin_client, account):
    url = reverse("admin:giftcards_creditaccount_adjust", args=[account.pk])
    response = admin_client.post(url, fresh({"amount": "60000000", "reason": "typo"}))
    assert response.status_code == 200
    assert "less than or equal to €1,000,000.00" in response.content.decode()
    account.refresh_from_db()
    assert account.balance == 0


def test_adjustments_that_would_pass_the_maximum_are_a_clear_error(admin_client, account):
    url = reverse("admin:giftcards_creditaccount_adjust", args=[account.pk])
    assert admin_client.post(url, fresh({"amount": "999999.00", "reason": "a"})).status_code == 302
    response = admin_client.post(url, fresh({"amount": "999999.00", "reason": "b"}))
    assert response.status_code == 200  # the form with the message, not a 500
    assert "A balance can be at most €1,000,000.00." in response.content.decode()
    assert CreditAccount.objects.get(pk=account.pk).balance == Decimal("999999.00")


def test_the_adjust_service_never_rounds(account):
    staff = UserFactory(is_staff=True, is_superuser=True)
    with pytest.raises(giftcard_services.GiftCardError, match="two decimal places"):
        giftcard_services.adjust_account(account, "10.005", "rounding", staff)


@pytest.mark.parametrize(
    "language, shown", [("de", "34,90"), ("pl", "34,90"), ("da", "34,90"), ("en", "34.90")]
)
def test_backoffice_amounts_are_shown_and_read_in_the_staff_members_language(
    client, language, shown
):
    from django.utils import translation

    from tests.factories import StaffFactory

    product = ProductFactory(price=Decimal("34.90"))
    client.force_login(StaffFactory(is_superuser=True, language=language))
    url = reverse("admin:shop_product_change", args=[product.pk])
    page = client.get(url).content.decode()
    assert f'name="price" value="{shown}"' in page and 'inputmode="decimal"' in page
    from tests.shop.test_product_images import change_form

    data = {
        **change_form(product),
        "images-TOTAL_FORMS": "0",
        "tax_rate": shown.replace("34", "19").replace("90", "00"),
    }
    for typed, stored in [("12,50", "12.50"), ("13.75", "13.75")]:
        response = client.post(url, {**data, "price": typed})
        errors = response.context["adminform"].form.errors if response.status_code == 200 else None
        assert response.status_code == 302, errors
        assert Product.objects.get(pk=product.pk).price == Decimal(stored)
    response = client.post(url, {**data, "price": "1.500"})  # grouped thousands: refused
    assert response.status_code == 200
    assert Product.objects.get(pk=product.pk).price == Decimal("13.75")
    with translation.override(language):
        assert MoneyField().clean("7,25") == Decimal("7.25") == MoneyField().clean("7.25")


@pytest.mark.parametrize(
    "language, minimum, maximum",
    [
        ("de", "0,00\xa0€", "1.000.000,00\xa0€"),
        ("pl", "0,00\xa0€", "1\xa0000\xa0000,00\xa0€"),
        ("da", "0,00\xa0€", "1.000.000,00\xa0€"),
        ("en", "€0.00", "€1,000,000.00"),
    ],
)
def test_a_limit_is_said_as_the_reader_writes_an_amount(language, minimum, maximum):
    """Django's validators wrote their limit with str(): "größer oder gleich 0.00" on a German
    page, "1000000.00" for the maximum. Forms and model fields say it as an amount."""
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from shop.money import LocalDecimalField

    with translation.override(language):
        for value, limit in (("-1", minimum), ("2000000", maximum)):
            with pytest.raises(ValidationError) as form_error:
                MoneyField().clean(value)
            assert limit in form_error.value.messages[0]
        product = ProductFactory.build(price=Decimal("-1"))
        with pytest.raises(ValidationError) as model_error:
            product.full_clean(exclude=["category", "slug", "sku"])
        assert minimum in model_error.value.message_dict["price"][0]
        with pytest.raises(ValidationError) as number_error:
            LocalDecimalField(max_value=Decimal("1000")).clean("5000")
        assert ("1.000" if language in ("de", "da") else "1") in number_error.value.messages[0]


@pytest.mark.parametrize(
    "typed, message",
    [
        ("0,001", "Ensure that there are no more than 2 decimal places."),
        ("0", "Ensure this value is greater than or equal to €0.01."),
        ("10000,001", "Ensure that there are no more than 2 decimal places."),
    ],
)
def test_an_amount_gets_one_message_not_two_overlapping_ones(typed, message):
    from giftcards.forms import IssueCardsForm

    form = IssueCardsForm(fresh({"amount": typed, "count": "1"}))
    assert not form.is_valid()
    assert form.errors["amount"] == [message]
