"""The personal-data browser's name search asks the database the same number of queries
whatever it finds: no query per customer, order or other record listed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _search(client, name):
    url = reverse("admin:privacy_subject_changelist") + f"?q={name}&scope=both"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_name_search_costs_the_same_for_two_matches_and_for_twelve(admin_client, make_order):
    for i in range(2):
        person = UserFactory(first_name=f"Ola{i}", last_name="Brzęczyk")
        make_order(customer=person, email=person.email)
    _search(admin_client, "brzeczyk")  # warm the per-process caches (content types, settings)
    few, page = _search(admin_client, "brzeczyk")
    assert page.count("Brzęczyk") == 2  # both customers, found without the accent
    for i in range(2, 12):
        person = UserFactory(first_name=f"Ola{i}", last_name="Brzęczyk")
        make_order(customer=person, email=person.email)
    more, page = _search(admin_client, "brzeczyk")
    assert page.count("Ola11") >= 1
    # No query per row; the shop settings' cache may spare one more on the second page.
    assert more <= few
