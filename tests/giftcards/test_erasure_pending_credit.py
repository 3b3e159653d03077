"""Erasing a customer whose unpaid pending order was partly paid with account credit.

The erasure cancels such orders first, which gives their credit back to the account; the
credit check then saw 80,00 € on an account that showed 5,00 €, and asked the operator to
set it to 0 — which the account refused. The check now runs before the erasure changes
anything and names both parts: the credit on the account and what canceling which order
gives back. The deletion page says so before the operator confirms. Credit is never
destroyed: the erasure is refused, all or nothing, until the operator has dealt with it.
"""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from customers import services
from customers.models import User
from giftcards import services as giftcard_services
from giftcards.models import CreditAccount, LedgerEntry
from giftcards.services import GiftCardError
from orders.models import Order
from orders.services import cancel_order
from tests.factories import StaffFactory, UserFactory, settle_open_business

pytestmark = pytest.mark.django_db

NBSP = "\xa0"


@pytest.fixture
def erika(db):
    return UserFactory(email="erika@mustermann-bau.de", first_name="Erika", last_name="Mustermann")


@pytest.fixture
def german_staff(db):
    return StaffFactory(is_superuser=True, language="de", first_name="Jonas", last_name="Berger")


@pytest.fixture
def make_unpaid(make_order, invoice_payment):
    """An order paid on invoice: pending and unpaid until the money arrives."""

    def make(items=None, **kwargs):
        return make_order(items, payment_method_id=invoice_payment.pk, **kwargs)

    return make


@pytest.fixture
def with_pending_credit(erika, make_unpaid, product, german_staff):
    """5,00 € on the account, 75,00 € of it spent on an unpaid pending order (84,90 €), and
    a second unpaid pending order paid with nothing."""
    card = giftcard_services.issue_cards(Decimal("75.00"))[0]
    _card, account, _amount = giftcard_services.redeem_to_account(card.number, erika)
    partly = make_unpaid({product.pk: 4}, customer=erika, email=erika.email, use_credit=True)
    assert partly.credit_total == Decimal("75.00")
    assert partly.payment_status == Order.PaymentStatus.UNPAID
    giftcard_services.adjust_account(account, Decimal("5.00"), "Goodwill", german_staff)
    unpaid = make_unpaid(customer=erika, email=erika.email)
    account.refresh_from_db()
    assert account.balance == Decimal("5.00")
    return {"account": account, "partly": partly, "unpaid": unpaid}


def assert_nothing_changed(erika, setup):
    """The refusal left everything as it was: the customer, both orders still pending, the
    account's balance and ledger."""
    assert User.objects.filter(pk=erika.pk).exists()
    statuses = set(
        Order.objects.filter(pk__in=[setup["partly"].pk, setup["unpaid"].pk]).values_list(
            "status", flat=True
        )
    )
    assert statuses == {Order.Status.PENDING}
    account = CreditAccount.objects.get(pk=setup["account"].pk)
    assert account.customer_id == erika.pk
    assert account.balance == Decimal("5.00") == giftcard_services.ledger_sum(account)


def test_refusal_names_the_credit_and_what_canceling_the_order_gives_back(
    erika, with_pending_credit, german_staff
):
    setup = with_pending_credit
    number, order = setup["account"].customer_number, setup["partly"].number

    with pytest.raises(GiftCardError) as refused:
        services.delete_customer(erika, by=german_staff)

    assert refused.value.message == (
        f"Customer {number} has €5.00 gift-card credit, and canceling the unpaid order "
        f"{order} gives €75.00 back to it: cancel the order, then pay out the credit or "
        "adjust it to 0."
    )
    assert setup["unpaid"].number not in refused.value.message  # it gives nothing back
    assert_nothing_changed(erika, setup)


def test_refusal_writes_the_amounts_in_the_operators_language(
    erika, with_pending_credit, german_staff
):
    with translation.override("de"), pytest.raises(GiftCardError) as refused:
        services.delete_customer(erika, by=german_staff)
    message = refused.value.message
    assert f"5,00{NBSP}€" in message and f"75,00{NBSP}€" in message
    assert "80,00" not in message  # not the sum the operator cannot find on the account
    assert with_pending_credit["partly"].number in message


def test_following_the_refusal_leads_to_the_erasure_and_no_credit_is_lost(
    erika, with_pending_credit, german_staff
):
    setup = with_pending_credit
    account = setup["account"]
    with pytest.raises(GiftCardError):
        services.delete_customer(erika, by=german_staff)

    cancel_order(setup["partly"], user=german_staff)  # "cancel the order"
    account.refresh_from_db()
    assert account.balance == Decimal("80.00")
    with pytest.raises(GiftCardError) as refused:
        services.delete_customer(erika, by=german_staff)
    assert refused.value.message == (
        f"Customer {account.customer_number} has €80.00 gift-card credit; "
        "pay it out or adjust it to 0 first."
    )
    # "then pay out the credit or adjust it to 0": the account takes exactly that.
    giftcard_services.adjust_account(
        account, Decimal("-80.00"), "Paid out by bank transfer", german_staff
    )

    summary = services.delete_customer(erika, by=german_staff)

    assert summary["orders_canceled"] == 1  # the other unpaid order
    assert not User.objects.filter(pk=erika.pk).exists()
    account.refresh_from_db()
    assert account.customer_id is None
    assert account.balance == 0 == giftcard_services.ledger_sum(account)
    # Every cent that came onto the account left it through the ledger, none silently.
    entries = LedgerEntry.objects.filter(account=account)
    assert sorted(entries.values_list("kind", "amount")) == sorted(
        [
            (LedgerEntry.Kind.REDEEM, Decimal("75.00")),
            (LedgerEntry.Kind.SPEND, Decimal("-75.00")),
            (LedgerEntry.Kind.ADJUST, Decimal("5.00")),
            (LedgerEntry.Kind.REFUND, Decimal("75.00")),
            (LedgerEntry.Kind.ADJUST, Decimal("-80.00")),
        ]
    )


def test_credit_given_back_alone_refuses_the_erasure_too(
    erika, make_order, make_unpaid, product, german_staff
):
    """Nothing on the account, but canceling the order would put 24,90 € on it."""
    card = giftcard_services.issue_cards(Decimal("30.00"))[0]
    giftcard_services.redeem_to_account(card.number, erika)
    paid_by_credit = make_order(customer=erika, use_credit=True)  # 24,90 €: paid in full
    partly = make_unpaid({product.pk: 4}, customer=erika, use_credit=True)  # takes the 5,10 €
    account = CreditAccount.objects.get(customer=erika)
    assert account.balance == 0
    assert paid_by_credit.payment_status == Order.PaymentStatus.PAID
    settle_open_business(paid_by_credit)  # shipped: only the credit stands in the way

    with pytest.raises(GiftCardError) as refused:
        services.delete_customer(erika, by=german_staff)

    assert refused.value.message == (
        f"Customer {account.customer_number} has €0.00 gift-card credit, and canceling the "
        f"unpaid order {partly.number} gives €5.10 back to it: cancel the order, then pay "
        "out the credit or adjust it to 0."
    )
    assert Order.objects.get(pk=partly.pk).status == Order.Status.PENDING
    assert CreditAccount.objects.get(pk=account.pk).balance == 0


def test_several_orders_are_all_named_with_what_they_give_back_together(
    erika, make_unpaid, product, german_staff
):
    orders = []
    for amount in ("30.00", "20.00"):
        card = giftcard_services.issue_cards(Decimal(amount))[0]
        giftcard_services.redeem_to_account(card.number, erika)
        orders.append(make_unpaid({product.pk: 4}, customer=erika, use_credit=True))
    assert [order.credit_total for order in orders] == [Decimal("30.00"), Decimal("20.00")]
    account = CreditAccount.objects.get(customer=erika)
    giftcard_services.adjust_account(account, Decimal("2.50"), "Goodwill", german_staff)

    with pytest.raises(GiftCardError) as refused:
        services.delete_customer(erika, by=german_staff)

    first, second = (order.number for order in orders)
    assert refused.value.message == (
        f"Customer {account.customer_number} has €2.50 gift-card credit, and canceling the "
        f"unpaid orders {first}, {second} gives €50.00 back to it: cancel the orders, then "
        "pay out the credit or adjust it to 0."
    )


def test_customer_deleting_their_own_account_reads_both_parts(client, erika, with_pending_credit):
    erika.set_password("secret-pass-123")
    erika.save()
    client.force_login(erika)
    response = client.post(
        reverse("customers:delete_account"), {"password": "secret-pass-123", "confirm": "on"}
    )
    assert response.status_code == 200
    assert (
        "Your account has €5.00 gift-card credit, and canceling your unpaid order "
        f"{with_pending_credit['partly'].number} gives €75.00 back to it. Please contact us "
        "to have the credit paid out before deleting your account."
    ) in response.content.decode()
    assert_nothing_changed(erika, with_pending_credit)


def test_deletion_page_says_what_stands_in_the_way_before_the_operator_confirms(
    client, erika, with_pending_credit, german_staff
):
    client.force_login(german_staff)
    url = reverse("admin:customers_user_delete", args=[erika.pk])

    page = client.get(url).content.decode()

    refused = page.split('id="erasure-refused"', 1)[1].split("</div>", 1)[0]
    assert f"5,00{NBSP}€" in refused and f"75,00{NBSP}€" in refused
    assert with_pending_credit["partly"].number in refused
    assert with_pending_credit["account"].customer_number in refused
    # Nothing to confirm that would only be refused; the way back stays.
    assert "Ja, diesen Kunden löschen" not in page
    assert "cancel-link" in page
    assert_nothing_changed(erika, with_pending_credit)

    # Posted anyway (the page was open before): refused with the same words, nothing done.
    response = client.post(url, {"post": "yes"}, follow=True)
    assert f"75,00{NBSP}€" in response.content.decode()
    assert_nothing_changed(erika, with_pending_credit)


def test_deletion_page_without_credit_in_the_way_offers_the_deletion(
    client, erika, make_order, german_staff
):
    giftcard_services.account_for(erika)  # an empty account stops nothing
    make_order(customer=erika)
    client.force_login(german_staff)

    page = client.get(reverse("admin:customers_user_delete", args=[erika.pk])).content.decode()

    assert 'id="erasure-refused"' not in page
    assert "Ja, diesen Kunden löschen" in page
