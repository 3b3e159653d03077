from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from giftcards import services
from giftcards.models import CardState, CreditAccount, GiftCard, LedgerEntry
from orders import services as order_services
from orders.models import Order
from shop.models import OutboxEmail
from tests.factories import ProductFactory, RoleUserFactory, UserFactory

from .helpers import assert_all_ledgers_match, assert_ledger_matches

pytestmark = pytest.mark.django_db

D = Decimal


# --- issuing and the ledger -------------------------------------------------------------


def test_issued_card_starts_with_an_issue_entry(make_card, staff):
    card = services.issue_cards(D("25.00"), 1, staff=staff, reason="Raffle")[0]
    assert card.state == CardState.AVAILABLE
    entry = card.ledger.get()
    assert (entry.kind, entry.amount, entry.staff, entry.reason) == (
        "issue",
        D("25.00"),
        staff,
        "Raffle",
    )
    assert_ledger_matches(card)


def test_bulk_issue_is_all_or_nothing_and_unique():
    cards = services.issue_cards(D("10.00"), 300)
    assert len({c.number for c in cards}) == 300
    assert LedgerEntry.objects.filter(kind="issue").count() == 300
    assert_all_ledgers_match()


@pytest.mark.parametrize(
    "amount, count, valid_until, field",
    [
        ("0", 1, None, "amount"),
        ("-5", 1, None, "amount"),
        ("20000", 1, None, "amount"),
        ("10", 0, None, "count"),
        ("10", 10_001, None, "count"),
        ("10", 1, -1, "valid_until"),  # days from the shop's today
    ],
)
def test_bad_issue_input_changes_nothing(amount, count, valid_until, field):
    if valid_until is not None:
        valid_until = timezone.localdate() + timedelta(days=valid_until)
    with pytest.raises(services.GiftCardError) as exc:
        services.issue_cards(amount, count, valid_until=valid_until)
    assert exc.value.field == field
    assert GiftCard.objects.count() == 0 and LedgerEntry.objects.count() == 0


def test_database_refuses_negative_balance_and_unbalanced_entries(make_card):
    card = make_card("10.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        GiftCard.objects.filter(pk=card.pk).update(balance=D("-1.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(card=card, amount=D("5.00"), kind="spend")
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(amount=D("5.00"), kind="issue")  # neither card nor account
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(card=card, amount=D("5.00"), kind="adjust", reason="")


# --- card mode at checkout ----------------------------------------------------------------


def test_card_pays_part_of_an_order_and_keeps_the_rest(make_card, make_order, product):
    card = make_card("50.00")
    order = make_order({product.pk: 1}, giftcard_number=card.display_number)  # 20 + 4.90
    card.refresh_from_db()
    assert order.giftcard_total == D("24.90") and order.amount_due == 0
    assert card.balance == D("25.10") and card.state == CardState.AVAILABLE
    spend = card.ledger.get(kind="spend")
    assert spend.order == order and spend.amount == D("-24.90")
    assert_ledger_matches(card)


def test_only_the_needed_amount_is_taken_and_a_fully_paid_order_is_paid(make_card, make_order):
    card = make_card("100.00")
    order = make_order(giftcard_number=card.number)
    order.refresh_from_db()
    assert order.giftcard_total == order.grand_total == D("24.90")
    assert order.payment_status == Order.PaymentStatus.PAID
    card.refresh_from_db()
    assert card.balance == D("75.10")


def test_small_card_leaves_the_rest_due(make_card, make_order):
    card = make_card("10.00")
    order = make_order(giftcard_number=card.number)
    order.refresh_from_db()
    assert order.giftcard_total == D("10.00") and order.amount_due == D("14.90")
    assert order.payment_status == Order.PaymentStatus.AUTHORIZED  # the rest, on the card
    card.refresh_from_db()
    assert card.balance == 0 and card.state == CardState.USED


def test_card_is_transferable_and_works_for_guests(make_card, make_order, customer):
    card = make_card("60.00")
    first = make_order(giftcard_number=card.number, email="giver@example.com")
    second = make_order(giftcard_number=card.number, email="friend@example.com", customer=customer)
    assert first.customer is None and second.customer == customer
    card.refresh_from_db()
    assert card.balance == D("60.00") - D("24.90") * 2
    assert_ledger_matches(card)


@pytest.mark.parametrize(
    "prepare, message",
    [
        (
            lambda c: GiftCard.objects.filter(pk=c.pk).update(is_blocked=True),
            "This gift card is blocked. Please contact us.",
        ),
        (
            lambda c: GiftCard.objects.filter(pk=c.pk).update(
                valid_until=timezone.localdate() - timedelta(days=1)
            ),
            "This gift card expired on",
        ),
    ],
)
def test_unusable_card_is_refused_and_nothing_changes(make_card, make_order, prepare, message):
    card = make_card("30.00")
    prepare(card)
    with pytest.raises(services.GiftCardError) as exc:
        make_order(giftcard_number=card.number)
    assert exc.value.message.startswith(message)
    assert Order.objects.count() == 0
    card.refresh_from_db()
    assert card.balance == D("30.00") and card.ledger.count() == 1


def test_zero_balance_unknown_and_typo_are_refused(make_card, make_order):
    used = make_card("5.00")
    make_order(giftcard_number=used.number)
    orders_before = Order.objects.count()
    for number, message in [
        (used.number, "This gift card has no balance left."),
        ("0" * 15 + services.luhn_check_digit("0" * 15), "This gift card number is unknown."),
        (used.number[:-1] + str((int(used.number[-1]) + 3) % 10), "This number has a typo"),
    ]:
        with pytest.raises(services.GiftCardError) as exc:
            make_order(giftcard_number=number)
        assert exc.value.message.startswith(message)
    assert Order.objects.count() == orders_before


def test_a_second_card_in_card_mode_is_refused(make_card, make_order):
    first, second = make_card("10.00"), make_card("10.00")
    with pytest.raises(services.GiftCardError) as exc:
        make_order(giftcard_number=f"{first.display_number}, {second.display_number}")
    assert exc.value.message.startswith("Only one gift card can be used per order.")
    assert Order.objects.count() == 0
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.balance == second.balance == D("10.00")


def test_a_gift_card_cannot_be_paid_with_a_gift_card(make_card, make_order):
    card = make_card("100.00")
    giftcard_product = ProductFactory(price=D("25.00"), tax_rate=D("0"), is_giftcard=True)
    with pytest.raises(services.GiftCardError) as exc:
        make_order({giftcard_product.pk: 1}, giftcard_number=card.number)
    assert "cannot be paid with a gift card" in exc.value.message
    assert Order.objects.count() == 0
    card.refresh_from_db()
    assert card.balance == D("100.00")


# --- customer mode -------------------------------------------------------------------------


def test_redeeming_moves_the_whole_balance_to_the_account(make_card, customer):
    card = make_card("40.00")
    services.redeem_to_account(card.number, customer)
    card.refresh_from_db()
    account = CreditAccount.objects.get(customer=customer)
    assert card.balance == 0 and card.state == CardState.REDEEMED and card.redeemed_to == account
    assert account.balance == D("40.00")
    assert account.customer_number == customer.customer_number
    entry = account.ledger.get()
    assert entry.kind == "redeem_to_account" and entry.source_card == card
    assert card.ledger.get(kind="redeem_to_account").amount == D("-40.00")
    assert_ledger_matches(card, account)
    with pytest.raises(services.GiftCardError) as exc:
        services.redeem_to_account(card.number, customer)
    assert "already been redeemed" in exc.value.message


def test_several_cards_accumulate_and_pay_one_order(
    make_card, make_order, customer, product, set_mode
):
    set_mode("customer")
    for amount in ("10.00", "15.00", "20.00"):
        services.redeem_to_account(make_card(amount).number, customer)
    order = make_order(
        {product.pk: 2}, customer=customer, use_credit=True
    )  # 40.00, free shipping? no: 40 < 50
    account = CreditAccount.objects.get(customer=customer)
    assert order.grand_total == D("44.90")
    assert order.credit_total == D("44.90") and account.balance == D("0.10")
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PAID
    assert_all_ledgers_match()


def test_credit_is_kept_for_later(make_card, make_order, customer):
    services.redeem_to_account(make_card("100.00").number, customer)
    make_order(customer=customer, use_credit=True)
    make_order(customer=customer, use_credit=True)
    account = CreditAccount.objects.get(customer=customer)
    assert account.balance == D("100.00") - D("24.90") * 2
    spends = account.ledger.filter(kind="spend")
    assert spends.count() == 2 and all(e.order_id for e in spends)


def test_credit_in_another_currency_pays_nothing(make_card, make_order, customer, settings):
    """Credit kept in euros does not pay a złoty order one for one (the shop changed its
    currency): refused like a card in another currency, and nothing is taken."""
    services.redeem_to_account(make_card("100.00").number, customer)
    settings.SHOP_CURRENCY = "PLN"
    with pytest.raises(services.GiftCardError) as exc:
        make_order(customer=customer, use_credit=True)
    assert exc.value.field == "use_credit" and "different currency" in exc.value.message
    assert Order.objects.count() == 0
    assert CreditAccount.objects.get(customer=customer).balance == D("100.00")


def test_customer_mode_checkout_card_is_redeemed_then_paid_from_credit(
    make_card, make_order, customer, set_mode
):
    set_mode("customer")
    card = make_card("30.00")
    order = make_order(customer=customer, giftcard_number=card.number)
    card.refresh_from_db()
    account = CreditAccount.objects.get(customer=customer)
    assert card.state == CardState.REDEEMED
    assert order.credit_total == D("24.90") and order.giftcard_total == 0
    assert account.balance == D("5.10")
    assert_ledger_matches(card, account)


def test_customer_mode_guest_is_told_to_log_in(make_card, make_order, set_mode):
    set_mode("customer")
    card = make_card("30.00")
    with pytest.raises(services.GiftCardError) as exc:
        make_order(giftcard_number=card.number)
    assert "log in" in exc.value.message
    assert Order.objects.count() == 0
    card.refresh_from_db()
    assert card.balance == D("30.00")


def test_use_credit_without_credit_is_refused(make_order, customer):
    with pytest.raises(services.GiftCardError) as exc:
        make_order(customer=customer, use_credit=True)
    assert exc.value.message == "Your customer account has no credit."
    assert exc.value.field == "use_credit"
    assert Order.objects.count() == 0


def test_giftcard_and_credit_combine_in_card_mode(make_card, make_order, customer):
    services.redeem_to_account(make_card("10.00").number, customer)
    card = make_card("10.00")
    order = make_order(customer=customer, giftcard_number=card.number, use_credit=True)
    assert order.giftcard_total == D("10.00") and order.credit_total == D("10.00")
    assert order.amount_due == D("4.90")


# --- mode switches never break anything ----------------------------------------------------


def test_switch_card_to_customer_keeps_card_balances_usable(make_card, make_order, customer, staff):
    partly = make_card("50.00")
    make_order(giftcard_number=partly.number)  # 25.10 left, in card mode
    previous, shop = services.switch_mode("customer", staff)
    assert (previous, shop.giftcard_mode) == ("card", "customer")
    partly.refresh_from_db()
    assert partly.state == CardState.AVAILABLE and partly.balance == D("25.10")
    # Still redeemable into an account and spendable from there.
    services.redeem_to_account(partly.number, customer)
    order = make_order(customer=customer, use_credit=True)
    assert order.credit_total == D("24.90")
    assert CreditAccount.objects.get(customer=customer).balance == D("0.20")
    assert_all_ledgers_match()


def test_switch_customer_to_card_keeps_credit_spendable(
    make_card, make_order, customer, staff, set_mode
):
    set_mode("customer")
    services.redeem_to_account(make_card("30.00").number, customer)
    unredeemed = make_card("20.00")
    services.switch_mode("card", staff)
    order = make_order(customer=customer, use_credit=True)
    assert order.credit_total == D("24.90")
    assert CreditAccount.objects.get(customer=customer).balance == D("5.10")
    # A card nobody redeemed before the switch now pays directly, also for guests.
    guest_order = make_order(giftcard_number=unredeemed.number)
    assert guest_order.giftcard_total == D("20.00")
    assert_all_ledgers_match()


def test_switch_mode_rejects_unknown_mode_and_non_managers():
    with pytest.raises(services.GiftCardError):
        services.switch_mode("wallet")
    with pytest.raises(services.GiftCardError):
        services.switch_mode("customer", RoleUserFactory(role="Payments"))
    _prev, shop = services.switch_mode("customer", RoleUserFactory(role="Shop manager"))
    assert shop.giftcard_mode == "customer"


# --- cancellation and refunds --------------------------------------------------------------


def test_cancel_returns_card_and_credit_payments(make_card, make_order, customer):
    services.redeem_to_account(make_card("10.00").number, customer)
    card = make_card("20.00")
    order = make_order(customer=customer, giftcard_number=card.number, use_credit=True)
    assert (order.giftcard_total, order.credit_total) == (D("20.00"), D("4.90"))
    order_services.cancel_order(order)
    card.refresh_from_db()
    account = CreditAccount.objects.get(customer=customer)
    assert card.balance == D("20.00") and account.balance == D("10.00")
    refunds = LedgerEntry.objects.filter(order=order, kind="refund")
    assert sorted(r.amount for r in refunds) == [D("4.90"), D("20.00")]
    # Idempotent: a second delivery of the signal gives nothing back twice.
    assert services.refund_order(order) == []
    assert_all_ledgers_match()


def test_refund_reaches_a_card_that_expired_meanwhile(make_card, make_order):
    card = make_card("30.00", valid_until=timezone.localdate() + timedelta(days=3))
    order = make_order(giftcard_number=card.number)
    GiftCard.objects.filter(pk=card.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    paid = order.giftcard_total
    assert D("0") < paid < D("30.00")  # something was left on the card when it expired
    order_services.cancel_order(order)
    card.refresh_from_db()
    # Only the refund is valid again: what was left when the card expired stays written off,
    # whether or not the daily expiry job has run (a money-leak audit: €75.10 came back).
    assert card.balance == paid
    assert LedgerEntry.objects.get(card=card, kind="expire").amount == paid - D("30.00")
    assert card.valid_until == timezone.localdate() + timedelta(days=services.REFUND_GRACE_DAYS)
    assert card.state == CardState.AVAILABLE
    assert_ledger_matches(card)
    # The daily job finds nothing more to write off, now or after the grace period.
    assert services.expire_cards() == 0


def test_a_refund_after_the_expiry_job_writes_nothing_off_twice(make_card, make_order):
    card = make_card("30.00", valid_until=timezone.localdate() + timedelta(days=3))
    order = make_order(giftcard_number=card.number)
    GiftCard.objects.filter(pk=card.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    assert services.expire_cards() == 1
    order_services.cancel_order(order)
    card.refresh_from_db()
    assert card.balance == order.giftcard_total
    assert LedgerEntry.objects.filter(card=card, kind="expire").count() == 1
    assert_ledger_matches(card)


# --- cards bought in the shop -------------------------------------------------------------


@pytest.fixture
def giftcard_product(db):
    return ProductFactory(price=D("25.00"), tax_rate=D("0"), is_giftcard=True)


def test_paid_giftcard_order_issues_one_card_per_unit_once(
    make_order, giftcard_product, django_capture_on_commit_callbacks, mailoutbox
):
    order = make_order({giftcard_product.pk: 2}, email="buyer@example.com")
    assert GiftCard.objects.count() == 0  # not paid yet
    with django_capture_on_commit_callbacks(execute=True):
        order_services.mark_paid(order)
    cards = list(GiftCard.objects.filter(issued_by_order=order))
    assert len(cards) == 2 and all(c.initial_value == D("25.00") == c.balance for c in cards)
    mail = OutboxEmail.objects.get(template="giftcard_issued")
    assert mail.to == ["buyer@example.com"]
    assert all(c.display_number in mail.body_text for c in cards)
    assert any(c.display_number in m.body for m in mailoutbox for c in cards)
    # Idempotent: the signal again (e.g. a re-delivery) issues nothing new.
    assert services.issue_for_paid_order(order) == []
    assert GiftCard.objects.count() == 2
    assert_all_ledgers_match()


def test_canceling_blocks_unused_bought_cards(make_order, giftcard_product):
    order = make_order({giftcard_product.pk: 1})
    order_services.mark_paid(order)
    order_services.cancel_order(order)
    card = GiftCard.objects.get(issued_by_order=order)
    # the buyer is paid back: the card's value is voided (issue HD)
    assert card.state == CardState.BLOCKED and card.balance == 0
    assert card.ledger.get(kind="void").amount == D("-25.00")
    assert_all_ledgers_match()


def test_canceling_is_refused_once_a_bought_card_was_used(make_order, giftcard_product, product):
    order = make_order({giftcard_product.pk: 1})
    order_services.mark_paid(order)
    card = GiftCard.objects.get(issued_by_order=order)
    make_order({product.pk: 1}, giftcard_number=card.number)
    with pytest.raises(services.GiftCardError) as exc:
        order_services.cancel_order(order)
    assert card.display_number in exc.value.message
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    card.refresh_from_db()
    assert not card.is_blocked


# --- backoffice operations ------------------------------------------------------------------


def test_adjustment_needs_permission_and_reason(make_card):
    card = make_card("20.00")
    with pytest.raises(services.GiftCardError):
        services.adjust_card(card, D("5.00"), "Goodwill", RoleUserFactory(role="Marketing"))
    payments = RoleUserFactory(role="Payments")
    with pytest.raises(services.GiftCardError) as exc:
        services.adjust_card(card, D("5.00"), "  ", payments)
    assert exc.value.field == "reason"
    with pytest.raises(services.GiftCardError) as exc:
        services.adjust_card(card, D("-25.00"), "Too much", payments)
    assert exc.value.field == "amount"
    entry = services.adjust_card(card, D("-5.00"), "Customer complaint #12", payments)
    assert entry.staff == payments and entry.reason == "Customer complaint #12"
    card.refresh_from_db()
    assert card.balance == D("15.00")
    assert_ledger_matches(card)


def test_expiry_writes_off_the_rest(make_card):
    card = make_card("20.00", valid_until=timezone.localdate())
    assert services.expire_cards() == 0  # still valid today
    assert services.expire_cards(today=timezone.localdate() + timedelta(days=1)) == 1
    card.refresh_from_db()
    assert card.balance == 0 and card.ledger.filter(kind="expire").get().amount == D("-20.00")
    assert_ledger_matches(card)


def test_states_match_their_queryset_filter(make_card, make_order, customer):
    available = make_card("20.00")
    used = make_card("5.00")
    make_order(giftcard_number=used.number)
    redeemed = make_card("5.00")
    services.redeem_to_account(redeemed.number, customer)
    expired = make_card("5.00")
    GiftCard.objects.filter(pk=expired.pk).update(
        valid_until=timezone.localdate() - timedelta(days=2)
    )
    blocked = services.set_blocked(make_card("5.00"), True)
    expected = {
        CardState.AVAILABLE: available,
        CardState.USED: used,
        CardState.REDEEMED: redeemed,
        CardState.EXPIRED: expired,
        CardState.BLOCKED: blocked,
    }
    for state, card in expected.items():
        card.refresh_from_db()
        assert card.state == state
        assert list(GiftCard.objects.in_state(state)) == [card]


def test_credit_account_of_other_customer_is_separate(make_card):
    a, b = UserFactory(), UserFactory()
    services.redeem_to_account(make_card("10.00").number, a)
    assert services.credit_balance(a) == D("10.00")
    assert services.credit_balance(b) == 0
