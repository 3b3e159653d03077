"""The personal-data report names the things a person's records point at — a review's
product, a thread's topic — by their name in the reader's language, not as "#1"; another
person's record stays a number."""

import pytest
from django.utils import translation

from privacy.subjects import collect_places, resolve
from tests.factories import ProductFactory
from tests.reviews.factories import ReviewFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "name"),
    [("en", "Wool socks"), ("pl", "Wełniane skarpety"), ("da", "Uldsokker")],
)
def test_a_review_names_its_product_in_the_readers_language(erika, language, name):
    product = ProductFactory(name_en="Wool socks", name_pl="Wełniane skarpety", name_da="Uldsokker")
    ReviewFactory(product=product, customer=erika, email=erika.email, author_name="Erika M.")
    other = ProductFactory(name_en="Scarf", name_pl="Szalik", name_da="Halstørklæde")
    ReviewFactory(product=other, customer=erika, email=erika.email, author_name="Erika M.")
    with translation.override(language):
        places = collect_places(resolve(f"customer:{erika.pk}"))
    reviews = next(p for p in places if p["model"] == "reviews.review")
    shown = sorted(
        f["value"] for r in reviews["records"] for f in r["fields"] if f["name"] == "product"
    )
    assert name in shown and len(shown) == 2
    assert not any(value.startswith("#") for value in shown)
