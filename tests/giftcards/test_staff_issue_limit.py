"""A staff member makes at most the shop's daily limit of money out of nothing — gift cards
issued and positive manual adjustments of cards and credit accounts, together. More needs a
second person with giftcards.issue_beyond_limit (the Shop manager); one person's requests at
once are counted one after another (their row is locked)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from giftcards import services
from giftcards.models import CreditAccount, GiftCard, LedgerEntry
from shop.models import ShopSettings
from tests.factories import RoleUserFactory, UserFactory
from tests.formtokens import fresh
from tests.race import run_concurrently

from .helpers import assert_all_ledgers_match

D = Decimal
ISSUE = "admin:giftcards_giftcard_issue"


def _limit(value):
    shop = ShopSettings.load()
    shop.staff_issue_limit = value
    shop.save()


@pytest.fixture
def payments(db):
    return RoleUserFactory(role="Payments")


@pytest.mark.django_db
def test_the_default_limit_binds_payments_but_not_the_shop_manager(payments):
    assert ShopSettings.load().staff_issue_limit == D("500.00")
    services.issue_cards(D("100.00"), 4, staff=payments)  # 400
    with pytest.raises(services.GiftCardError, match="daily limit of €500.00") as exc:
        services.issue_cards(D("50.00"), 3, staff=payments)  # 150 more: over
    assert "you have issued €400.00 today, €100.00 is left" in exc.value.message
    assert GiftCard.objects.count() == 4  # all or nothing
    services.issue_cards(D("100.00"), 1, staff=payments)  # exactly the limit
    manager = RoleUserFactory(role="Shop manager")
    services.issue_cards(D("1000.00"), 3, staff=manager)
    services.issue_cards(D("1000.00"), 1)  # the shop itself (a paid order's cards)
    assert services.issue_allowance(payments) == (D("500.00"), D("500.00"), D("0.00"))
    assert services.issue_allowance(manager) is None
    assert_all_ledgers_match()


@pytest.mark.django_db
def test_positive_adjustments_count_with_issued_cards_and_corrections_down_do_not(payments):
    _limit(D("100.00"))
    card = services.issue_cards(D("60.00"), 1, staff=payments)[0]
    account = CreditAccount.objects.create(customer=UserFactory())
    services.adjust_account(account, D("30.00"), "goodwill", payments)
    services.adjust_card(card, D("-50.00"), "typo", payments)  # takes money away: no limit
    with pytest.raises(services.GiftCardError, match="€10.00 is left") as exc:
        services.adjust_card(card, D("20.00"), "more goodwill", payments)
    assert exc.value.field == "amount"
    card.refresh_from_db()
    account.refresh_from_db()
    assert (card.balance, account.balance) == (D("10.00"), D("30.00"))
    services.adjust_card(card, D("10.00"), "the rest", payments)
    assert_all_ledgers_match()


@pytest.mark.django_db
def test_the_limit_is_per_person_and_per_day_and_empty_means_none(payments):
    _limit(D("50.00"))
    services.issue_cards(D("50.00"), 1, staff=payments)
    colleague = RoleUserFactory(role="Payments")
    services.issue_cards(D("50.00"), 1, staff=colleague)  # their own limit
    # Yesterday's cards do not count today.
    LedgerEntry.objects.filter(staff=payments).update(created=timezone.now() - timedelta(days=1))
    services.issue_cards(D("50.00"), 1, staff=payments)
    with pytest.raises(services.GiftCardError):
        services.issue_cards(D("0.01"), 1, staff=payments)
    _limit(None)
    services.issue_cards(D("5000.00"), 2, staff=payments)
    assert services.issue_allowance(payments) is None


@pytest.mark.django_db
def test_the_forms_show_what_is_left_and_refuse_more_with_a_clear_error(client, payments):
    _limit(D("100.00"))
    client.force_login(payments)
    page = client.get(reverse(ISSUE)).content.decode()
    assert "€100.00 of €100.00 left today" in page
    response = client.post(reverse(ISSUE), fresh({"amount": "40", "count": "3"}))
    assert response.status_code == 200 and GiftCard.objects.count() == 0
    assert "daily limit of €100.00" in response.content.decode()
    assert client.post(reverse(ISSUE), fresh({"amount": "40", "count": "2"})).status_code == 302
    card = GiftCard.objects.first()
    adjust = reverse("admin:giftcards_giftcard_adjust", args=[card.pk])
    page = client.get(adjust).content.decode()
    assert "€20.00 of €100.00 left today" in page
    response = client.post(adjust, fresh({"amount": "25.00", "reason": "goodwill"}))
    assert response.status_code == 200 and "€20.00 is left" in response.content.decode()
    card.refresh_from_db()
    assert card.balance == D("40.00")


@pytest.mark.django_db
def test_a_limit_below_zero_is_refused_by_the_database():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ShopSettings.objects.filter(pk=ShopSettings.load().pk).update(staff_issue_limit=D("-1.00"))


@pytest.mark.django_db(transaction=True)
def test_one_persons_requests_at_once_do_not_pass_the_limit_together():
    _limit(D("100.00"))
    payments = RoleUserFactory(role="Payments")

    def issue(_i):
        return services.issue_cards(D("60.00"), 1, staff=payments)

    outcomes = run_concurrently(issue, 4)
    issued = [o for o in outcomes if isinstance(o, list)]
    refused = [o for o in outcomes if isinstance(o, services.GiftCardError)]
    assert (len(issued), len(refused)) == (1, 3), outcomes
    assert GiftCard.objects.count() == 1


@pytest.mark.django_db
def test_credit_notes_booked_to_the_account_count_against_the_limit(make_order):
    """A goodwill adjustment booked to the account credit instead of paid out is spendable
    credit at once, without a trace at the bank: it counts like credit added by hand (an
    audit gave €889.99 this way on top of a refused €600 adjustment)."""
    from orders import services as order_services
    from orders.models import CreditNote
    from tests.factories import ProductFactory
    from tests.orders.factories import ship_all

    _limit(D("500.00"))
    payments = RoleUserFactory(role="Payments")
    erika = UserFactory(email="erika@example.com")
    lamp = ProductFactory(price=D("890.00"), stock=5)
    order = make_order({lamp.pk: 1}, customer=erika)
    order_services.create_invoice(order)
    order_services.create_shipment(order, ship_all(order))
    with pytest.raises(services.GiftCardError, match="daily limit of €500.00"):
        order_services.create_credit_note(
            order,
            {},
            adjustment=D("600.00"),
            adjustment_text="Kulanz",
            user=payments,
            to_account=True,
        )
    assert not CreditNote.objects.exists()
    assert not CreditAccount.objects.filter(customer=erika, balance__gt=0).exists()
    # Paid out through the payment method instead: the bank sees it, no limit.
    order_services.create_credit_note(
        order, {}, adjustment=D("600.00"), adjustment_text="Kulanz", user=payments
    )
    # To the account within the limit: counted, and what is left shrinks.
    order_services.create_credit_note(
        order,
        {},
        adjustment=D("200.00"),
        adjustment_text="Kulanz",
        user=payments,
        to_account=True,
    )
    assert services.issue_allowance(payments) == (D("500.00"), D("200.00"), D("300.00"))
    assert_all_ledgers_match()


@pytest.mark.django_db
def test_marking_a_gift_card_order_paid_by_hand_counts_its_cards(make_order):
    """Cards issued on a staff member's word that a bank transfer arrived count against
    their limit: an audit marked a guest's 20 × €50 gift-card order paid (nothing had
    arrived) and got €1,000 of spendable cards past a €500 limit."""
    from orders import services as order_services
    from orders.models import Order
    from orders.services import bulk
    from shop.exceptions import DomainError
    from shop.models import PaymentMethod
    from tests.factories import PaymentMethodFactory, ProductFactory

    _limit(D("500.00"))
    payments = RoleUserFactory(role="Payments")
    gift = ProductFactory(price=D("50.00"), tax_rate=D("0"), is_giftcard=True)
    prepay = PaymentMethodFactory(code="prepay-gc", kind=PaymentMethod.Kind.PREPAYMENT)
    big = make_order({gift.pk: 20}, email="guest@example.com", payment_method_id=prepay.pk)
    with pytest.raises(services.GiftCardError, match="daily limit of €500.00"):
        order_services.mark_paid(big, user=payments)
    big.refresh_from_db()
    assert not big.is_paid and not GiftCard.objects.exists()  # nothing changed
    # The bulk action skips it with the reason.
    with pytest.raises(DomainError, match="daily limit"):
        bulk.mark_prepayments_paid([big.pk], user=payments)
    assert not GiftCard.objects.exists()
    # Within the limit: issued, counted, the entries name who recorded the payment.
    small = make_order({gift.pk: 4}, email="guest@example.com", payment_method_id=prepay.pk)
    order_services.mark_paid(small, user=payments)
    assert GiftCard.objects.filter(issued_by_order=small).count() == 4
    assert services.issue_allowance(payments) == (D("500.00"), D("200.00"), D("300.00"))
    assert set(LedgerEntry.objects.filter(kind="issue").values_list("staff", flat=True)) == {
        payments.pk
    }
    # The Shop manager records the big one.
    order_services.mark_paid(big, user=RoleUserFactory(role="Shop manager"))
    assert Order.objects.get(pk=big.pk).is_paid
    assert GiftCard.objects.filter(issued_by_order=big).count() == 20
    assert_all_ledgers_match()


@pytest.mark.django_db
def test_part_payments_settled_by_a_credit_note_count_the_cards_too(make_order, payments):
    """Part payments recorded by hand and a credit note that settles them issued a €500 card
    on one person's word, counted against nobody's limit (an audit): the note's issuer
    counts, and past their limit the note is refused and nothing changes."""
    from orders import services as order_services
    from orders.models import CreditNote, Order
    from shop.models import PaymentMethod
    from tests.factories import PaymentMethodFactory, ProductFactory

    _limit(D("100.00"))
    card = ProductFactory(price=D("500.00"), is_giftcard=True, stock=None)
    goods = ProductFactory(price=D("20.00"))
    prepay = PaymentMethodFactory(code="prepay-pp", kind=PaymentMethod.Kind.PREPAYMENT)
    order = make_order({card.pk: 1, goods.pk: 1}, payment_method_id=prepay.pk)
    part = order.amount_due - D("20.00") - order.shipping_total
    order_services.mark_paid(order, user=payments, amount=part)
    order_services.create_invoice(order, user=payments)
    goods_line = Order.objects.get(pk=order.pk).lines.get(is_giftcard=False)
    with pytest.raises(services.GiftCardError, match="daily limit"):
        order_services.create_credit_note(
            Order.objects.get(pk=order.pk),
            lines={goods_line.pk: 1},
            shipping=order.shipping_total,
            user=payments,
        )
    assert not GiftCard.objects.exists() and not CreditNote.objects.exists()
    order_services.create_credit_note(
        Order.objects.get(pk=order.pk),
        lines={goods_line.pk: 1},
        shipping=order.shipping_total,
        user=RoleUserFactory(role="Shop manager"),
    )
    assert GiftCard.objects.get(issued_by_order=order).balance == D("500.00")
