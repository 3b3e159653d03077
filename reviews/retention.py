"""Retention of reviews: kept until erased, unless the policy sets a period (shop.retention)."""

from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat

from .erasure import author_identifiers, author_scrubber, placeholder_email, scrub_history
from .models import Review, ReviewRequest

PLACEHOLDER_SUFFIX = "@invalid"


def anonymise_old_reviews(cutoff, dry_run=False):
    """Reviews written before ``cutoff`` lose their author's name and e-mail (also where the
    text or the shop's reply repeats them, the name whole or in parts, by the erasure's rule:
    ``reviews.erasure.author_scrubber``; and in the backoffice's change history, as on
    erasure: ``reviews.erasure.scrub_history``); rating and text stay, they are the shop's
    content."""
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
            "reply_text",
            "rejection_reason",
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
        customer = review.customer if review.customer_id else None
        clean = author_scrubber(review, customer, anonymous, [customer.email] if customer else [])
        Review.objects.filter(pk=review.pk).update(
            customer=None,
            email=placeholder_email(review),
            author_name=anonymous[:100],
            anonymised=Review.Anonymised.EXPIRED,
            text=clean(review.text),
            # the shop's public reply addresses the author by name ("Dear Erika, …")
            reply_text=clean(review.reply_text),
            # staff's reason for not publishing it may name the author too
            rejection_reason=clean(review.rejection_reason),
        )
        count += 1
    return count


def anonymise_requests_of_old_guest_orders(cutoff, dry_run=False):
    """A review request keeps its order's address: it goes with the guest data of its order
    — a guest order placed before ``cutoff`` (the guest orders' rule anonymises it in the
    same run) or an order anonymised already (any rule, an erasure) — and gets the erasure's
    placeholder (``reviews.erasure.erase_requests``). Else the anonymised order's address
    stayed on record beside it, pointing at it."""
    requests = ReviewRequest.objects.exclude(email__endswith=PLACEHOLDER_SUFFIX).filter(
        Q(order__customer__isnull=True, order__created__lt=cutoff)
        | Q(order__email__endswith=PLACEHOLDER_SUFFIX)
    )
    if dry_run:
        return requests.count()
    return requests.update(
        email=Concat(Value("deleted-rr"), Cast("pk", CharField()), Value(PLACEHOLDER_SUFFIX))
    )
