"""A gift card the person bought and gave away is theirs in their report; the account it was
redeemed into, and that account's ledger entry, are the recipient's (an audit: Erika's
export and her own download named Bob's customer number and listed his credit entry)."""

import json
from decimal import Decimal

import pytest

from giftcards import services
from giftcards.models import GiftCard
from privacy import subjects
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def report_text(user):
    person = subjects.resolve(f"customer:{user.pk}")
    return json.dumps(subjects.as_json(subjects.build(person)), ensure_ascii=False)


def test_the_buyers_report_holds_the_card_not_the_recipients_account(erika, make_order):
    order = make_order(customer=erika, email=erika.email)
    card = services.issue_cards(Decimal("25.00"), 1)[0]
    GiftCard.objects.filter(pk=card.pk).update(issued_by_order=order)
    bob = UserFactory(email="bob.recipient@example.com", first_name="Bob", last_name="Empf")
    _card, account, _amount = services.redeem_to_account(card.number, bob)
    erikas = report_text(erika)
    assert card.masked_number in erikas  # her card
    assert bob.customer_number not in erikas and account.customer_number not in erikas
    bobs = report_text(bob)
    assert account.customer_number in bobs  # his account and its entries are in his
    assert order.number not in bobs  # but not the order she bought the card with
