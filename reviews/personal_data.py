"""The reviews' personal data, declared for the privacy registry (see shop.personal_data)."""

from shop import personal_data


def declare():
    personal_data.register("reviews.review", email_fields=("email",), name_fields=("author_name",))
