"""A review whose author is gone (erasure, retention) says so in the reader's language: the
label was stored in the language of whoever erased it, and shown so on every storefront."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone, translation

from customers import services as customer_services
from reviews.models import Review
from reviews.retention import anonymise_old_reviews
from tests.factories import ProductFactory, StaffFactory, UserFactory
from tests.pages import ok_page

from .factories import ReviewFactory

pytestmark = pytest.mark.django_db


def product_page(client, product, language):
    with translation.override(language):
        url = product.get_absolute_url()
    return ok_page(client, url)


def public_review(**kwargs):
    return ReviewFactory(moderated=True, active=True, **kwargs)


def test_an_erased_authors_review_reads_deleted_customer_in_each_language(client):
    product = ProductFactory()
    customer = UserFactory(first_name="Annegret", last_name="Kowalski")
    review = public_review(
        product=product, customer=customer, email=customer.email, author_name="Annegret K."
    )
    with translation.override("de"):  # a German clerk erases the customer
        customer_services.delete_customer(customer, by=StaffFactory(is_superuser=True))
    review.refresh_from_db()
    assert review.anonymised == Review.Anonymised.ERASED
    assert review.author_name == "Gelöschter Kunde"  # the label of the moment
    assert "<strong>Usunięty klient</strong>" in product_page(client, product, "pl")
    danish = product_page(client, product, "da")
    assert "<strong>Slettet kunde</strong>" in danish and "Gelöschter" not in danish
    assert "Annegret" not in danish


def test_a_review_past_its_period_reads_anonymous_in_each_language(client):
    product = ProductFactory()
    public_review(product=product, author_name="Jens Hansen", created=timezone.now())
    old = public_review(
        product=product, author_name="Piotr Nowak", created=timezone.now() - timedelta(days=900)
    )
    with translation.override("pl"):  # the beat worker runs in some language
        assert anonymise_old_reviews(timezone.now() - timedelta(days=365)) == 1
    old.refresh_from_db()
    assert old.anonymised == Review.Anonymised.EXPIRED and old.author_name == "Anonim"
    german = product_page(client, product, "de")
    assert "<strong>Anonym</strong>" in german and "<strong>Jens Hansen</strong>" in german
    assert "Piotr" not in german
    with translation.override("en"):
        assert old.display_author == "Anonymous"


def test_the_backoffice_shows_why_the_name_is_gone_and_keeps_it_out_of_the_form(client):
    review = public_review(author_name="Piotr Nowak", created=timezone.now() - timedelta(days=900))
    anonymise_old_reviews(timezone.now() - timedelta(days=365))
    staff = StaffFactory(is_superuser=True, language="da")
    client.force_login(staff)
    page = client.get(f"/backoffice/reviews/review/{review.pk}/change/").content.decode()
    assert "Anonym" in page and 'name="author_name"' not in page
    listing = client.get("/backoffice/reviews/review/").content.decode()
    assert "Anonym<br>" in listing


def test_the_migration_marks_reviews_anonymised_before_it():
    migration = importlib.import_module("reviews.migrations.0003_review_anonymised")
    erased = ReviewFactory(author_name="Slettet kunde", email="deleted-r1@invalid")
    expired = ReviewFactory(author_name="Anonim", email="deleted-r2@invalid")
    kept = ReviewFactory(author_name="Erika M.")
    migration.mark_anonymised(apps, None)
    values = dict(Review.objects.values_list("pk", "anonymised"))
    assert values == {erased.pk: "erased", expired.pk: "expired", kept.pk: ""}
