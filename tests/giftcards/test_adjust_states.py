"""Manual balance adjustments only on cards whose balance is theirs: never on an expired card
(the daily expiry would write the amount off again) nor on a card redeemed into a customer's
credit account (its money lives in the account; a top-up would make the card spendable by
anyone who has the number)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape

from giftcards import services
from giftcards.models import CardState, CreditAccount, GiftCard
from tests.factories import RoleUserFactory
from tests.formtokens import fresh

from .helpers import assert_all_ledgers_match

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def payments():
    return RoleUserFactory(role="Payments")


@pytest.fixture
def expired_card(make_card):
    """A card whose last day has passed and whose rest the daily run has written off."""
    card = make_card("20.00")
    GiftCard.objects.filter(pk=card.pk).update(valid_until=timezone.localdate() - timedelta(3))
    assert services.expire_cards() == 1
    card.refresh_from_db()
    assert (card.state, card.balance) == (CardState.EXPIRED, D("0.00"))
    return card


@pytest.fixture
def redeemed_card(make_card, customer):
    card, account, _amount = services.redeem_to_account(make_card("30.00").number, customer)
    card.refresh_from_db()
    assert card.state == CardState.REDEEMED
    return card


def test_expired_card_cannot_be_adjusted(expired_card, payments):
    with pytest.raises(services.GiftCardError) as exc:
        services.adjust_card(expired_card, D("1.00"), "Goodwill", payments)
    day = date_format(expired_card.valid_until, "SHORT_DATE_FORMAT")
    assert f"expired on {day}" in exc.value.message
    assert "issue a new gift card" in exc.value.message
    assert exc.value.field is None  # about the card, not about a typed field
    expired_card.refresh_from_db()
    assert expired_card.balance == 0 and expired_card.state == CardState.EXPIRED
    assert not expired_card.ledger.filter(kind="adjust").exists()
    assert services.expire_cards() == 0  # nothing to write off a second time
    assert_all_ledgers_match()


def test_expired_card_with_a_rest_not_yet_written_off_cannot_be_adjusted(make_card, payments):
    card = make_card("20.00")
    GiftCard.objects.filter(pk=card.pk).update(valid_until=timezone.localdate() - timedelta(1))
    for amount in (D("1.00"), D("-5.00")):
        with pytest.raises(services.GiftCardError):
            services.adjust_card(card, amount, "Correction", payments)
    card.refresh_from_db()
    assert card.balance == D("20.00") and card.ledger.count() == 1


def test_redeemed_card_cannot_be_adjusted_the_credit_account_can(redeemed_card, payments):
    account = CreditAccount.objects.get(pk=redeemed_card.redeemed_to_id)
    with pytest.raises(services.GiftCardError) as exc:
        services.adjust_card(redeemed_card, D("1.00"), "Goodwill", payments)
    assert account.customer_number in exc.value.message
    assert "Adjust that credit account instead" in exc.value.message
    redeemed_card.refresh_from_db()
    assert redeemed_card.balance == 0 and redeemed_card.state == CardState.REDEEMED
    with pytest.raises(services.GiftCardError):  # still nobody can pay with the number
        services.assert_usable(redeemed_card)

    services.adjust_account(account, D("1.00"), "Goodwill", payments)
    account.refresh_from_db()
    assert account.balance == D("31.00")
    assert_all_ledgers_match()


def test_used_card_can_still_be_topped_up(make_card, make_order, payments):
    card = make_card("10.00")
    make_order(giftcard_number=card.number)  # the order costs more: the card pays 10.00
    card.refresh_from_db()
    assert card.state == CardState.USED
    services.adjust_card(card, D("2.00"), "Goodwill", payments)
    card.refresh_from_db()
    assert (card.state, card.balance) == (CardState.AVAILABLE, D("2.00"))


def test_backoffice_shows_why_an_expired_card_is_not_adjusted(client, expired_card, payments):
    client.force_login(payments)
    url = reverse("admin:giftcards_giftcard_adjust", args=[expired_card.pk])
    page = client.get(url).content.decode()
    day = date_format(expired_card.valid_until, "SHORT_DATE_FORMAT")
    assert f"This card expired on {day}; its balance cannot be adjusted." in page
    response = client.post(url, fresh({"amount": "1,00", "reason": "Goodwill"}))
    assert response.status_code == 200  # the form again, with the refusal
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1 and f"expired on {day}" in errors[0]
    assert escape(errors[0]) in response.content.decode()
    assert not expired_card.ledger.filter(kind="adjust").exists()


def test_backoffice_sends_a_redeemed_cards_adjustment_to_the_credit_account(
    client, redeemed_card, payments
):
    client.force_login(payments)
    url = reverse("admin:giftcards_giftcard_adjust", args=[redeemed_card.pk])
    account_url = reverse(
        "admin:giftcards_creditaccount_adjust", args=[redeemed_card.redeemed_to_id]
    )
    assert f'href="{account_url}"' in client.get(url).content.decode()
    response = client.post(url, fresh({"amount": "1.00", "reason": "Goodwill"}))
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1 and "Adjust that credit account instead" in errors[0]
    redeemed_card.refresh_from_db()
    assert redeemed_card.balance == 0 and not redeemed_card.ledger.filter(kind="adjust").exists()
