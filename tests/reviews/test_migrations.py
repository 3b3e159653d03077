"""The reviews' data migrations, run on a real database migrated back and forth."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from tests.factories import ProductFactory, UserFactory

BEFORE_ONE_PER_PERSON = [("reviews", "0003_review_anonymised")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _migrate_to_latest():
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def old_reviews():
    """The Review model as it was before one review per product and person."""
    apps = _migrate(BEFORE_ONE_PER_PERSON)
    yield apps.get_model("reviews", "Review")
    _migrate_to_latest()


def _index_names():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'reviews_review'")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_existing_repeated_reviews_are_marked_not_removed_and_the_indexes_hold(old_reviews):
    Review = old_reviews
    product, other = ProductFactory(), ProductFactory()
    customer = UserFactory(email="ida@example.com")

    def review(**fields):
        values = {"product_id": product.pk, "rating": 4, "text": "t", "author_name": "A"}
        return Review.objects.create(**{**values, **fields}).pk

    first = review(email="erika@example.com", moderated=False)
    # The same address again, in another case, later — public, as the demo data has it.
    again = review(email="ERIKA@example.com", moderated=True, active=True, moderated_at=_now())
    elsewhere = review(product_id=other.pk, email="erika@example.com")
    account = review(customer_id=customer.pk, email="ida@example.com")
    account_other_address = review(customer_id=customer.pk, email="ida.old@example.com")
    anonymised = [
        review(email=f"deleted-r{n}@invalid", anonymised="erased", author_name="Deleted customer")
        for n in (1, 2)
    ]
    blank = [review(email="") for _ in range(2)]
    before = {r["id"]: r for r in Review.objects.values()}

    _migrate_to_latest()
    from reviews.models import Review as Current

    repeated = set(Current.objects.filter(repeated=True).values_list("pk", flat=True))
    assert repeated == {again, account_other_address}
    # Nothing deleted, hidden or anonymised: only the mark.
    after = {r["id"]: r for r in Current.objects.values()}
    assert set(after) == set(before)
    for pk, row in after.items():
        assert {k: v for k, v in row.items() if k in before[pk]} == before[pk], pk
    assert Current.objects.get(pk=again).is_public
    assert {first, elsewhere, account, *anonymised, *blank}.isdisjoint(repeated)
    assert {
        "review_once_per_product_and_customer",
        "review_once_per_product_and_email",
    } <= _index_names()
    # From now on the indexes hold for the address and for the account.
    with pytest.raises(IntegrityError), transaction.atomic():
        Current.objects.create(
            product=product, rating=1, text="x", author_name="E", email="Erika@example.com"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Current.objects.create(
            product=product,
            rating=1,
            text="x",
            author_name="I",
            email="i@example.com",
            customer=customer,
        )


@pytest.mark.django_db(transaction=True)
def test_only_badges_backed_by_nothing_but_a_typed_address_are_dropped(old_reviews, make_order):
    Review = old_reviews
    ReviewRequest = _migrate(BEFORE_ONE_PER_PERSON).get_model("reviews", "ReviewRequest")
    product = ProductFactory()
    customer = UserFactory()
    link = ReviewRequest.objects.create(order_id=make_order().pk, email="erika@example.com")

    def review(email, verified=True, **fields):
        values = {"product_id": product.pk, "rating": 4, "text": "t", "author_name": "A"}
        return Review.objects.create(email=email, verified_purchase=verified, **values, **fields)

    typed = review("thomas.gast@example.com").pk
    by_account = review("ida@example.com", customer_id=customer.pk).pk
    by_link = review("erika@example.com", request_id=link.pk).pk
    erased = review("deleted-r9@invalid", anonymised="erased").pk
    unverified = review("b@example.com", verified=False).pk

    # 0005 alone: 0007 recalculates the badges by the orders (tests/reviews/test_hf_badge_recalc.py)
    Current = _migrate([("reviews", "0005_proven_badges")]).get_model("reviews", "Review")

    verified = dict(Current.objects.values_list("pk", "verified_purchase"))
    assert verified == {
        typed: False,
        by_account: True,
        by_link: True,
        erased: True,
        unverified: False,
    }


def _now():
    from django.utils import timezone

    return timezone.now()
