""" "Delete my account" says up front that gift-card credit refuses the deletion.

The erasure is refused while the customer's credit account holds credit, or would after
canceling the unpaid orders it cancels first (``giftcards.erasure``). The page said nothing
of it: the customer typed the password and only then read the refusal. Now the page names
the amount, what canceling which unpaid order gives back, and what to do — in the words of
the refusal — and says nothing for an account without credit.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from customers.models import User
from giftcards import services as giftcard_services
from giftcards.models import CreditAccount
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("customers:delete_account")
RULE = "We cannot delete your account while it holds gift-card credit."
NBSP = "\xa0"


@pytest.fixture
def mads(client):
    mads = UserFactory(email="mads@example.dk", first_name="Mads", last_name="Sørensen")
    client.force_login(mads)
    return mads


def give_credit(customer, amount):
    card = giftcard_services.issue_cards(Decimal(amount))[0]
    _card, account, _amount = giftcard_services.redeem_to_account(card.number, customer)
    return account


def notes(client):
    page = client.get(URL, follow=True).content.decode()
    return page.split('<div id="deletion-notes">', 1)[1].split("</div>", 1)[0]


def test_the_page_names_the_credit_and_what_to_do_before_the_password(client, mads):
    give_credit(mads, "25.00")

    page = client.get(URL).content.decode()
    shown = notes(client)

    assert RULE in shown
    assert (
        "Your account still has €25.00 gift-card credit. Please use it or contact us to have "
        "it paid out before deleting your account." in shown
    )
    assert page.index(RULE) < page.index('name="password"')  # said before the form


def test_the_note_says_what_the_refusal_says(client, mads):
    """Page and refusal agree: following the page, the customer meets no new condition."""
    give_credit(mads, "25.00")
    shown = notes(client)

    refused = client.post(URL, {"password": "secret-pass-123", "confirm": "on"})

    assert refused.status_code == 200
    [error] = refused.context["form"].non_field_errors()
    assert error in shown
    assert User.objects.filter(pk=mads.pk).exists()
    assert CreditAccount.objects.get(customer=mads).balance == Decimal("25.00")


def test_no_note_without_credit(client, mads):
    account = give_credit(mads, "25.00")
    giftcard_services.adjust_account(
        account, Decimal("-25.00"), "Paid out", StaffFactory(is_superuser=True)
    )

    shown = notes(client)

    assert "gift-card credit" not in shown
    assert RULE not in client.get(URL).content.decode()


def test_no_note_for_a_customer_who_never_had_credit(client, mads):
    assert "gift-card credit" not in client.get(URL).content.decode()


def test_credit_an_unpaid_order_gives_back_is_named_with_the_order(
    client, mads, make_order, invoice_payment, product
):
    """Nothing on the account, but canceling the unpaid order (which the deletion does
    first) gives credit back: the deletion is refused, so the page says so."""
    give_credit(mads, "30.00")
    unpaid = make_order(
        {product.pk: 4}, customer=mads, payment_method_id=invoice_payment.pk, use_credit=True
    )
    assert CreditAccount.objects.get(customer=mads).balance == 0

    shown = notes(client)

    assert RULE in shown
    assert (
        f"Your account has €0.00 gift-card credit, and canceling your unpaid order "
        f"{unpaid.number} gives €30.00 back to it. Please contact us to have the credit paid "
        "out before deleting your account." in shown
    )


def test_the_amount_is_written_in_the_page_language(client, mads):
    give_credit(mads, "25.00")
    client.post(reverse("set_language"), {"language": "de", "next": "/"})

    shown = notes(client)

    assert f"25,00{NBSP}€" in shown and "€25.00" not in shown
