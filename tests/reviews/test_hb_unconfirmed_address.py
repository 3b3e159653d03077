"""A review written without an account names an address anyone can type: it is held until
that address confirms it through the e-mailed link. Until then it blocks nobody, is not
moderated, and the visitor learns nothing about what the address reviewed before."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reviews import services
from reviews.models import Review
from shop.mail import secret_url_names
from shop.models import OutboxEmail
from tests.factories import ProductFactory, UserFactory

from .confirming import confirm, confirm_links
from .factories import ReviewFactory

pytestmark = pytest.mark.django_db

CONFIRM = "Please confirm your review with the link we have sent to your e-mail address."


def post_review(client, product, ip="10.0.0.1", **overrides):
    data = {
        "rating": "4",
        "text": "Good.",
        "author_name": "Someone",
        "email": "ida@example.com",
        "website": "",
        **overrides,
    }
    return client.post(reverse("reviews:submit", args=[product.slug]), data, REMOTE_ADDR=ip)


def told(response):
    return [(m.level, m.message) for m in get_messages(response.wsgi_request)]


def test_a_strangers_review_under_a_customers_address_does_not_block_the_customer(client):
    ida = UserFactory(email="ida@example.com", first_name="Ida", last_name="Nielsen")
    product = ProductFactory()
    post_review(client, product, text="Written by a stranger")
    assert Review.objects.get().confirmed_at is None

    client.force_login(ida)
    page = client.get(product.get_absolute_url()).content.decode()
    assert reverse("reviews:submit", args=[product.slug]) in page  # the form, not "reviewed"
    post_review(client, product, text="Ida's own review")
    own = Review.objects.get(text="Ida's own review")
    assert own.customer == ida and own.confirmed_at is not None

    # The stranger's link reaches Ida's mailbox; confirming it cannot make a second review.
    client.logout()
    response = confirm(client, "ida@example.com")
    assert "You have already reviewed this product." in response.content.decode()
    assert list(Review.objects.all()) == [own]


def test_the_visitor_hears_the_same_whether_or_not_the_address_reviewed_before(client):
    product = ProductFactory()
    ReviewFactory(product=product, email="ida@example.com", moderated=True, active=True)
    reviewed = post_review(client, product, email="IDA@example.com", ip="10.0.0.1")
    fresh = post_review(Client(), product, email="max@example.com", ip="10.0.0.2")
    assert reviewed.status_code == fresh.status_code == 302
    assert reviewed["Location"] == fresh["Location"]
    assert told(reviewed) == told(fresh) and CONFIRM in told(fresh)[0][1]
    # Both addresses got a confirmation link: the mailbox's owner is told, not the visitor.
    assert len(confirm_links("ida@example.com")) == len(confirm_links("max@example.com")) == 1


def test_an_unconfirmed_review_is_not_moderated_shown_or_counted(client, staff):
    product = ProductFactory()
    post_review(client, product, email="max@example.com")
    review = Review.objects.get()
    assert not Review.objects.waiting().exists()
    client.force_login(staff)
    listing = client.get(reverse("admin:reviews_review_changelist"))
    assert list(listing.context["cl"].result_list) == []
    toggle = client.post(reverse("admin:reviews_review_activate", args=[review.pk]))
    assert toggle.status_code == 404
    review.refresh_from_db()
    assert not review.moderated and not review.active
    # Another unconfirmed review of the same address is allowed (nobody is known yet).
    post_review(Client(), product, email="MAX@example.com", ip="10.0.0.9")
    assert Review.objects.filter(confirmed_at__isnull=True).count() == 2


def test_the_confirmation_is_an_outbox_email_with_a_secret_link_and_get_changes_nothing(
    client,
):
    product = ProductFactory(name="Oak board")
    post_review(client, product, email="max@example.com", author_name="Max")
    mail = OutboxEmail.objects.get(template="review_confirm")
    assert mail.to == ["max@example.com"] and "Oak board" in mail.subject
    assert "reviews:confirm" in secret_url_names()
    link = confirm_links("max@example.com")[0]
    page = client.get(link)
    assert page.status_code == 200 and "Confirm review" in page.content.decode()
    assert Review.objects.get().confirmed_at is None  # a mail scanner's GET confirms nothing
    client.post(link)
    client.post(link)  # twice: still one confirmed review
    assert Review.objects.confirmed().count() == 1
    assert Review.objects.waiting().count() == 1


def test_a_rolled_back_submission_sends_no_confirmation(product):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        services.submit_review(
            product, rating=5, text="x", author_name="M", email="max@example.com"
        )
        raise RuntimeError
    assert not OutboxEmail.objects.filter(template="review_confirm").exists()
    assert not Review.objects.exists()


def test_altered_or_expired_links_are_refused(client, settings):
    product = ProductFactory()
    post_review(client, product, email="max@example.com")
    link = confirm_links("max@example.com")[0]
    assert client.get(link[:-2] + "x/").status_code == 404
    Review.objects.update(created=timezone.now() - timedelta(days=30))
    later = timezone.now() + timedelta(seconds=services.CONFIRM_LINK_MAX_AGE + 60)
    from unittest import mock

    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        assert client.get(link).status_code == 404


def test_unconfirmed_reviews_are_deleted_after_the_link_expired(product):
    old = ReviewFactory(product=product, confirmed_at=None)
    Review.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(days=8))
    recent = ReviewFactory(product=product, confirmed_at=None)
    confirmed = ReviewFactory(product=product, created=timezone.now() - timedelta(days=90))
    assert services.purge_unconfirmed() == 1
    assert set(Review.objects.all()) == {recent, confirmed}
