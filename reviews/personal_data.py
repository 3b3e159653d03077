"""The reviews' personal data, declared for the privacy registry (see shop.personal_data),
and its retention (shop.retention)."""

from django.utils.translation import gettext_lazy

from shop import personal_data, retention
from shop.personal_data import customer_ref, email_ref

from .retention import anonymise_old_reviews, anonymise_requests_of_old_guest_orders


def review_subjects(review):
    """The review and its author (account or address) — not the staff who moderated or
    answered it."""
    refs = [f"reviews.review:{review.pk}"]
    ref = customer_ref(review.customer_id) if review.customer_id else email_ref(review.email)
    if ref:
        refs.append(ref)
    return refs


def declare():
    personal_data.register(
        "reviews.review",
        email_fields=("email",),
        name_fields=("author_name",),
        subjects=review_subjects,
        purpose=personal_data.MODERATION,
    )
    personal_data.register(
        "reviews.reviewrequest", email_fields=("email",), purpose=personal_data.MODERATION
    )
    personal_data.register(
        "reviews.reviewoptout", email_fields=("email",), purpose=personal_data.MODERATION
    )
    retention.register(
        gettext_lazy("review requests of guest orders"),
        retention.GUEST_DATA,
        apply=anonymise_requests_of_old_guest_orders,
        action=retention.ANONYMISE,
        models=("reviews.reviewrequest",),
    )
    retention.register(
        gettext_lazy("review authors"),
        retention.REVIEWS,
        apply=anonymise_old_reviews,
        action=retention.ANONYMISE,
        models=("reviews.review",),
    )
