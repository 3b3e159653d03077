"""S11: an access-log entry names the person whose data was shown, also when the row reaches
that person only through other rows (a credit account's ledger entry, a shipment's tracking
number, a helpdesk message), and never names staff as a data subject."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from giftcards import services as giftcard_services
from giftcards.models import LedgerEntry
from orders import services as order_services
from orders.models import TrackingNumber
from privacy.models import AccessLogEntry
from privacy.registry import STAFF_FIELD_NAMES, subjects_for, subjects_for_rows
from privacy.subjects.history import consultations
from privacy.subjects.people import resolve
from shop.personal_data import customer_ref, order_ref
from tests.factories import UserFactory
from tests.helpdesk.factories import MessageFactory, ThreadFactory

pytestmark = pytest.mark.django_db

# Foreign keys to the user model that name the data subject; every other one must be a
# staff field (STAFF_FIELD_NAMES) or belong to a model that names its subjects itself.
CUSTOMER_FIELDS = {"customer", "assigned_to"}


def newest():
    return AccessLogEntry.objects.order_by("-id").first()


def redeemed(customer, amount="20.00"):
    card = giftcard_services.issue_cards(Decimal(amount), 1)[0]
    giftcard_services.redeem_to_account(card.number, customer)
    return card


def test_a_credit_accounts_ledger_entry_names_the_customer(admin_client):
    erika = UserFactory()
    card = redeemed(erika)
    entry = LedgerEntry.objects.get(account__customer=erika)  # no order: reached via account
    assert customer_ref(erika.pk) in subjects_for(entry)
    # The card's own entries name her too: the card was redeemed into her account.
    card_entry = LedgerEntry.objects.get(card=card, kind="redeem_to_account")
    assert customer_ref(erika.pk) in subjects_for(card_entry)
    response = admin_client.get(reverse("admin:giftcards_ledgerentry_change", args=[entry.pk]))
    assert response.status_code == 200
    assert customer_ref(erika.pk) in newest().subjects
    # Her access report counts the consultation.
    assert newest().pk in [c.entry_id for c in consultations(resolve(customer_ref(erika.pk)))]


def test_the_ledger_list_names_every_customer_in_a_fixed_number_of_queries(admin_client):
    people = UserFactory.create_batch(2)
    for person in people:
        redeemed(person)
    url = reverse("admin:giftcards_ledgerentry_changelist")
    admin_client.get(url)  # the first request of a test also creates the shop settings
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(url).status_code == 200
    subjects = newest().subjects
    assert {customer_ref(p.pk) for p in people} <= set(subjects)
    for _ in range(3):
        redeemed(UserFactory())
    with CaptureQueriesContext(connection) as more:
        assert admin_client.get(url).status_code == 200
    assert len(more) <= len(few)  # no query per row
    assert len([s for s in newest().subjects if s.startswith("customer:")]) == 5


def test_rows_two_steps_away_name_the_order_and_the_thread_s_person(
    make_order, customer, staff, product
):
    order = make_order(customer=customer, email=customer.email)
    order_services.create_invoice(order)
    lines = {line.pk: line.quantity for line in order.lines.all()}
    shipment = order_services.create_shipment(order, lines, tracking=[("dhl", "00340434")])
    tracking = TrackingNumber.objects.get(shipment=shipment)
    assert order_ref(order.pk) in subjects_for(tracking)
    thread = ThreadFactory(customer=customer)
    message = MessageFactory(thread=thread, author=staff)
    assert customer_ref(customer.pk) in subjects_for(message)
    assert customer_ref(staff.pk) not in subjects_for(message)  # the staff author is no subject
    # The same through the list path, rows loaded in bulk.
    assert order_ref(order.pk) in subjects_for_rows([tracking])


def test_every_foreign_key_to_the_user_model_is_known_as_customer_or_staff():
    from privacy.registry import OWN_SUBJECTS
    from shop import personal_data

    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    unknown = []
    for model in apps.get_models():
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        declared = personal_data.source(label)
        if label in OWN_SUBJECTS or (declared is not None and declared.subjects is not None):
            continue
        if declared is not None and not declared.personal:
            continue
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is user_model:
                if field.name not in CUSTOMER_FIELDS | STAFF_FIELD_NAMES:
                    unknown.append(f"{label}.{field.name}")
    assert not unknown, (
        "Foreign keys to the user model whose role the access log does not know (add them "
        f"to privacy.registry.STAFF_FIELD_NAMES or to CUSTOMER_FIELDS here): {unknown}"
    )


def test_rows_further_away_are_looked_up_only_so_many_steps(monkeypatch):
    """A redeemed card's entry reaches its customer in two steps (entry → card → account);
    the walk stops at MAX_STEPS, so a cycle of foreign keys can never run away."""
    from privacy import registry

    erika = UserFactory()
    card = redeemed(erika)
    entry = LedgerEntry.objects.get(card=card, kind="redeem_to_account")
    assert customer_ref(erika.pk) in subjects_for(entry)
    monkeypatch.setattr(registry, "MAX_STEPS", 1)
    entry = LedgerEntry.objects.get(pk=entry.pk)
    assert subjects_for(entry) == [f"giftcards.ledgerentry:{entry.pk}"]
    assert subjects_for_rows([LedgerEntry.objects.get(pk=entry.pk)]) == subjects_for(entry)
