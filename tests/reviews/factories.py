import factory
from django.utils import timezone

from reviews.models import Review
from tests.factories import ProductFactory


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    product = factory.SubFactory(ProductFactory)
    rating = 4
    text = factory.Sequence(lambda n: f"Review text {n}")
    author_name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"reviewer{n}@example.com")
    moderated = False
    active = False
    moderated_at = factory.LazyAttribute(lambda o: timezone.now() if o.moderated else None)
