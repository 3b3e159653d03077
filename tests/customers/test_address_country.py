"""An address's country is chosen from the countries' names in the reader's language (a
list, not a code to type in), in the address book and on the backoffice customer page."""

import pytest
from django.urls import reverse
from django.utils import translation

from customers.models import Address
from shop.locales import country_choices, sort_key

pytestmark = pytest.mark.django_db

ADDRESS = {
    "first_name": "Anna",
    "last_name": "Nowak",
    "street": "Długa 1",
    "postcode": "00-001",
    "city": "Warszawa",
}


def test_the_choices_are_the_countries_by_name_in_the_language():
    choices = dict(country_choices("de"))
    assert choices["DK"] == "Dänemark" and choices["PL"] == "Polen"
    assert "EU" not in choices and "UN" not in choices and "001" not in choices
    names = [name for _code, name in country_choices("de")]
    assert names.index("Oman") < names.index("Österreich") < names.index("Pakistan")
    assert dict(country_choices("pl"))["DE"] == "Niemcy"
    assert ("QQ", "QQ") in country_choices("en", keep="QQ")


def test_the_choices_sort_as_the_languages_alphabet_does():
    polish = [name for _code, name in country_choices("pl")]
    assert polish.index("Luksemburg") < polish.index("Łotwa") < polish.index("Macedonia Północna")
    assert polish.index("Wyspy Salomona") < polish.index("Wyspy Świętego Tomasza i Książęca")
    danish = [name for _code, name in country_choices("da")]
    assert danish[-3:] == ["Ækvatorialguinea", "Østrig", "Åland"]
    german = [name for _code, name in country_choices("de")]
    assert german.index("Afghanistan") < german.index("Ägypten") < german.index("Albanien")
    assert sort_key("Ö", "da") > sort_key("Z", "da") and sort_key("Ö", "de") < sort_key("P", "de")


def test_the_address_book_offers_country_names_and_saves_the_code(client, customer):
    client.force_login(customer)
    with translation.override("de"):
        url = reverse("customers:address_add")
    page = client.get(url).content.decode()
    assert '<select name="country"' in page and '<option value="DK">Dänemark</option>' in page
    # (A postcode in the chosen country's form: customers.postcodes.)
    response = client.post(url, {**ADDRESS, "postcode": "2100", "country": "DK"})
    assert response.status_code == 302
    assert Address.objects.get(customer=customer).country == "DK"


def test_a_country_not_on_the_list_is_refused_and_nothing_is_saved(client, customer):
    client.force_login(customer)
    with translation.override("de"):
        url = reverse("customers:address_add")
    response = client.post(url, {**ADDRESS, "country": "XX"})
    assert response.status_code == 200
    assert "Bitte wählen Sie ein Land aus der Liste." in response.content.decode()
    assert not Address.objects.filter(customer=customer).exists()


def test_editing_keeps_a_stored_code_that_is_not_on_the_list(client, customer):
    address = Address.objects.create(customer=customer, country="QQ", **ADDRESS)
    client.force_login(customer)
    url = reverse("customers:address_edit", args=[address.pk])
    assert '<option value="QQ" selected>QQ</option>' in client.get(url).content.decode()
    response = client.post(url, {**ADDRESS, "city": "Kraków", "country": "QQ"})
    assert response.status_code == 302
    address.refresh_from_db()
    assert (address.city, address.country) == ("Kraków", "QQ")


def test_the_backoffice_customer_page_offers_the_same_list(admin_client, customer, staff):
    Address.objects.create(customer=customer, country="AT", **ADDRESS)
    page = admin_client.get(reverse("admin:customers_user_change", args=[customer.pk]))
    html = page.content.decode()
    assert '<select name="addresses-0-country"' in html
    assert '<option value="AT" selected>Austria</option>' in html


@pytest.mark.parametrize("language", ["en", "de", "pl", "da"])
@pytest.mark.parametrize("value", ["", "DK", "PL", "QQ", None])
def test_the_country_list_is_written_as_djangos_select_writes_it(language, value):
    from django import forms
    from django.test.html import parse_html

    from customers.forms import CountrySelect

    with translation.override(language):
        choices = country_choices(keep=value or "")
        attrs = {"id": "id_country", "required": True, "aria-describedby": "x&y"}
        ours = CountrySelect(choices=choices).render("country", value, attrs)
        django = forms.Select(choices=choices).render("country", value, attrs)
    assert parse_html(ours) == parse_html(django)
    assert ours.count(" selected") == (1 if value else 0)


def test_the_backoffice_customer_page_shows_the_addresses_country_chosen(admin_client, customer):
    Address.objects.create(customer=customer, country="PL", **ADDRESS)
    page = admin_client.get(reverse("admin:customers_user_change", args=[customer.pk])).content
    page = page.decode()
    assert '<option value="PL" selected>' in page
    assert page.count('<option value="DK">') >= 2  # the address and the empty "add another"
