"""The e-mail of `assign_codes --notify`: in each customer's language, the minimum order value
as money (amount and currency as that language writes them) and the link to the shop's home
page in that language — whatever language the operator runs the command in."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from shop.mail import written
from shop.models import OutboxEmail
from shop.money import format_money
from tests.factories import ProductFactory, UserFactory

from .factories import CampaignFactory, CodeFactory

pytestmark = pytest.mark.django_db

SENTENCE = {
    "en": "Valid from a goods value of {min}.",
    "de": "Gültig ab einem Warenwert von {min}.",
    "pl": "Obowiązuje przy zakupach za co najmniej {min}.",
    "da": "Gælder ved køb for mindst {min}.",
}
HOME = {"en": "/", "de": "/de/", "pl": "/pl/", "da": "/da/"}


@pytest.fixture
def mails(make_order):
    """One customer per language, each with an order; the codes assigned by the command run
    in German (an operator's language), with --notify."""
    product = ProductFactory(price=Decimal("30.00"))
    for language in HOME:
        customer = UserFactory(email=f"{language}@example.com", language=language)
        make_order({product.pk: 1}, customer=customer)
    campaign = CampaignFactory(name="Thank you", kind="assigned", min_order_value=Decimal("25.00"))
    for i in range(len(HOME)):
        CodeFactory(campaign=campaign, text=f"THANKS{i}")
    with translation.override("de"):
        call_command("assign_codes", "Thank you", "--min-orders", "1", "--notify")
    found = {
        mail.to[0].split("@")[0]: written(mail)
        for mail in OutboxEmail.objects.filter(template="voucher_assigned")
    }
    assert set(found) == set(HOME)
    return found


@pytest.mark.parametrize("language", list(HOME))
def test_minimum_order_value_is_written_as_money(mails, language):
    mail = mails[language]
    amount = format_money(Decimal("25.00"), settings.SHOP_CURRENCY, language)
    assert settings.SHOP_CURRENCY != "EUR" or "€" in amount  # the amount carries its currency
    sentence = SENTENCE[language].format(min=amount)
    assert sentence in mail.body_text
    assert sentence in mail.body_html


@pytest.mark.parametrize("language", list(HOME))
def test_shop_link_opens_the_home_page_in_the_customers_language(mails, language):
    mail = mails[language]
    home = settings.SITE_URL + HOME[language]
    assert mail.body_text.rstrip().splitlines()[-1] == home
    assert f'href="{home}"' in mail.body_html
    if language != "en":
        assert f"{settings.SITE_URL}/\n" not in mail.body_text + "\n"
        assert f'href="{settings.SITE_URL}/"' not in mail.body_html
