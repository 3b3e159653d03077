"""A gift card bought with an order, withdrawn from or returned on its own (issue HC): a
partial credit note of its line takes the card back — blocked, its value voided in its
ledger with the credit note's number — in the note's transaction, or is refused (nothing
changed) when the card has been spent. Units credited before the payment get no card."""

from decimal import Decimal

import pytest
from django.urls import reverse

from giftcards import services as giftcard_services
from giftcards.errors import GiftCardError
from giftcards.models import CardState, GiftCard, LedgerEntry
from orders import services
from orders.aftersales import Return
from orders.models import CreditNote, Order
from orders.services import OrderError
from shop.exceptions import DomainError
from tests.factories import ProductFactory
from tests.race import run_concurrently

from .helpers import assert_all_ledgers_match

D = Decimal


@pytest.fixture
def lamp(db):
    return ProductFactory(name="Lamp", price=D("15.00"), tax_rate=D("19.00"))


@pytest.fixture
def gift(db):
    return ProductFactory(name="Gift card 25", price=D("25.00"), tax_rate=D("0"), is_giftcard=True)


def paid_order(make_order, items, **kwargs):
    """Placed with the credit card, invoiced (captured: paid, the cards are issued)."""
    order = make_order(items, **kwargs)
    services.create_invoice(order)
    order = Order.objects.get(pk=order.pk)
    assert order.is_paid
    return order


def card_line(order):
    return order.lines.get(is_giftcard=True)


def test_a_partial_credit_of_an_unspent_card_blocks_it_and_credits_its_value(
    make_order, lamp, gift, admin_client
):
    order = paid_order(make_order, {lamp.pk: 1, gift.pk: 1})
    card = GiftCard.objects.get(issued_by_order=order)
    assert card.state == CardState.AVAILABLE

    plan = services.preview_credit_note(order, {card_line(order).pk: 1})
    assert any(card.display_number in notice for notice in plan.notices)
    note = services.create_credit_note(order, {card_line(order).pk: 1})

    assert note.grand_total == D("25.00") and note.paid_total == D("25.00")
    assert [line["quantity"] for line in note.lines] == [1]
    card.refresh_from_db()
    assert card.is_blocked and card.balance == 0 and card.state == CardState.BLOCKED
    void = card.ledger.get(kind=LedgerEntry.Kind.VOID)
    assert void.amount == D("-25.00") and void.order_id == order.pk
    assert note.number in void.display_reason
    assert_all_ledgers_match()
    order.refresh_from_db()
    assert order.status != Order.Status.CLOSED  # the lamp stands
    with pytest.raises(GiftCardError, match="blocked"):
        giftcard_services.assert_usable(card)

    # The card's page shows why: the voiding entry with the credit note's number.
    page = admin_client.get(reverse("admin:giftcards_giftcard_change", args=[card.pk]))
    content = page.content.decode()
    assert "Voided (refunded)" in content and note.number in content

    # The full refund of the rest is not refused for the card taken back.
    services.refund_order(Order.objects.get(pk=order.pk))
    order.refresh_from_db()
    assert order.status == Order.Status.CLOSED
    assert sum(n.grand_total for n in CreditNote.objects.all()) == order.grand_total
    assert card.ledger.filter(kind=LedgerEntry.Kind.VOID).count() == 1
    assert_all_ledgers_match()


def test_a_spent_card_refuses_the_credit_and_nothing_changes(make_order, lamp, gift):
    order = paid_order(make_order, {lamp.pk: 1, gift.pk: 1})
    card = GiftCard.objects.get(issued_by_order=order)
    make_order({lamp.pk: 1}, giftcard_number=card.number)  # 15.00 + 4.90 of it spent
    card.refresh_from_db()
    assert card.balance == D("5.10")

    with pytest.raises(OrderError) as refused:
        services.create_credit_note(order, {card_line(order).pk: 1})
    message = refused.value.message
    assert card.display_number in message and "€19.90" in message and "€25.00" in message
    assert not CreditNote.objects.exists()
    order.refresh_from_db()
    assert order.credited_total == 0
    card.refresh_from_db()
    assert not card.is_blocked and card.balance == D("5.10")
    assert not card.ledger.filter(kind=LedgerEntry.Kind.VOID).exists()
    # The goods can still be credited alone.
    services.create_credit_note(order, {order.lines.get(product=lamp).pk: 1})


def test_a_card_blocked_for_another_reason_is_not_taken_back(make_order, gift):
    order = paid_order(make_order, {gift.pk: 1})
    card = GiftCard.objects.get(issued_by_order=order)
    giftcard_services.set_blocked(card, True)
    with pytest.raises(OrderError, match="is blocked") as refused:
        services.create_credit_note(order, {card_line(order).pk: 1})
    assert card.display_number in refused.value.message
    assert not CreditNote.objects.exists()
    card.refresh_from_db()
    assert card.balance == D("25.00")


def test_the_confirmation_page_shows_the_refusal_before_confirming(
    admin_client, make_order, lamp, gift
):
    order = paid_order(make_order, {lamp.pk: 1, gift.pk: 1})
    card = GiftCard.objects.get(issued_by_order=order)
    url = reverse("admin:orders_creditnote_new", args=[order.pk])
    line = card_line(order)

    page = admin_client.get(url)
    assert f'name="qty_{line.pk}"' in page.content.decode()  # the card line is offered

    preview = admin_client.post(url, {f"qty_{line.pk}": "1", "preview": ""})
    assert preview.context["plan"].grand_total == D("25.00")
    assert "will be blocked and its value voided" in preview.content.decode()

    make_order({lamp.pk: 1}, giftcard_number=card.number)  # spent meanwhile
    with pytest.raises(OrderError, match="already been used"):
        services.preview_credit_note(order, {line.pk: 1})
    refused = admin_client.post(url, {f"qty_{line.pk}": "1", "preview": ""})
    assert refused.context["plan"] is None
    messages = [str(m) for m in refused.context["messages"]]
    assert any(card.display_number in m and "already been used" in m for m in messages)
    confirm = admin_client.post(
        url,
        {
            f"qty_{line.pk}": "1",
            "confirm": "",
            "seen_notes": preview.context["seen_notes"],
            "previewed": preview.context["previewed"],
        },
    )
    assert any("already been used" in str(m) for m in confirm.context["messages"])
    assert not CreditNote.objects.exists()


def test_a_withdrawal_return_of_the_card_line_is_refunded_and_takes_the_card_back(
    make_order, lamp, gift
):
    order = paid_order(make_order, {lamp.pk: 1, gift.pk: 1})
    card = GiftCard.objects.get(issued_by_order=order)
    line = card_line(order)
    assert services.returnable_units(order) == {line.pk: 1}  # the lamp is not shipped yet
    statement = services.record_withdrawal(
        name="Erika Mustermann",
        email=order.email,
        order_number=order.number,
        items={line.pk: 1},
    )
    assert services.withdrawal_lines(statement) == {line.pk: 1}
    ret = services.create_return(order, {line.pk: 1}, "withdrawal", withdrawal=statement)
    plan = services.preview_return_refund(ret)
    assert plan.grand_total == D("25.00")
    services.refund_return(ret)

    ret.refresh_from_db()
    assert ret.status == Return.Status.REFUNDED and ret.credit_note.grand_total == D("25.00")
    card.refresh_from_db()
    assert card.is_blocked and card.balance == 0
    assert ret.credit_note.number in card.ledger.get(kind="void").display_reason
    assert services.returnable_units(Order.objects.get(pk=order.pk)) == {}
    assert_all_ledgers_match()


def test_a_return_of_a_spent_card_is_refused(make_order, lamp, gift):
    order = paid_order(make_order, {gift.pk: 1})
    card = GiftCard.objects.get(issued_by_order=order)
    ret = services.create_return(order, {card_line(order).pk: 1}, "other")
    make_order({lamp.pk: 1}, giftcard_number=card.number)
    with pytest.raises(OrderError, match="already been used"):
        services.refund_return(ret)
    ret.refresh_from_db()
    assert ret.status == Return.Status.REQUESTED and not CreditNote.objects.exists()


def test_a_card_taken_back_cannot_be_spent_or_redeemed_afterwards(make_order, lamp, gift, customer):
    order = paid_order(make_order, {gift.pk: 1})
    card = GiftCard.objects.get(issued_by_order=order)
    services.create_credit_note(order, {card_line(order).pk: 1})
    with pytest.raises(DomainError, match="blocked"):
        make_order({lamp.pk: 1}, giftcard_number=card.number)
    with pytest.raises(GiftCardError, match="blocked"):
        giftcard_services.redeem_to_account(card.number, customer)
    # An operator who unblocks it finds nothing on it: the value was paid back.
    card = giftcard_services.set_blocked(card, False)
    assert card.balance == 0 and card.state == CardState.USED


def test_units_credited_before_the_payment_get_no_card(make_order, lamp, gift, invoice_payment):
    order = make_order({lamp.pk: 1, gift.pk: 2}, payment_method_id=invoice_payment.pk)
    services.create_invoice(order)
    assert not order.is_paid and not GiftCard.objects.exists()
    plan = services.preview_credit_note(order, {card_line(order).pk: 1})
    assert any("No gift card will be issued" in notice for notice in plan.notices)
    note = services.create_credit_note(order, {card_line(order).pk: 1})
    assert note.grand_total == D("25.00") and note.paid_total == 0  # taken off what is due

    services.mark_paid(Order.objects.get(pk=order.pk))
    cards = list(GiftCard.objects.filter(issued_by_order=order))
    assert len(cards) == 1 and cards[0].balance == D("25.00")
    # Issuing again (a second delivery of "paid") adds nothing.
    assert giftcard_services.issue_for_paid_order(order) == []
    # The card left is taken back by a later credit of the second unit.
    services.create_credit_note(order, {card_line(order).pk: 1})
    cards[0].refresh_from_db()
    assert cards[0].is_blocked and cards[0].balance == 0
    assert giftcard_services.issue_for_paid_order(order) == []
    assert_all_ledgers_match()


def test_of_two_cards_the_unspent_one_is_taken_back(make_order, lamp, gift):
    order = paid_order(make_order, {gift.pk: 2})
    first, second = GiftCard.objects.filter(issued_by_order=order).order_by("line_unit")
    make_order({lamp.pk: 1}, giftcard_number=first.number)
    services.create_credit_note(order, {card_line(order).pk: 1})
    first.refresh_from_db()
    second.refresh_from_db()
    assert not first.is_blocked and second.is_blocked and second.balance == 0
    with pytest.raises(OrderError, match="already been used"):
        services.create_credit_note(order, {card_line(order).pk: 1})


def test_an_adjustment_still_cannot_pay_out_the_cards_the_customer_keeps(make_order, lamp, gift):
    order = paid_order(make_order, {lamp.pk: 1, gift.pk: 2})  # 15 + 50 + 4.90
    line = card_line(order)
    with pytest.raises(OrderError, match="gift cards bought with the order"):
        services.create_credit_note(order, adjustment="20.00", adjustment_text="Goodwill")
    # One card credited: the other (25.00) stays out of reach of the adjustment.
    with pytest.raises(OrderError, match="gift cards bought with the order"):
        services.create_credit_note(
            order, {line.pk: 1}, adjustment="20.00", adjustment_text="Goodwill"
        )
    note = services.create_credit_note(
        order, {line.pk: 1}, adjustment="19.90", adjustment_text="Goodwill"
    )
    assert note.grand_total == D("44.90")


@pytest.mark.django_db(transaction=True)
def test_a_credit_and_a_redemption_at_the_same_moment_never_both_succeed(make_order, lamp, gift):
    for _round in range(3):
        order = paid_order(make_order, {gift.pk: 1})
        card = GiftCard.objects.get(issued_by_order=order)
        line_id = card_line(order).pk

        def act(i, order=order, card=card, line_id=line_id):
            try:
                if i == 0:
                    return services.create_credit_note(order, {line_id: 1}).number
                return make_order({lamp.pk: 1}, giftcard_number=card.number).number
            except DomainError as exc:
                return exc

        credited, spent = run_concurrently(act, 2)
        assert [isinstance(o, DomainError) for o in (credited, spent)].count(True) == 1, (
            credited,
            spent,
        )
        card.refresh_from_db()
        if isinstance(credited, DomainError):  # the redemption came first
            assert "already been used" in credited.message
            assert not card.is_blocked and card.balance == D("5.10")
        else:
            assert "blocked" in spent.message
            assert card.is_blocked and card.balance == 0
        assert_all_ledgers_match()
