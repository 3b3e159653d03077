"""The backoffice product search looks at every language's name and the SKU, whatever
language the operator reads: modeltranslation maps ``name`` to the active language only, so
a Danish operator found "kaffe" but neither "Kaffee" nor "coffee", and a product without a
Danish name — listed under its English one — not even by the name shown."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def danish_operator(admin_client, staff):
    staff.language = "da"
    staff.save(update_fields=["language"])
    return admin_client


def found(client, term):
    response = client.get(reverse("admin:shop_product_changelist"), {"q": term})
    return sorted(product.sku for product in response.context["cl"].result_list)


def test_the_product_search_finds_every_languages_name_and_the_sku(danish_operator):
    ProductFactory(
        sku="PAN-001", name_en="Coffee", name_de="Kaffee", name_pl="Kawa", name_da="Kaffe"
    )
    ProductFactory(sku="KIT-002", name_en="Tea towel", name_de=None, name_pl=None, name_da=None)
    ProductFactory(sku="KIT-003", name_en="Jug", name_de="Krug", name_pl=None, name_da=None)
    for term in ("kaffe", "Kaffee", "coffee", "KAWA", "pan-001"):
        assert found(danish_operator, term) == ["PAN-001"], term
    # Listed under its English name (no Danish one): found by that name.
    assert found(danish_operator, "tea towel") == ["KIT-002"]
    assert found(danish_operator, "krug") == ["KIT-003"]


def test_searching_takes_as_many_queries_for_many_products_as_for_few(danish_operator):
    def queries():
        url = reverse("admin:shop_product_changelist")
        danish_operator.get(url, {"q": "kaffee"})  # warm per-request caches
        with CaptureQueriesContext(connection) as ctx:
            response = danish_operator.get(url, {"q": "kaffee"})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    ProductFactory(name_en="Coffee", name_de="Kaffee")
    few = queries()
    for i in range(12):
        ProductFactory(name_en=f"Coffee {i}", name_de=f"Kaffee {i}", name_pl=f"Kawa {i}")
    assert queries() <= few  # (the shop settings may come from the cache the second time)
