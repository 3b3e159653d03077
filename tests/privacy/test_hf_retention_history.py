"""Retention takes the person out of the backoffice's change history of what it anonymises or
deletes, as erasure does (``shop.adminlog``, through the apps' erasure functions): orders,
their withdrawal statements and returns, invoices and credit notes, statements that matched
no order, reviews, closed helpdesk threads. Before, the orders and reviews were anonymised
and the threads deleted while the history kept naming the person (found by an exploratory
test). Who changed what and when stays; other people's entries are left alone."""

import json
from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.management import call_command
from django.utils import timezone

from helpdesk.models import Thread
from orders.aftersales import Return, Withdrawal
from orders.models import CreditNote, Invoice, Order
from orders.services import (
    create_invoice,
    create_return,
    create_shipment,
    record_withdrawal,
    refund_order,
)
from reviews.models import Review
from shop.models import RetentionPolicy
from tests.factories import UserFactory
from tests.helpdesk.factories import MessageFactory, ThreadFactory
from tests.orders.factories import ship_all
from tests.reviews.factories import ReviewFactory

pytestmark = pytest.mark.django_db

GUEST = "gerda.gast@example.org"


def _years_ago(years):
    return timezone.now() - timedelta(days=365 * years + 2)


def _age(model, pk, field, years):
    model.objects.filter(pk=pk).update(**{field: _years_ago(years)})


def _log(staff, obj, message):
    LogEntry.objects.log_actions(
        staff.pk, [obj], CHANGE, change_message=message, single_object=True
    )
    return LogEntry.objects.filter(object_id=str(obj.pk)).latest("pk")


def _assert_scrubbed(entry, staff, *identifiers):
    entry.refresh_from_db()
    for identifier in identifiers:
        assert identifier not in entry.change_message, entry.change_message
        assert identifier not in entry.object_repr, entry.object_repr
    assert "Deleted" in entry.change_message
    assert entry.user_id == staff.pk and entry.action_flag == CHANGE  # who and what stay


def test_a_guest_orders_history_statements_and_returns_are_scrubbed(make_order, staff):
    order = make_order(email=GUEST)  # Erika Mustermann, Musterstraße 1
    create_invoice(order)
    create_shipment(order, ship_all(order))
    returned = create_return(order, ship_all(order), Return.Reason.DEFECTIVE)
    statement = record_withdrawal(
        name="Gerda Gast", email=GUEST, order_number=order.number, order=order
    )
    entries = [
        _log(staff, order, f"Erika Mustermann ({GUEST}) asked to ship to Musterstraße 1."),
        _log(staff, Withdrawal.objects.get(pk=statement.pk), "Gerda Gast phoned about it."),
        _log(staff, Return.objects.get(pk=returned.pk), "Erika sent it back herself."),
        # the admin's own JSON message
        _log(
            staff,
            order,
            json.dumps([{"changed": {"name": "note", "object": "Call Erika Mustermann"}}]),
        ),
    ]
    young = make_order(email="ida@example.org")
    untouched = _log(staff, young, "Erika Mustermann (ida@example.org) asked for it.")
    _age(Order, order.pk, "created", 3)

    call_command("apply_retention")

    assert Order.objects.get(pk=order.pk).email.endswith("@invalid")
    for entry in entries:
        _assert_scrubbed(entry, staff, "Erika", "Mustermann", GUEST, "Musterstraße", "Gerda")
    assert json.loads(entries[-1].change_message)[0]["changed"]["object"] == "Deleted"
    untouched.refresh_from_db()
    assert untouched.change_message == "Erika Mustermann (ida@example.org) asked for it."


def test_an_accounts_order_loses_what_the_account_says_about_the_person(make_order, staff):
    customer = UserFactory(first_name="Ida", last_name="Kundenfrau", phone="+49 30 1234567")
    order = make_order(customer=customer, email=customer.email)  # billed to Erika Mustermann
    entry = _log(
        staff,
        order,
        f"Ida Kundenfrau ({customer.email}) called from 030 1234567 for Erika Mustermann.",
    )
    _age(Order, order.pk, "created", 5)  # an order without invoice, past the limitation

    call_command("apply_retention")

    order.refresh_from_db()
    assert order.customer is None and order.email.endswith("@invalid")
    _assert_scrubbed(entry, staff, "Ida", "Kundenfrau", customer.email, "1234567", "Erika")


def test_invoices_and_credit_notes_lose_the_buyer_in_their_history(make_order, staff):
    customer = UserFactory(first_name="Ida", last_name="Kundenfrau")
    order = make_order(customer=customer, email=customer.email)
    invoice = create_invoice(order)
    refund_order(order, user=staff, reason="Out of stock")
    note = CreditNote.objects.get(invoice=invoice)
    entries = [
        _log(staff, invoice, f"Sent again to Erika Mustermann <{customer.email}>."),
        _log(staff, note, "Paid back to Erika Mustermann, Musterstraße 1."),
    ]
    for model, pk in ((Invoice, invoice.pk), (CreditNote, note.pk), (Order, order.pk)):
        _age(model, pk, "created", 12)

    call_command("apply_retention")

    assert Invoice.objects.get(pk=invoice.pk).buyer_email.endswith("@invalid")
    for entry in entries:
        _assert_scrubbed(entry, staff, "Erika", "Mustermann", customer.email, "Musterstraße")


def test_a_statement_that_matched_no_order_loses_its_author_in_the_history(staff):
    stranger = record_withdrawal(name="Sam Fremdling", email="sam@example.com", order_number="9")
    entry = _log(staff, stranger, "Sam Fremdling (sam@example.com) called twice.")
    recent = record_withdrawal(name="Neu Kunde", email="neu@example.com", order_number="1")
    untouched = _log(staff, recent, "Neu Kunde called.")
    _age(Withdrawal, stranger.pk, "received_at", 3)

    call_command("apply_retention")

    _assert_scrubbed(entry, staff, "Sam", "Fremdling", "sam@example.com")
    untouched.refresh_from_db()
    assert untouched.change_message == "Neu Kunde called."


def test_old_reviews_lose_their_author_in_the_history(staff):
    customer = UserFactory(first_name="Jan", last_name="Kowalski", email="jan@example.org")
    review = ReviewFactory(
        author_name="Jan K.", email="jan@example.org", customer=customer, text="Fine"
    )
    entry = _log(staff, review, "Reply removed; asked Jan Kowalski (jan@example.org) first.")
    assert "Jan K." in entry.object_repr
    _age(Review, review.pk, "created", 20)
    policy = RetentionPolicy.load()
    policy.review_years = 5
    policy.save()

    call_command("apply_retention")

    review.refresh_from_db()
    assert review.anonymised == Review.Anonymised.EXPIRED
    _assert_scrubbed(entry, staff, "Jan", "Kowalski", "jan@example.org")
    assert entry.object_repr == "Deleted"


def test_deleted_threads_leave_a_history_without_the_person(staff):
    thread = MessageFactory(
        thread=ThreadFactory(
            status=Thread.Status.CLOSED,
            email=GUEST,
            name="Gerda Gastmann",
            subject="Delivery for Gerda Gastmann",
        )
    ).thread
    entry = _log(staff, thread, f"Called Gerda Gastmann ({GUEST}).")
    assert "Gastmann" in entry.object_repr
    _age(Thread, thread.pk, "updated", 4)

    call_command("apply_retention")

    assert not Thread.objects.filter(pk=thread.pk).exists()
    _assert_scrubbed(entry, staff, "Gerda", "Gastmann", GUEST)
    assert entry.object_repr == "Deleted"
