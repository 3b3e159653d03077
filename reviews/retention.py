"""Retention of reviews: kept until erased, unless the policy sets a period (shop.retention)."""

from customers.erasure import scrubber

from .erasure import author_identifiers, scrub_history
from .models import Review

PLACEHOLDER_SUFFIX = "@invalid"


def anonymise_old_reviews(cutoff, dry_run=False):
    """Reviews written before ``cutoff`` lose their author's name and e-mail (also where the
    text repeats them, and in the backoffice's change history, as on erasure:
    ``reviews.erasure.scrub_history``); rating and text stay, they are the shop's content."""
    reviews = Review.objects.filter(created__lt=cutoff).exclude(email__endswith=PLACEHOLDER_SUFFIX)
    if dry_run:
        return reviews.count()
    anonymous = str(Review.Anonymised.EXPIRED.label)
    count = 0
    rows = (
        reviews.select_for_update(of=("self",))
        .select_related("customer")
        .only(
            "pk",
            "text",
            "author_name",
            "email",
            "customer__email",
            "customer__first_name",
            "customer__last_name",
        )
    )
    for review in rows:
        # while the review still says who wrote it
        scrub_history({Review: [review.pk]}, author_identifiers(review))
        placeholder = f"deleted-r{review.pk}{PLACEHOLDER_SUFFIX}"
        clean = scrubber([(review.email, placeholder), (review.author_name, anonymous)])
        Review.objects.filter(pk=review.pk).update(
            customer=None,
            email=placeholder,
            author_name=anonymous[:100],
            anonymised=Review.Anonymised.EXPIRED,
            text=clean(review.text),
        )
        count += 1
    return count
