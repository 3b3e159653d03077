"""Default address: at most one per customer, kept by the services and the database."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from customers import services
from customers.models import Address
from tests.customers.factories import AddressFactory
from tests.factories import UserFactory
from tests.race import run_concurrently

pytestmark = pytest.mark.django_db


def defaults(customer):
    return list(Address.objects.filter(customer=customer, is_default=True))


def test_two_default_addresses_are_impossible_in_the_database(customer):
    AddressFactory(customer=customer, is_default=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        AddressFactory(customer=customer, is_default=True)
    AddressFactory(customer=UserFactory(), is_default=True)  # per customer
    AddressFactory(customer=customer, is_default=False)
    assert len(defaults(customer)) == 1


def test_first_address_becomes_the_default_and_a_new_default_takes_over(customer):
    first = services.save_address(customer, AddressFactory.build(customer=None))
    assert defaults(customer) == [first]
    second = services.save_address(customer, AddressFactory.build(customer=None, street="B 2"))
    assert defaults(customer) == [first]
    third = services.save_address(
        customer, AddressFactory.build(customer=None, street="C 3", is_default=True)
    )
    assert defaults(customer) == [third]
    services.set_default_address(customer, second)
    assert defaults(customer) == [second]


def test_deleting_the_default_promotes_the_oldest_remaining_address(customer):
    first = AddressFactory(customer=customer)
    second = AddressFactory(customer=customer)
    third = AddressFactory(customer=customer, is_default=True)
    services.delete_address(customer, third)
    assert defaults(customer) == [first]
    services.delete_address(customer, second)  # not the default: nothing moves
    assert defaults(customer) == [first]
    services.delete_address(customer, first)
    assert not Address.objects.filter(customer=customer).exists()


def test_storefront_delete_of_the_default_promotes_another(client, customer):
    first = AddressFactory(customer=customer, is_default=True)
    second = AddressFactory(customer=customer)
    client.force_login(customer)
    client.post(reverse("customers:address_delete", args=[first.pk]))
    assert defaults(customer) == [second]


def test_another_customers_address_is_refused(customer):
    foreign = AddressFactory(is_default=True)
    for operation in (services.set_default_address, services.delete_address):
        with pytest.raises(services.CustomerError):
            operation(customer, foreign)
    foreign.refresh_from_db()
    assert foreign.is_default


@pytest.mark.django_db(transaction=True)
def test_concurrent_set_default_leaves_exactly_one_default():
    customer = UserFactory()
    addresses = [AddressFactory(customer=customer, street=f"Weg {i}") for i in range(6)]
    outcomes = run_concurrently(
        lambda i: services.set_default_address(customer, addresses[i]), len(addresses)
    )
    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert len(defaults(customer)) == 1


# --- backoffice: the address inline on the customer page ------------------------------------


def _change_form_data(customer, rows):
    data = {
        "email": customer.email,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "company": "",
        "phone": "",
        "language": "en",
        "group": "",
        "open_amount_limit": "",
        "is_active": "on",
        "addresses-TOTAL_FORMS": str(len(rows)),
        "addresses-INITIAL_FORMS": str(len(rows)),
        "addresses-MIN_NUM_FORMS": "0",
        "addresses-MAX_NUM_FORMS": "1000",
    }
    for i, (address, is_default) in enumerate(rows):
        prefix = f"addresses-{i}-"
        data.update(
            {
                f"{prefix}id": str(address.pk),
                f"{prefix}customer": str(customer.pk),
                f"{prefix}first_name": address.first_name,
                f"{prefix}last_name": address.last_name,
                f"{prefix}company": "",
                f"{prefix}street": address.street,
                f"{prefix}postcode": address.postcode,
                f"{prefix}city": address.city,
                f"{prefix}country": address.country,
                f"{prefix}phone": "",
            }
        )
        if is_default:
            data[f"{prefix}is_default"] = "on"
    return data


def test_backoffice_moves_the_default_in_one_save(admin_client, customer):
    first = AddressFactory(customer=customer, is_default=True)
    second = AddressFactory(customer=customer, street="Zweiter Weg 2")
    url = reverse("admin:customers_user_change", args=[customer.pk])
    response = admin_client.post(url, _change_form_data(customer, [(first, False), (second, True)]))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert defaults(customer) == [second]


def test_backoffice_refuses_two_default_addresses_with_a_message(admin_client, customer):
    first = AddressFactory(customer=customer, is_default=True)
    second = AddressFactory(customer=customer, street="Zweiter Weg 2")
    url = reverse("admin:customers_user_change", args=[customer.pk])
    response = admin_client.post(url, _change_form_data(customer, [(first, True), (second, True)]))
    assert response.status_code == 200
    assert "Only one address can be the default address." in response.content.decode()
    assert defaults(customer) == [first]
