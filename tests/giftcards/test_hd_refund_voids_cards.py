"""A gift card bought with an order that is then refunded in full or canceled after payment
(issue HD): the card is blocked and its balance voided (a ``void`` ledger entry naming the
credit note or the cancellation) in the same transaction, so the start page's liability no
longer counts money the shop paid back. A card blocked by staff for another reason keeps
its balance and is still counted. Migration 0005 voids what cards blocked so before still
hold. The credit note's e-mail and PDF tell the customer which card is no longer valid."""

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from pypdf import PdfReader

from giftcards import services as giftcard_services
from giftcards.dashboard import liability
from giftcards.models import CardState, GiftCard, LedgerEntry
from orders import pdf, services
from orders.models import CreditNote, Order
from shop.exceptions import DomainError
from shop.mail import written
from shop.models import OutboxEmail
from tests.factories import ProductFactory

from .helpers import assert_all_ledgers_match

D = Decimal
VOID = LedgerEntry.Kind.VOID
BEFORE = [("giftcards", "0004_ledger_void_on_refund")]


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


def paid_not_invoiced(make_order, items, **kwargs):
    order = make_order(items, **kwargs)
    services.mark_paid(order)
    order = Order.objects.get(pk=order.pk)
    assert order.is_paid and GiftCard.objects.filter(issued_by_order=order).exists()
    return order


def plain(text):
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


def pdf_text(data):
    assert data.startswith(b"%PDF")
    return plain("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def last_mail(template):
    email = written(OutboxEmail.objects.filter(template=template).order_by("-pk").first())
    return plain(email.body_text), plain(email.body_html)


def invalid(card):
    return f"Gift card …{card.number[-4:]} bought with this order is no longer valid."


# --- the full refund and the cancellation ----------------------------------------------------


def test_a_full_refund_voids_the_cards_and_the_liability_drops(make_order, lamp, gift):
    order = paid_order(make_order, {lamp.pk: 1, gift.pk: 2})
    cards = list(GiftCard.objects.filter(issued_by_order=order).order_by("pk"))
    assert len(cards) == 2
    before = liability()
    assert before["cards"]["total"] == D("50.00") and before["cards"]["count"] == 2

    services.refund_order(order)

    note = CreditNote.objects.get(invoice__order=order, is_final=True)
    for card in cards:
        card.refresh_from_db()
        assert card.is_blocked and card.balance == 0 and card.state == CardState.BLOCKED
        void = card.ledger.get(kind=VOID)
        assert void.amount == D("-25.00") and void.order_id == order.pk
        assert void.display_reason == f"Credit note {note.number} of order {order.number}"
    assert_all_ledgers_match()
    after = liability()
    assert after["total"] == before["total"] - D("50.00")
    assert after["cards"]["count"] == 0 and after["cards"]["blocked_count"] == 0


def test_a_cancellation_after_payment_voids_the_cards_and_the_liability_drops(make_order, gift):
    order = paid_not_invoiced(make_order, {gift.pk: 1})
    card = GiftCard.objects.get(issued_by_order=order)
    assert liability()["total"] == D("25.00")

    services.cancel_order(order)

    card.refresh_from_db()
    assert card.is_blocked and card.balance == 0
    void = card.ledger.get(kind=VOID)
    assert void.amount == D("-25.00") and void.order_id == order.pk
    assert void.display_reason == f"Order {order.number} canceled"
    assert_all_ledgers_match()
    assert liability()["total"] == 0


def test_a_card_taken_back_before_the_full_refund_is_voided_once(make_order, lamp, gift):
    order = paid_order(make_order, {lamp.pk: 1, gift.pk: 2})
    line = order.lines.get(is_giftcard=True)
    first = services.create_credit_note(order, {line.pk: 1})
    services.refund_order(Order.objects.get(pk=order.pk))

    final = CreditNote.objects.get(invoice__order=order, is_final=True)
    voids = LedgerEntry.objects.filter(kind=VOID, order=order).order_by("card__line_unit")
    assert [v.amount for v in voids] == [D("-25.00"), D("-25.00")]
    assert {v.display_reason.split()[2] for v in voids} == {first.number, final.number}
    assert liability()["cards"]["count"] == 0
    assert_all_ledgers_match()


def test_a_spent_card_still_refuses_the_full_refund_and_nothing_is_voided(make_order, lamp, gift):
    order = paid_order(make_order, {gift.pk: 1})
    card = GiftCard.objects.get(issued_by_order=order)
    make_order({lamp.pk: 1}, giftcard_number=card.number)
    with pytest.raises(DomainError, match="already been used"):
        services.refund_order(Order.objects.get(pk=order.pk))
    card.refresh_from_db()
    assert not card.is_blocked and card.balance == D("5.10")
    assert not LedgerEntry.objects.filter(kind=VOID).exists()


# --- cards blocked for another reason --------------------------------------------------------


def test_a_card_blocked_by_staff_keeps_its_balance_and_is_still_counted(
    make_order, make_card, gift, admin_client
):
    fraud = make_card("40.00")
    giftcard_services.set_blocked(fraud, True)
    order = paid_order(make_order, {gift.pk: 1})  # the order stands
    bought = GiftCard.objects.get(issued_by_order=order)
    giftcard_services.set_blocked(bought, True)

    for card in (fraud, bought):
        card.refresh_from_db()
        assert card.is_blocked and card.balance == card.initial_value
        assert not card.ledger.filter(kind=VOID).exists()
    figure = liability()
    assert figure["cards"]["total"] == D("65.00")
    assert figure["cards"]["blocked_count"] == 2 and figure["cards"]["blocked_total"] == D("65.00")

    page = admin_client.get(reverse("admin:index")).content.decode()
    assert "of which 2 blocked cards" in page
    assert "Cards blocked by staff are counted" in page
    blocked = admin_client.get(figure["cards"]["blocked_url"])
    assert blocked.status_code == 200
    assert {c.pk for c in blocked.context["cl"].result_list} == {fraud.pk, bought.pk}

    # unblocked, it is usable with its whole balance again
    giftcard_services.set_blocked(fraud, False)
    fraud.refresh_from_db()
    assert fraud.state == CardState.AVAILABLE and fraud.balance == D("40.00")


# --- what the customer is told ---------------------------------------------------------------


def test_the_refund_mail_and_pdf_name_the_cards_no_longer_valid(make_order, lamp, gift):
    order = paid_order(make_order, {lamp.pk: 1, gift.pk: 2})
    cards = list(GiftCard.objects.filter(issued_by_order=order).order_by("line_unit"))
    services.refund_order(order)
    note = CreditNote.objects.get(invoice__order=order, is_final=True)

    text, html = last_mail("order_refunded")
    document = pdf_text(pdf.credit_note_pdf_bytes(note.pk))
    for card in cards:
        for body in (text, html, document):
            assert invalid(card) in body
            assert card.display_number not in body and card.number not in body

    # sent again, the note says the same
    services.send_credit_note(note)
    text, html = last_mail("order_credit_note")
    assert all(invalid(card) in text and invalid(card) in html for card in cards)


def test_a_partial_credit_of_a_card_names_it_and_other_notes_say_nothing(make_order, lamp, gift):
    order = paid_order(make_order, {lamp.pk: 1, gift.pk: 1})
    card = GiftCard.objects.get(issued_by_order=order)
    lamp_note = services.create_credit_note(order, {order.lines.get(product=lamp).pk: 1})
    text, html = last_mail("order_credit_note")
    assert "bought with this order is no longer valid" not in text + html
    assert "no longer valid" not in pdf_text(pdf.credit_note_pdf_bytes(lamp_note.pk))

    card_note = services.create_credit_note(
        Order.objects.get(pk=order.pk), {order.lines.get(is_giftcard=True).pk: 1}
    )
    assert not card_note.is_final  # the shipping is not credited
    text, html = last_mail("order_credit_note")
    assert invalid(card) in text and invalid(card) in html
    assert invalid(card) in pdf_text(pdf.credit_note_pdf_bytes(card_note.pk))
    # the earlier note's documents still say nothing about it
    assert "no longer valid" not in pdf_text(pdf.credit_note_pdf_bytes(lamp_note.pk))


def test_the_cancellation_of_an_unpaid_order_sends_no_card_notice(make_order, gift):
    order = make_order({gift.pk: 1})
    services.cancel_order(order)
    assert not GiftCard.objects.exists() and not LedgerEntry.objects.filter(kind=VOID).exists()


# --- migration 0005: cards blocked before ------------------------------------------------------


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


@pytest.fixture
def before_voiding(db):
    _migrate(BEFORE)
    yield
    _migrate(None)


def _as_left_before(order):
    """The order's cards as the cancellation / full refund left them before: blocked, their
    balance still on them (the void entries the current code wrote taken away)."""
    for card in GiftCard.objects.filter(issued_by_order=order):
        card.ledger.filter(kind=VOID).delete()
        GiftCard.objects.filter(pk=card.pk).update(balance=card.initial_value)


@pytest.mark.django_db(transaction=True)
def test_the_migration_voids_what_cards_of_refunded_and_canceled_orders_still_hold(
    before_voiding, make_order, make_card, lamp, gift
):
    refunded = paid_order(make_order, {lamp.pk: 1, gift.pk: 1})
    services.refund_order(refunded)
    _as_left_before(refunded)
    canceled = paid_not_invoiced(make_order, {gift.pk: 1})
    services.cancel_order(canceled)
    _as_left_before(canceled)
    # left as they are: blocked by staff while the order stands, a card issued by the shop,
    # and one an operator unblocked again after the cancellation
    standing = paid_order(make_order, {gift.pk: 1})
    giftcard_services.set_blocked(GiftCard.objects.get(issued_by_order=standing), True)
    fraud = make_card("40.00")
    giftcard_services.set_blocked(fraud, True)
    unblocked_order = paid_not_invoiced(make_order, {gift.pk: 1})
    services.cancel_order(unblocked_order)
    _as_left_before(unblocked_order)
    giftcard_services.set_blocked(GiftCard.objects.get(issued_by_order=unblocked_order), False)
    assert liability()["cards"]["total"] == D("140.00")
    assert_all_ledgers_match()

    _migrate(None)

    note = CreditNote.objects.get(invoice__order=refunded, is_final=True)
    refunded_card = GiftCard.objects.get(issued_by_order=refunded)
    void = refunded_card.ledger.get(kind=VOID)
    assert refunded_card.balance == 0 and void.amount == D("-25.00")
    assert void.order_id == refunded.pk
    assert void.display_reason == f"Credit note {note.number} of order {refunded.number}"
    canceled_card = GiftCard.objects.get(issued_by_order=canceled)
    void = canceled_card.ledger.get(kind=VOID)
    assert canceled_card.balance == 0 and void.amount == D("-25.00")
    assert void.display_reason == f"Order {canceled.number} canceled"
    for kept in (
        GiftCard.objects.get(issued_by_order=standing),
        fraud,
        GiftCard.objects.get(issued_by_order=unblocked_order),
    ):
        kept.refresh_from_db()
        assert kept.balance == kept.initial_value
        assert not kept.ledger.filter(kind=VOID).exists()
    assert liability()["cards"]["total"] == D("90.00")
    assert_all_ledgers_match()
    # the refund's documents now name the card
    assert invalid(refunded_card) in pdf_text(pdf.credit_note_pdf_bytes(note.pk))
