"""E-mail addresses are unique regardless of case: in the database, and with a friendly
message (never a 500) wherever an address is entered."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from customers import confirmation, services
from customers.models import StaffUser, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TAKEN = "An account with this e-mail address already exists."


def test_database_refuses_a_differently_cased_duplicate():
    UserFactory(email="erika@example.com")
    # bulk_create skips User.save(), which would lower-case the address.
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email="Erika@Example.COM", password="!")])
    assert User.objects.filter(email__iexact="erika@example.com").count() == 1


def test_registration_refuses_it_with_a_form_error(client):
    UserFactory(email="erika@example.com")
    response = client.post(
        reverse("customers:register"),
        {
            "email": "ERIKA@example.com",
            "first_name": "E",
            "last_name": "M",
            "password1": "a-long-Pass-2026",
            "password2": "a-long-Pass-2026",
        },
    )
    assert response.status_code == 200
    assert TAKEN in response.content.decode()


def test_registration_that_loses_a_race_gets_the_same_error(monkeypatch):
    UserFactory(email="erika@example.com")
    # The other registration commits between our check and our INSERT.
    monkeypatch.setattr(User.objects, "select_for_update", lambda **kw: User.objects.none())
    with pytest.raises(services.CustomerError) as caught:
        confirmation.register_customer("Erika@example.com", "a-long-Pass-2026")
    assert caught.value.field == "email" and caught.value.message == TAKEN


def test_backoffice_new_staff_user_with_a_taken_address_is_a_form_error(admin_client):
    from tests.factories import StaffFactory

    StaffFactory(email="clerk@example.com")
    response = admin_client.post(
        reverse("admin:customers_staffuser_add"),
        {
            "email": "Clerk@Example.com",
            "usable_password": "true",
            "password1": "Clerk-pass-2026!",
            "password2": "Clerk-pass-2026!",
        },
    )
    assert response.status_code == 200
    assert TAKEN in response.content.decode()
    assert StaffUser.objects.filter(email__iexact="clerk@example.com").count() == 1


def test_backoffice_customer_with_a_taken_address_is_a_form_error(admin_client, customer):
    other = UserFactory(email="other@example.com")
    response = admin_client.post(
        reverse("admin:customers_user_change", args=[other.pk]),
        {
            "email": customer.email.upper(),
            "first_name": "O",
            "last_name": "T",
            "language": "en",
            "is_active": "on",
            "addresses-TOTAL_FORMS": "0",
            "addresses-INITIAL_FORMS": "0",
            "addresses-MIN_NUM_FORMS": "0",
            "addresses-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200
    assert "already uses this e-mail address" in response.content.decode()
    other.refresh_from_db()
    assert other.email == "other@example.com"
