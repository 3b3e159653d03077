"""Product names sort as their language sorts (shop/0025: each language's column has that
language's ICU collation) — the database's C collation put "Äpfel" after "Nordische…",
"Świece" after "Wazon" and the Danish Å before Æ."""

import pytest
from django.db import connection
from django.utils import translation

from shop.models import Product
from tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

NAMES = {
    "de": ["Apfelmus", "Äpfel getrocknet", "Nordische Marmelade", "Zimt"],
    "pl": ["Szklanka", "Świece z wosku", "Talerz", "Wazon"],
    "da": ["Aske", "Zebra", "Æble", "Øl", "Åben"],
}
EXPECTED = {
    "de": ["Äpfel getrocknet", "Apfelmus", "Nordische Marmelade", "Zimt"],
    "pl": ["Szklanka", "Świece z wosku", "Talerz", "Wazon"],
    "da": ["Aske", "Zebra", "Æble", "Øl", "Åben"],
}


def test_every_name_column_has_its_languages_collation():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, collation_name FROM information_schema.columns "
            "WHERE table_name = 'shop_product' AND column_name LIKE 'name%%'"
        )
        collations = dict(cursor.fetchall())
    assert collations == {
        "name": "und-x-icu",
        "name_en": "und-x-icu",
        "name_de": "de-x-icu",
        "name_pl": "pl-x-icu",
        "name_da": "da-x-icu",
    }


@pytest.mark.parametrize("language", ["de", "pl", "da"])
def test_a_category_lists_its_products_in_the_languages_order(client, language):
    category = CategoryFactory(slug=f"sorted-{language}")
    for name in NAMES[language]:
        ProductFactory(category=category, name=name, **{f"name_{language}": name})
    with translation.override(language):
        ordered = list(
            Product.objects.filter(category=category)
            .order_by("name")
            .values_list(f"name_{language}", flat=True)
        )
        url = category.get_absolute_url()
    assert ordered == EXPECTED[language]
    page = client.get(url).content.decode()
    shown = [name for name in EXPECTED[language] if name in page]
    positions = [page.index(name) for name in shown]
    assert shown == EXPECTED[language] and positions == sorted(positions)
