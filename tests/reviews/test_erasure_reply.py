"""The shop's public reply to a review loses the erased author's name, address and phone as
the review's text does — for a customer and for a guest (found by an exploratory test: "Dear
Erika Mustermann, …" stayed under the anonymised review)."""

import pytest
from django.utils import timezone

from customers import services
from reviews.models import Review
from tests.factories import UserFactory
from tests.reviews.factories import ReviewFactory

pytestmark = pytest.mark.django_db

REPLY = (
    "Dear Zbigniewa Przybyszewska, thank you! Zbigniewa, we sent the spare part to "
    "zbig@example.org and will call you on +48 601 777 313."
)
CLEAN = (
    "Dear Deleted customer, thank you! Deleted customer, we sent the spare part to "
    "{placeholder} and will call you on Deleted."
)


def _review(**kwargs):
    return ReviewFactory(
        author_name="Zbigniewa Przybyszewska",
        text="Great pan.",
        reply_text=REPLY,
        replied_at=timezone.now(),
        moderated=True,
        active=True,
        **kwargs,
    )


def test_a_customers_erasure_scrubs_the_shops_reply():
    user = UserFactory(
        email="zbig@example.org",
        first_name="Zbigniewa",
        last_name="Przybyszewska",
        phone="+48 601 777 313",
    )
    review = _review(customer=user, email=user.email)

    services.delete_customer(user)

    review = Review.objects.get(pk=review.pk)
    assert review.reply_text == CLEAN.format(placeholder=f"deleted-r{review.pk}@invalid")
    assert review.replied_at is not None  # the reply stays, without the person


def test_a_guests_erasure_scrubs_the_shops_reply():
    review = _review(email="zbig@example.org")

    services.delete_guest("zbig@example.org")

    review = Review.objects.get(pk=review.pk)
    assert "Zbigniewa" not in review.reply_text and "zbig@" not in review.reply_text
    assert "Przybyszewska" not in review.reply_text
    assert review.reply_text.startswith("Dear Deleted customer, thank you!")
