"""The author of a review hears how moderation decided (through the shared outbox, sent after
the moderating transaction commits):

- ``review_published``: the first time the review goes public — not again when staff switch
  it off and on later (``Review.published_at``);
- ``review_rejected``: a review waiting for moderation is rejected, or staff take a review
  off the product page (or keep it off) and give the author a reason.

Who is told: the account's current address, or the address of a review written without an
account (confirmed through the e-mailed link, or the review-request's). Nobody for a review
whose author was anonymised (erasure, retention) or that has no address. In the author's
language: the account's, else the one the review was written in, else the review request's.
"""

from django.conf import settings

from shop.mail import queue_email

PLACEHOLDER_SUFFIX = "@invalid"  # reviews.erasure.placeholder_email


def recipient(review):
    """The address to tell about ``review``, or None."""
    if review.anonymised or review.confirmed_at is None:
        return None
    customer = review.customer if review.customer_id else None
    address = (customer.email if customer is not None else review.email) or ""
    address = address.strip()
    if not address or address.lower().endswith(PLACEHOLDER_SUFFIX):
        return None
    return address


def language(review):
    customer = review.customer if review.customer_id else None
    review_request = review.request if review.request_id else None
    chosen = (
        (customer.language if customer is not None else "")
        or review.language
        or (review_request.language if review_request is not None else "")
    )
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _context(review):
    customer = review.customer if review.customer_id else None
    return {
        "review": review,
        "product": review.product,
        "name": (customer.first_name if customer is not None else "") or review.author_name,
        "product_url": review.product.get_absolute_url() + "#reviews",
    }


def notify_published(review):
    """Queue "your review is online" (call in the transaction that published it)."""
    to = recipient(review)
    if to is None:
        return None
    return queue_email("review_published", to, _context(review), language=language(review))


def notify_rejected(review, *, was_public=False):
    """Queue "your review is not published", with ``review.rejection_reason`` if any."""
    to = recipient(review)
    if to is None:
        return None
    context = {**_context(review), "reason": review.rejection_reason, "was_public": was_public}
    return queue_email("review_rejected", to, context, language=language(review))
