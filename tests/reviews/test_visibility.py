from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.urls import reverse

from reviews import services
from reviews.models import Review, with_rating
from shop.models import Product, ShopSettings
from tests.factories import ProductFactory, StaffFactory

from .factories import ReviewFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("moderated", "active", "public"),
    [(False, False, False), (False, True, False), (True, False, False), (True, True, True)],
)
def test_public_iff_moderated_and_active(client, moderated, active, public):
    review = ReviewFactory(moderated=moderated, active=active, text=f"state {moderated}-{active}")
    assert (review in Review.objects.public()) is public
    assert review.is_public is public
    page = client.get(review.product.get_absolute_url()).content.decode()
    assert (f"state {moderated}-{active}" in page) is public
    product = with_rating(Product.objects.filter(pk=review.product_id)).get()
    assert product.review_count == (1 if public else 0)


def test_first_activation_moderates_and_keeps_first_moderator():
    first, second = StaffFactory(), StaffFactory()
    review = ReviewFactory()
    services.activate(review, first)
    review.refresh_from_db()
    assert review.moderated and review.active
    assert review.moderated_by == first
    moderated_at = review.moderated_at
    assert moderated_at is not None

    services.deactivate(review, second)
    review.refresh_from_db()
    assert review.moderated and not review.active  # moderated stays, only hidden
    services.activate(review, second)
    review.refresh_from_db()
    assert review.active
    assert review.moderated_by == first and review.moderated_at == moderated_at


def test_deactivating_an_unmoderated_review_rejects_it():
    """A staff decision on a waiting review, as a saved edit without "active" is (SPEC S10):
    it is moderated — out of the queue — and stays hidden until someone activates it."""
    staff = StaffFactory()
    review = ReviewFactory(active=True)
    services.deactivate(review, staff)
    review.refresh_from_db()
    assert review.moderated and not review.active and review.moderated_by == staff
    assert review not in Review.objects.public()


def test_rejecting_in_bulk_empties_the_queue():
    staff = StaffFactory()
    waiting = ReviewFactory.create_batch(2)  # not moderated, not active
    shown = ReviewFactory(moderated=True, active=True)
    assert services.deactivate_many(Review.objects.all(), staff) == 3
    assert not Review.objects.filter(moderated=False).exists()
    assert not Review.objects.filter(active=True).exists()
    shown.refresh_from_db()
    assert shown.moderated_by is None  # an earlier moderation is kept as it was
    for review in waiting:
        review.refresh_from_db()
        assert review.moderated_by == staff


def test_first_saved_edit_moderates_without_activating():
    staff = StaffFactory()
    review = ReviewFactory(text="Orignal txt")
    services.save_edit(review, {"text": "Original text", "rating": 3}, staff)
    review.refresh_from_db()
    assert review.text == "Original text" and review.rating == 3
    assert review.moderated and review.moderated_by == staff and review.moderated_at
    assert not review.active
    assert review not in Review.objects.public()
    services.save_edit(review, {"active": True}, staff)
    assert review in Review.objects.public()


def test_save_edit_rejects_bad_rating_and_changes_nothing():
    review = ReviewFactory(rating=4)
    with pytest.raises(services.ReviewError):
        services.save_edit(review, {"rating": 9}, StaffFactory())
    review.refresh_from_db()
    assert review.rating == 4 and not review.moderated


def test_bulk_activate_and_deactivate():
    staff = StaffFactory()
    waiting = ReviewFactory.create_batch(2)
    hidden = ReviewFactory(moderated=True, active=False)
    hidden_moderator_at = hidden.moderated_at
    n = services.activate_many(Review.objects.all(), staff)
    assert n == 3
    assert Review.objects.public().count() == 3
    for r in waiting:
        r.refresh_from_db()
        assert r.moderated_by == staff
    hidden.refresh_from_db()
    assert hidden.moderated_by is None and hidden.moderated_at == hidden_moderator_at
    assert services.deactivate_many(Review.objects.filter(pk=waiting[0].pk), staff) == 1
    assert Review.objects.public().count() == 2


@pytest.mark.parametrize("rating", [0, 6, 100])
def test_database_refuses_rating_outside_1_to_5(rating):
    product = ProductFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(
            product=product, rating=rating, text="x", author_name="A", email="a@example.com"
        )


def test_database_refuses_moderated_without_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFactory(moderated=True, moderated_at=None)


def test_average_and_count_ignore_non_public_reviews(client):
    product = ProductFactory()
    ReviewFactory(product=product, rating=5, moderated=True, active=True)
    ReviewFactory(product=product, rating=4, moderated=True, active=True)
    ReviewFactory(product=product, rating=1, moderated=False, active=False)
    ReviewFactory(product=product, rating=1, moderated=True, active=False)
    ReviewFactory(product=product, rating=1, moderated=False, active=True)
    annotated = with_rating(Product.objects.filter(pk=product.pk)).get()
    assert annotated.review_count == 2
    assert Decimal(annotated.review_avg) == Decimal("4.5")
    page = client.get(product.get_absolute_url()).content.decode()
    assert "4.5" in page and "2 reviews" in page


def test_with_rating_is_not_inflated_by_other_joins():
    product = ProductFactory()
    ReviewFactory.create_batch(3, product=product, rating=2, moderated=True, active=True)
    qs = with_rating(Product.objects.filter(pk=product.pk)).annotate(
        n_any=Count("reviews"), avg_any=Avg("reviews__rating")
    )
    row = qs.get()
    assert row.review_count == 3 and row.review_avg == 2


def test_products_without_reviews_have_zero_count_and_no_average():
    product = ProductFactory()
    row = with_rating(Product.objects.filter(pk=product.pk)).get()
    assert row.review_count == 0 and row.review_avg is None


@pytest.mark.parametrize("url_name", ["shop:home", "shop:products"])
def test_product_lists_show_rating_with_constant_queries(
    client, django_assert_max_num_queries, url_name
):
    for i in range(6):
        product = ProductFactory()
        ReviewFactory.create_batch(
            2, product=product, rating=3 + i % 3, moderated=True, active=True
        )
        ReviewFactory(product=product, rating=1)  # waiting: must not count
    client.get(reverse(url_name))  # warm up session/site caches
    with django_assert_max_num_queries(8) as queries:
        response = client.get(reverse(url_name))
    assert response.status_code == 200
    # Ratings come as subqueries of the product query, never one query per product.
    review_queries = [q for q in queries.captured_queries if "reviews_review" in q["sql"]]
    assert len(review_queries) <= 1
    page = response.content.decode()
    assert "(2)" in page and "★ 3.0" in page


def test_category_page_shows_rating_with_constant_queries(client, django_assert_max_num_queries):
    ShopSettings.load()  # the settings row exists in a running shop (its first load inserts it)
    first = ProductFactory()
    for _ in range(5):
        p = ProductFactory(category=first.category)
        ReviewFactory(product=p, rating=5, moderated=True, active=True)
    with django_assert_max_num_queries(11):
        response = client.get(first.category.get_absolute_url())
    html = response.content.decode()
    assert html.count('<span role="img" aria-label="Rated 5.0 of 5">★ 5.0</span>') == 5
    assert (
        html.count('<span aria-hidden="true">(1)</span><span class="sr-only">1 review</span>') == 5
    )
