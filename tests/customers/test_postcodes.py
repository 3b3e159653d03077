"""Postcodes in their country's form (customers.postcodes): one rule for the address book,
the backoffice customer page and the checkout, and the demo shop keeps it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from customers.models import Address
from customers.postcodes import RULES, normalise_postcode
from orders.models import Order
from shop.models import DELIVERY_COUNTRIES
from tests.html_forms import FormParser, post_data

pytestmark = pytest.mark.django_db

ADDRESS = {
    "first_name": "Anna",
    "last_name": "Nowak",
    "street": "Długa 1",
    "city": "Warszawa",
}


@pytest.mark.parametrize(
    "typed, country, written",
    [
        ("10115", "DE", "10115"),
        (" 10 115 ", "DE", "10115"),
        ("D-10115", "DE", "10115"),
        ("1010", "AT", "1010"),
        ("A-1010", "AT", "1010"),
        ("00-950", "PL", "00-950"),
        ("00950", "PL", "00-950"),
        ("00 950", "PL", "00-950"),
        ("00\u2013950", "PL", "00-950"),  # an en dash, as a phone's keyboard may type it
        ("PL-00-950", "PL", "00-950"),
        ("1050", "DK", "1050"),
        ("dk-1050", "DK", "1050"),
        # Other countries: as typed, trimmed — their form is not checked.
        (" SW1A 1AA ", "GB", "SW1A 1AA"),
        ("39100", "IT", "39100"),
        ("anything", "QQ", "anything"),
    ],
)
def test_a_postcode_is_written_as_its_country_writes_it(typed, country, written):
    assert normalise_postcode(typed, country) == written


@pytest.mark.parametrize(
    "typed, country",
    [
        ("ABC", "DE"),
        ("1011", "DE"),
        ("101155", "DE"),
        ("١٠١١٥", "DE"),  # digits, but not the ones a German postcode has
        ("10100", "AT"),
        ("123", "DK"),
        ("0095", "PL"),
        ("00-9500", "PL"),
        ("DK-1050", "DE"),  # another country's prefix
    ],
)
def test_a_postcode_not_in_its_countrys_form_is_refused(typed, country):
    with pytest.raises(ValidationError) as refused:
        normalise_postcode(typed, country)
    assert refused.value.code == "postcode"
    example = RULES[country].example
    assert refused.value.messages == [f"Please enter a postcode like {example}."]
    assert normalise_postcode(example, country) == example  # the example keeps the rule


def test_every_country_the_checkout_delivers_to_has_a_rule():
    assert {code for code, _name in DELIVERY_COUNTRIES} <= set(RULES)


# --- the address book -----------------------------------------------------------------------


@pytest.fixture
def address_book(client, customer):
    client.force_login(customer)
    with translation.override("en"):
        return reverse("customers:address_add")


def test_the_address_book_refuses_a_postcode_not_in_the_countrys_form(
    client, customer, address_book
):
    response = client.post(address_book, {**ADDRESS, "postcode": "ABC", "country": "DE"})
    assert response.status_code == 200
    assert "Please enter a postcode like 10115." in response.content.decode()
    assert not Address.objects.filter(customer=customer).exists()


@pytest.mark.parametrize(
    "typed, country, stored",
    [("00950", "PL", "00-950"), ("10 115", "DE", "10115"), ("SW1A 1AA", "GB", "SW1A 1AA")],
)
def test_the_address_book_stores_the_postcode_in_its_countrys_form(
    client, customer, address_book, typed, country, stored
):
    response = client.post(address_book, {**ADDRESS, "postcode": typed, "country": country})
    assert response.status_code == 302
    assert Address.objects.get(customer=customer).postcode == stored


def test_another_countrys_postcode_must_not_be_empty(client, customer, address_book):
    response = client.post(address_book, {**ADDRESS, "postcode": "  ", "country": "GB"})
    assert response.status_code == 200
    assert not Address.objects.filter(customer=customer).exists()


def test_an_address_saved_before_the_rule_stays_editable_until_its_postcode_changes(
    client, customer
):
    address = Address.objects.create(
        customer=customer, postcode="1", country="DE", is_default=True, **ADDRESS
    )
    client.force_login(customer)
    url = reverse("customers:address_edit", args=[address.pk])
    unchanged = {**ADDRESS, "postcode": "1", "country": "DE", "is_default": "on"}
    assert client.post(url, {**unchanged, "phone": "+49 30 123"}).status_code == 302
    address.refresh_from_db()
    assert (address.phone, address.postcode) == ("+49 30 123", "1")
    response = client.post(url, {**unchanged, "country": "AT"})  # a new country: checked
    assert "Please enter a postcode like 1010." in response.content.decode()
    address.refresh_from_db()
    assert address.country == "DE"


def test_the_backoffice_customer_page_checks_a_changed_postcode(admin_client, customer):
    Address.objects.create(
        customer=customer, postcode="00-001", country="PL", is_default=True, **ADDRESS
    )
    url = reverse("admin:customers_user_change", args=[customer.pk])
    parser = FormParser(url)
    parser.feed(admin_client.get(url).content.decode())
    fields = max(parser.forms, key=lambda form: len(form.fields)).fields

    def with_postcode(postcode):
        return post_data([(k, postcode if k == "addresses-0-postcode" else v) for k, v in fields])

    response = admin_client.post(url, with_postcode("0000"))
    assert response.status_code == 200
    assert "Please enter a postcode like 00-950." in response.content.decode()
    response = admin_client.post(url, with_postcode("31000"))
    assert response.status_code == 302
    assert Address.objects.get(customer=customer).postcode == "31-000"


# --- the demo shop ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_demo_shops_postcodes_keep_the_rule(settings, demo_copy):
    demo_copy.load(settings)
    addresses = list(Address.objects.values_list("postcode", "country"))
    orders = Order.objects.values_list(
        "billing_postcode", "billing_country", "shipping_postcode", "shipping_country"
    )
    postcodes = addresses + [pair for row in orders for pair in (row[:2], row[2:])]
    assert len(addresses) > 5 and len(postcodes) > 200
    wrong = {
        (postcode, country)
        for postcode, country in postcodes
        if normalise_postcode(postcode, country) != postcode
    }
    assert not wrong
