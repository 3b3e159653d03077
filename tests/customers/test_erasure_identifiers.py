"""Erasure takes a person out of free text whole: the e-mail address before the names in it.

A first name inside the address ("erika" in erika@…) replaced before the address left
"Gelöscht@example.com" in the order history, and a last name in a personal domain
(erika@mustermann-bau.de) left the rest of the domain readable. Every place that scrubs a
data subject out of free text (order comments and events, withdrawals, return notes,
helpdesk threads, reviews, credit-ledger reasons) must take the longest identifier first,
in any case.
"""

import json
from decimal import Decimal

import pytest
from django.utils import translation

from customers import services
from customers.erasure import scrubber
from giftcards import services as giftcard_services
from helpdesk.models import Message, Thread
from orders.aftersales import Return, Withdrawal
from orders.models import OrderComment
from orders.services import (
    add_comment,
    create_invoice,
    create_return,
    create_shipment,
    mark_paid,
    record_withdrawal,
    send_invoice,
    send_tracking,
)
from reviews.models import Review
from tests.customers.test_erasure_across_apps import rows_mentioning, scanned_models
from tests.factories import StaffFactory, UserFactory, settle_open_business
from tests.helpdesk.factories import MessageFactory, ThreadFactory
from tests.orders.factories import ship_all
from tests.reviews.factories import ReviewFactory

pytestmark = pytest.mark.django_db

FIRST, LAST = "Erika", "Mustermann"  # the checkout's billing name (tests/conftest.py)

ADDRESSES = [
    # the first name is the address's local part, the domain is anyone's
    "erika@example.com",
    # a personal domain: the last name is in it
    "erika@mustermann-bau.de",
    # both names in the address, written in another case than the name
    "Erika.Mustermann@Mustermann-Bau.de",
]


@pytest.fixture
def staff(db):
    """The operator, with a name of their own: a random one could be "Erika" too."""
    return StaffFactory(is_superuser=True, first_name="Jonas", last_name="Berger")


def parts_of(address):
    """What must not be readable after the erasure: the address, its local part, the names
    and the rest of a personal domain ("Gelöscht-bau.de" still names the firm)."""
    local, domain = address.lower().split("@")
    parts = {address.lower(), local, FIRST.lower(), LAST.lower()}
    if domain != "example.com":
        parts.add(domain.removeprefix(LAST.lower()))  # "-bau.de"
    return parts


def order_with_history(make_order, staff, user, email):
    order = make_order(customer=user, email=email)
    mark_paid(order)
    invoice = create_invoice(order)
    send_invoice(invoice, user=staff)
    shipment = create_shipment(order, ship_all(order), tracking=[("dhl", "00340434161094042557")])
    send_tracking(shipment, user=staff)
    add_comment(order, f"{FIRST} called: write to {email.upper()} only, please.", user=staff)
    return order, invoice, shipment


@pytest.mark.parametrize("email", ADDRESSES)
def test_order_history_keeps_no_part_of_an_address_that_contains_the_name(make_order, staff, email):
    user = UserFactory(email=email, first_name=FIRST, last_name=LAST)
    order, invoice, shipment = order_with_history(make_order, staff, user, email)

    with translation.override("de"):  # the operator erases in German
        services.delete_customer(user, by=staff)

    comments = list(OrderComment.objects.filter(order=order).order_by("pk"))
    for comment in comments:
        stored = (comment.text + json.dumps(comment.message, ensure_ascii=False)).lower()
        for part in parts_of(email):
            assert part not in stored, (part, comment.text, comment.message)
    with translation.override("de"):
        shown = [comment.display_text for comment in comments]
    assert f"Rechnung {invoice.number} per E-Mail an Gelöscht gesendet." in shown
    assert f"Sendungsverfolgung zu {shipment.number} an Gelöscht gesendet." in shown
    assert "Gelöscht called: write to Gelöscht only, please." in shown
    assert not any("@" in text for text in shown)


@pytest.mark.parametrize("email", ADDRESSES)
def test_withdrawal_and_return_notes_keep_no_part_of_the_address(make_order, staff, email):
    user = UserFactory(email=email, first_name=FIRST, last_name=LAST)
    order, _invoice, _shipment = order_with_history(make_order, staff, user, email)
    withdrawal = record_withdrawal(
        name=f"{FIRST} {LAST}",
        email=email,
        order_number=order.number,
        reason=f"Please confirm to {email.upper()}.",
        items_text=f"Everything {FIRST} ordered",
        customer=user,
    )
    returned = create_return(
        order,
        ship_all(order),
        Return.Reason.DEFECTIVE,
        note=f"Parcel from {FIRST} {LAST} <{email}>",
        user=staff,
    )
    settle_open_business(order)  # the withdrawal processed, the return closed

    services.delete_customer(user, by=staff)

    withdrawal = Withdrawal.objects.get(pk=withdrawal.pk)
    note = Return.objects.get(pk=returned.pk).note
    for text in (withdrawal.reason, withdrawal.items_text, note):
        assert "@" not in text
        for part in parts_of(email):
            assert part not in text.lower(), (part, text)
    assert withdrawal.reason == "Please confirm to Deleted."
    assert note == "Parcel from Deleted <Deleted>"


@pytest.mark.parametrize("email", ADDRESSES)
def test_no_table_keeps_a_part_of_the_address_after_erasure(make_order, staff, email):
    """The whole shop, every app that scrubs free text, one rule: the scan reads every
    table of the shop's apps as the across-apps test does."""
    user = UserFactory(email=email, first_name=FIRST, last_name=LAST)
    order_with_history(make_order, staff, user, email)
    thread = ThreadFactory(
        customer=user, email=email, name=f"{FIRST} {LAST}", subject=f"Order for {FIRST} {LAST}"
    )
    MessageFactory(thread=thread, text=f"Hello {FIRST} {LAST}, we answered to {email.upper()}.")
    review = ReviewFactory(
        customer=user, email=email, author_name=f"{FIRST} {LAST}", text=f"Ask me: {email}"
    )
    card = giftcard_services.issue_cards(Decimal("20.00"), 1)[0]
    _card, account, _amount = giftcard_services.redeem_to_account(card.number, user)
    giftcard_services.adjust_account(
        account, Decimal("-20.00"), f"Paid out, receipt sent to {email}", staff
    )
    assert any(rows_mentioning(model, *parts_of(email)) for model in scanned_models())

    services.delete_customer(user, by=staff)

    traces = {
        model.__name__: rows
        for model in scanned_models()
        if (rows := rows_mentioning(model, *parts_of(email)))
    }
    assert traces == {}
    assert Message.objects.get(thread=thread).text == (
        f"Hello Deleted customer, we answered to deleted-t{thread.pk}@invalid."
    )
    assert Thread.objects.get(pk=thread.pk).subject == "Order for Deleted customer"
    assert Review.objects.get(pk=review.pk).text == f"Ask me: deleted-r{review.pk}@invalid"


def test_helpdesk_replaces_an_address_that_contains_the_accounts_address_whole(staff):
    """The thread came from another address of the person that ends in the account's
    address; replaced in the given order, "info." of it stayed."""
    user = UserFactory(email="erika@mustermann-bau.de", first_name=FIRST, last_name=LAST)
    thread = ThreadFactory(customer=user, email="info.erika@mustermann-bau.de", name=FIRST)
    MessageFactory(
        thread=thread, text="Sent from info.erika@mustermann-bau.de and Erika@Mustermann-Bau.de"
    )

    services.delete_customer(user, by=staff)

    placeholder = f"deleted-t{thread.pk}@invalid"
    assert Message.objects.get(thread=thread).text == f"Sent from {placeholder} and {placeholder}"


def test_scrubber_takes_the_longest_identifier_first_in_any_order_given():
    """The rule itself, whatever order an app lists the identifiers in."""
    replacements = [
        ("Erika", "N"),
        ("Mustermann", "N"),
        ("erika@mustermann-bau.de", "E"),
        ("Erika Mustermann", "N"),
    ]
    text = "Erika Mustermann <ERIKA@Mustermann-Bau.de>, cc erika; Mustermann-Bau GmbH"
    expected = "N <E>, cc N; N-Bau GmbH"
    assert scrubber(replacements)(text) == expected
    assert scrubber(list(reversed(replacements)))(text) == expected


def test_scrubber_skips_empty_and_one_letter_identifiers_and_counts_a_repeat_once():
    clean = scrubber([("", "X"), (None, "X"), ("E", "X"), ("ERIKA", "first"), ("erika", "second")])
    assert clean("E. Erika and erika") == "E. first and first"
    assert scrubber({})("Erika") == "Erika"


def test_scrubber_replaces_both_spellings_of_a_name_with_sharp_s():
    clean = scrubber([("Weiß", "N"), ("WEISS", "N")])
    assert clean("Frau Weiß, on the parcel: WEISS") == "Frau N, on the parcel: N"


def test_a_first_or_last_name_alone_is_scrubbed_in_every_app(staff):
    """ "Hallo Erika" in a helpdesk reply, "Frau Mustermann" in a review, a ledger reason
    naming her: a name part names the person as much as the whole name does (the orders'
    rule, ``customers.erasure.person_names``, now everywhere)."""
    user = UserFactory(email="e.m@example.org", first_name=FIRST, last_name=LAST)
    thread = ThreadFactory(customer=user, email=user.email, name="Erika M.", subject="Lamp")
    MessageFactory(thread=thread, text="Hallo Erika, danke für Ihre Nachricht.")
    MessageFactory(thread=thread, text="Sehr geehrte Frau Mustermann, hier ist Jonas.")
    review = ReviewFactory(
        customer=user, email=user.email, author_name="Erika M.", text="My husband calls me Erika."
    )
    card = giftcard_services.issue_cards(Decimal("20.00"), 1)[0]
    _card, account, _amount = giftcard_services.redeem_to_account(card.number, user)
    giftcard_services.adjust_account(account, Decimal("-20.00"), "Paid out to Erika", staff)

    services.delete_customer(user, by=staff)

    texts = sorted(Message.objects.filter(thread=thread).values_list("text", flat=True))
    assert texts == [
        "Hallo Deleted customer, danke für Ihre Nachricht.",
        "Sehr geehrte Frau Deleted customer, hier ist Jonas.",  # the operator's name stays
    ]
    assert Review.objects.get(pk=review.pk).text == "My husband calls me Deleted customer."
    from giftcards.models import LedgerEntry

    reasons = list(LedgerEntry.objects.filter(account=account).values_list("reason", flat=True))
    assert "Paid out to Deleted customer" in reasons
    assert not any("Erika" in reason for reason in reasons)


def test_person_names_are_the_whole_names_and_their_capitalised_words():
    from customers.erasure import person_names

    user = UserFactory.build(first_name="Bo", last_name="de Vries")
    assert person_names(user, "B. de Vries", "Bo Ng", "") == [
        "Bo de Vries",
        "Bo",
        "de Vries",
        "B. de Vries",
        "Vries",  # not the initial, not "de" (a particle, and a Danish word)
        "Bo Ng",
        "Bo",
        "Ng",
    ]


def test_erasure_deletes_the_emails_to_earlier_addresses_and_those_quoting_the_person(
    make_order, staff
):
    """The order confirmation went to the address the customer had before changing it, and
    the staff notice of a contact message carries the person as its reply-to: both are the
    person's data and go with the account (pending ones are still delivered)."""
    from django.utils import timezone

    from shop.models import OutboxEmail

    user = UserFactory(email="jan.old@example.pl", first_name="Jan", last_name="Nowak")
    order = make_order(customer=user, email=user.email)
    user.email = "jan.new@example.pl"
    user.save()
    ThreadFactory(customer=user, email="jan.work@example.pl", name="Jan Nowak")

    def sent(to, reply_to=()):
        return OutboxEmail.objects.create(
            to=[to],
            reply_to=list(reply_to),
            subject="s",
            body_text="Jan Nowak wrote …",
            template="t",
            status=OutboxEmail.Status.SENT,
            sent_at=timezone.now(),
        )

    confirmation = sent(order.email)
    notice = sent("operator@example.com", reply_to=["Jan.New@example.pl"])
    from_work = sent("jan.work@example.pl")
    other = sent("someone@example.com", reply_to=["else@example.com"])
    pending = OutboxEmail.objects.create(
        to=["jan.old@example.pl"], subject="s", body_text="b", template="t"
    )

    summary = services.delete_customer(user, by=staff)

    left = set(OutboxEmail.objects.values_list("pk", flat=True))
    assert {confirmation.pk, notice.pk, from_work.pk} & left == set()
    assert {other.pk, pending.pk} <= left
    assert summary["emails_deleted"] >= 3
