"""Retention takes the author out of an old review's text by the erasure's rule
(``reviews.erasure.author_scrubber`` with ``customers.erasure.person_names``): the name whole
and in its parts ("Hallo Erika", "Frau Mustermann"), the account's name and address too, and
in the shop's public reply as in the text — not only the whole author name as before."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from customers import services as customer_services
from reviews.models import Review
from reviews.retention import anonymise_old_reviews
from tests.factories import UserFactory
from tests.reviews.factories import ReviewFactory

pytestmark = pytest.mark.django_db

TEXT = (
    "Hallo, ich bin Erika Mustermann. Erika sagt: super Pfanne! "
    "Frau Mustermann empfiehlt sie, Fragen an erika@example.org."
)
REPLY = "Liebe Erika, danke! Frau Mustermann, wir schreiben Ihnen an erika@example.org."


def old_review(**kwargs):
    fields = {
        "author_name": "Erika Mustermann",
        "email": "erika@example.org",
        "text": TEXT,
        "reply_text": REPLY,
        "replied_at": timezone.now(),
        "moderated": True,
        "active": True,
    }
    review = ReviewFactory(**{**fields, **kwargs})
    Review.objects.filter(pk=review.pk).update(created=timezone.now() - timedelta(days=900))
    return review


def expire():
    with translation.override("en"):
        return anonymise_old_reviews(timezone.now() - timedelta(days=365))


def test_retention_removes_the_parts_of_a_guests_name_from_text_and_reply():
    review = old_review()
    assert expire() == 1
    review.refresh_from_db()
    placeholder = f"deleted-r{review.pk}@invalid"
    assert review.anonymised == Review.Anonymised.EXPIRED
    assert review.author_name == "Anonymous" and review.email == placeholder
    assert review.text == (
        "Hallo, ich bin Anonymous. Anonymous sagt: super Pfanne! "
        f"Frau Anonymous empfiehlt sie, Fragen an {placeholder}."
    )
    assert review.reply_text == (
        f"Liebe Anonymous, danke! Frau Anonymous, wir schreiben Ihnen an {placeholder}."
    )
    assert review.rating == 4 and review.replied_at is not None  # the content stays


def test_retention_removes_the_accounts_name_and_address_as_erasure_does():
    user = UserFactory(email="e.m@example.net", first_name="Erika", last_name="Mustermann")
    # the review signed with initials; the text still calls her by the account's names
    review = old_review(
        customer=user,
        email=user.email,
        author_name="E. M.",
        text="Erika Mustermann here (e.m@example.net): Erika loves it, says Mustermann.",
        reply_text="",
        replied_at=None,
    )
    expire()
    review.refresh_from_db()
    placeholder = f"deleted-r{review.pk}@invalid"
    assert review.customer_id is None
    assert review.text == (f"Anonymous here ({placeholder}): Anonymous loves it, says Anonymous.")
    assert review.reply_text == ""


def test_retention_and_erasure_leave_the_same_text_but_their_label():
    """One rule: a review anonymised by retention and the same review of a guest erased on
    request differ only in the label standing for the person."""
    expired = old_review()
    erased = ReviewFactory(
        author_name="Erika Mustermann",
        email="erika@example.org",
        text=TEXT,
        reply_text=REPLY,
        replied_at=timezone.now(),
    )
    expire()  # only the old one
    erased.refresh_from_db()
    assert erased.anonymised == ""
    with translation.override("en"):
        customer_services.delete_guest("erika@example.org")
    expired.refresh_from_db()
    erased.refresh_from_db()
    assert erased.anonymised == Review.Anonymised.ERASED

    def neutral(review, label):
        return [
            text.replace(review.email, "<address>").replace(label, "<name>")
            for text in (review.text, review.reply_text)
        ]

    assert neutral(expired, "Anonymous") == neutral(erased, "Deleted customer")
    assert "Erika" not in " ".join(neutral(expired, "Anonymous"))


def test_a_name_word_that_is_no_name_stays():
    """Person_names' rule: particles and initials are not names on their own."""
    review = old_review(
        author_name="Anna de Vries",
        email="anna@example.org",
        text="Anna de Vries: de beste pan. Anna is happy, Vries too.",
        reply_text="",
        replied_at=None,
    )
    expire()
    review.refresh_from_db()
    assert review.text == "Anonymous: de beste pan. Anonymous is happy, Anonymous too."
