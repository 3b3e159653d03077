"""One review per product and person: the customer account, or the e-mail address (any case)
for a review written without one. A second attempt is refused with a translated error on the
form and changes nothing — checked by the service, and held by unique indexes in PostgreSQL
(also against two submissions at the same moment). Erasure and retention still anonymise any
number of a person's reviews."""

import re
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from customers import services as customer_services
from orders.models import Shipment
from reviews import review_requests, services
from reviews.errors import ReviewError
from reviews.models import Review, ReviewRequest
from reviews.retention import anonymise_old_reviews
from shop.models import OutboxEmail, ShopSettings
from tests.factories import ProductFactory, UserFactory
from tests.orders.factories import ship_all
from tests.race import run_concurrently

from .confirming import confirm
from .factories import ReviewFactory

pytestmark = pytest.mark.django_db

ERROR_BY_ADDRESS = "This product already has a review from this e-mail address."
CONFIRM = "Please confirm your review with the link we have sent to your e-mail address."


def form_data(**overrides):
    return {
        "rating": "5",
        "text": "Wonderful quality.",
        "author_name": "Erika",
        "email": "erika@example.com",
        "website": "",
        **overrides,
    }


def submit(client, product, language="en", ip="10.0.0.1", **overrides):
    with translation.override(language):
        url = reverse("reviews:submit", args=[product.slug])
    return client.post(url, form_data(**overrides), REMOTE_ADDR=ip, follow=True)


def snapshot():
    return list(Review.objects.order_by("pk").values())


# --- the storefront form ------------------------------------------------------------------


def test_a_second_review_from_the_same_address_is_refused_when_confirmed(client):
    """The visitor hears the same either way (nothing disclosed); the address's owner learns
    at the confirmation link that the product has their review already."""
    product = ProductFactory()
    first = submit(client, product, email="erika@example.com", text="First")
    confirm(client, "erika@example.com")
    before = snapshot()
    second = submit(client, product, email=" Erika@EXAMPLE.com ", text="Second", ip="10.0.0.2")
    assert second.redirect_chain == first.redirect_chain
    assert CONFIRM in second.content.decode() and ERROR_BY_ADDRESS not in second.content.decode()
    response = confirm(client, "erika@example.com")
    assert "You have already reviewed this product." in response.content.decode()
    assert snapshot() == before  # the unconfirmed second review is gone again


def test_the_same_address_may_review_another_product_and_another_address_this_one(client):
    product, other = ProductFactory(), ProductFactory()
    submit(client, product, email="erika@example.com")
    submit(client, other, email="erika@example.com")
    submit(client, product, email="max@example.com")
    assert Review.objects.count() == 3


def test_a_signed_in_customer_is_refused_a_second_review_in_their_language(client):
    customer = UserFactory(email="ida@example.com")
    client.force_login(customer)
    product = ProductFactory()
    submit(client, product)
    before = snapshot()
    # Another address in the form changes nothing: the account is the person.
    response = submit(client, product, language="de", email="other@example.com", text="Nochmal")
    assert "Sie haben dieses Produkt bereits bewertet." in response.content.decode()
    assert snapshot() == before


def test_a_confirmed_guest_review_under_the_accounts_address_counts_as_the_customers(client):
    customer = UserFactory(email="ida@example.com")
    product = ProductFactory()
    submit(client, product, email="IDA@example.com")  # before signing in
    confirm(client, "ida@example.com")
    client.force_login(customer)
    response = submit(client, product, text="Signed in now")
    assert "You have already reviewed this product." in response.content.decode()
    assert Review.objects.count() == 1


def test_an_account_that_changed_its_address_still_has_its_one_review(product):
    customer = UserFactory(email="old@example.com")
    services.submit_review(
        product, rating=4, text="First", author_name="I", email="", customer=customer
    )
    type(customer).objects.filter(pk=customer.pk).update(email="new@example.com")
    customer.refresh_from_db()
    with pytest.raises(ReviewError):
        services.submit_review(
            product, rating=1, text="Again", author_name="I", email="", customer=customer
        )
    assert list(Review.objects.values_list("email", flat=True)) == ["old@example.com"]


# --- the review-request link --------------------------------------------------------------


@pytest.fixture
def request_link(make_order, product):
    ShopSettings.objects.update_or_create(pk=1, defaults={"review_request_days": 7})
    second = ProductFactory(name="Oak board")
    order = make_order(
        {product.pk: 1, second.pk: 1}, review_request_consent=True, email="erika@example.com"
    )
    from orders import services as order_services

    order_services.create_shipment(order, ship_all(order))
    Shipment.objects.filter(order=order).update(created=timezone.now() - timedelta(days=8))
    review_requests.send_review_requests()
    mail = OutboxEmail.objects.get(template="review_request")
    return re.search(r"/reviews/r/[^\s/]+/", mail.body_text).group(0)


def test_a_product_reviewed_before_has_no_form_behind_the_request_link(
    client, request_link, product
):
    submit(client, product, email="ERIKA@example.com", text="From the product page")
    confirm(client, "erika@example.com")
    page = client.get(request_link).content.decode()
    section = page.split(f'id="p{product.pk}"')[1].split("</section>")[0]
    assert "You have already reviewed this product." in section and "<form" not in section
    before = snapshot()
    response = client.post(
        request_link,
        {
            "product": product.pk,
            f"p{product.pk}-rating": "1",
            f"p{product.pk}-text": "Through the link",
            f"p{product.pk}-author_name": "Erika",
            f"p{product.pk}-website": "",
        },
    )
    assert response.status_code == 302
    assert snapshot() == before
    # The order's other product can still be reviewed through the link.
    other = next(s for s in page.split('<section class="panel"') if "Oak board" in s)
    assert "<form" in other.split("</section>")[0]


def test_the_service_refuses_a_link_review_after_a_product_page_review(
    client, product, request_link
):
    submit(client, product, email="erika@example.com")
    confirm(client, "erika@example.com")
    with pytest.raises(ReviewError) as refused:
        services.submit_review(
            product,
            rating=3,
            text="Again",
            author_name="Erika",
            email="",
            request=ReviewRequest.objects.get(),
        )
    assert refused.value.message == "You have already reviewed this product. Thank you!"
    assert Review.objects.count() == 1


# --- the database holds it too ------------------------------------------------------------


def test_the_database_refuses_a_second_review_from_the_same_address_in_any_case():
    first = ReviewFactory(email="erika@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFactory(product=first.product, email="Erika@Example.COM")


def test_the_database_refuses_a_second_review_from_the_same_account():
    customer = UserFactory()
    first = ReviewFactory(customer=customer, email="a@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFactory(product=first.product, customer=customer, email="b@example.com")


def test_anonymised_repeated_and_addressless_reviews_are_outside_the_indexes():
    product = ProductFactory()
    ReviewFactory(product=product, email="erika@example.com")
    ReviewFactory(product=product, email="erika@example.com", repeated=True)
    ReviewFactory(product=product, email="erika@example.com", anonymised="expired")
    ReviewFactory.create_batch(2, product=product, email="")
    assert Review.objects.filter(product=product).count() == 5


@pytest.mark.django_db(transaction=True)
def test_two_reviews_confirmed_at_the_same_moment_keep_one():
    product = ProductFactory()
    pending = [
        services.submit_review(
            product,
            rating=5,
            text=f"Attempt {i}",
            author_name="Erika",
            email="Erika@example.com" if i % 2 else "erika@example.com",
            ip=f"10.0.1.{i}",
        )
        for i in range(4)
    ]

    def write(i):
        return services.confirm_review(pending[i])

    outcomes = run_concurrently(write, 4)
    assert sum(isinstance(o, Review) for o in outcomes) == 1
    assert all(isinstance(o, (Review, ReviewError)) for o in outcomes), outcomes
    assert Review.objects.filter(product=product).count() == 1
    assert Review.objects.confirmed().filter(product=product).count() == 1


# --- erasure and retention of several reviews -----------------------------------------------


def test_erasure_anonymises_all_of_a_customers_reviews_repeated_ones_too():
    customer = UserFactory(email="annegret@example.org", first_name="Annegret")
    product, other = ProductFactory(), ProductFactory()
    kept = ReviewFactory(product=product, customer=customer, email=customer.email)
    # From before the rule: the same product again, once under the account, once as a guest.
    again = ReviewFactory(product=product, customer=customer, email=customer.email, repeated=True)
    guest = ReviewFactory(product=product, email="ANNEGRET@example.org", repeated=True)
    elsewhere = ReviewFactory(product=other, customer=customer, email=customer.email)
    bystander = ReviewFactory(product=product, email="bruno@example.org")

    customer_services.delete_customer(customer)

    mine = Review.objects.filter(pk__in=[kept.pk, again.pk, guest.pk, elsewhere.pk])
    assert {r.anonymised for r in mine} == {Review.Anonymised.ERASED}
    assert {r.email for r in mine} == {f"deleted-r{r.pk}@invalid" for r in mine}
    assert not mine.filter(customer__isnull=False).exists()
    bystander.refresh_from_db()
    assert bystander.email == "bruno@example.org" and not bystander.anonymised
    # The address is free again: somebody (else) using it may write a review.
    ReviewFactory(product=product, email=customer.email)


def test_retention_anonymises_several_old_reviews_of_one_product():
    product = ProductFactory()
    old = timezone.now() - timedelta(days=900)
    reviews = [
        ReviewFactory(product=product, email="piotr@example.com", created=old),
        ReviewFactory(product=product, email="piotr@example.com", created=old, repeated=True),
        ReviewFactory(product=product, email="jens@example.com", created=old),
    ]
    assert anonymise_old_reviews(timezone.now() - timedelta(days=365)) == 3
    for review in reviews:
        review.refresh_from_db()
        assert review.anonymised == Review.Anonymised.EXPIRED
    ReviewFactory(product=product, email="piotr@example.com")  # a new review is possible


# --- the backoffice -----------------------------------------------------------------------


def test_the_backoffice_filters_repeated_reviews(admin_client):
    product = ProductFactory()
    ReviewFactory(product=product, email="erika@example.com")
    repeated = ReviewFactory(product=product, email="erika@example.com", repeated=True)
    url = reverse("admin:reviews_review_changelist")
    response = admin_client.get(url, {"repeated__exact": "1"})
    assert [r.pk for r in response.context["cl"].result_list] == [repeated.pk]
    change = admin_client.get(reverse("admin:reviews_review_change", args=[repeated.pk]))
    assert "repeated review" in change.content.decode().lower()
