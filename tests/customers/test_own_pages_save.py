"""A customer's own forms save what they show: the profile and an address, read from the
page as a browser sends them and posted back unchanged, in every language — the country
list, the business fields and the language choice come back as they were stored."""

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import translation

from customers.models import Address
from tests.html_forms import FormParser, post_data

pytestmark = pytest.mark.django_db


def post_back(client, url):
    page = client.get(url)
    assert page.status_code == 200
    parser = FormParser(url)
    parser.feed(page.content.decode())
    form = max(parser.forms, key=lambda form: len(form.fields))
    return client.post(url, post_data(form.fields))


@pytest.mark.parametrize("language", ["en", "de", "pl", "da"])
def test_the_profile_and_an_address_save_unchanged(client, customer, language):
    customer.company = "Nowak Sp. z o.o."
    customer.vat_id = "PL5260250274"
    customer.save()
    address = Address.objects.create(
        customer=customer,
        first_name="Anna",
        last_name="Nowak",
        street="Długa 1",
        postcode="00-001",
        city="Warszawa",
        country="PL",
        is_default=True,  # an only address is the default (customers.services.save_address)
    )
    client.force_login(customer)
    customer.refresh_from_db()
    before = (model_to_dict(customer), model_to_dict(address))
    with translation.override(language):
        profile = reverse("customers:profile")
        edit = reverse("customers:address_edit", args=[address.pk])
    assert post_back(client, profile).status_code == 302
    assert post_back(client, edit).status_code == 302
    customer.refresh_from_db()
    address.refresh_from_db()
    assert (model_to_dict(customer), model_to_dict(address)) == before
