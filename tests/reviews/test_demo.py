import io

import pytest

from reviews import demo
from reviews.models import Review
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


class FakeCommand:
    def __init__(self):
        self.stdout = io.StringIO()


def test_demo_reviews_cover_every_state_and_seeding_twice_changes_nothing():
    for sku in {row[0] for row in demo.REVIEWS}:
        ProductFactory(sku=sku)
    demo.seed(FakeCommand())
    snapshot = list(Review.objects.order_by("pk").values())
    states = {(r.moderated, r.active) for r in Review.objects.all()}
    assert {(False, False), (True, True), (True, False)} <= states
    assert Review.objects.filter(text__contains="<script>", moderated=True, active=True).exists()
    # Without the orders' demo nobody has bought anything: no badge (it is never a stand-in).
    assert not Review.objects.filter(verified_purchase=True).exists()

    demo.seed(FakeCommand())
    assert list(Review.objects.order_by("pk").values()) == snapshot
