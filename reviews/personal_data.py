"""The reviews' personal data, declared for the privacy registry (see shop.personal_data),
and its retention (shop.retention)."""

from shop import personal_data, retention

from .retention import anonymise_old_reviews


def declare():
    personal_data.register(
        "reviews.review",
        email_fields=("email",),
        name_fields=("author_name",),
        purpose=personal_data.MODERATION,
    )
    retention.register(
        "review authors",
        retention.REVIEWS,
        apply=anonymise_old_reviews,
        action=retention.ANONYMISE,
        models=("reviews.review",),
    )
