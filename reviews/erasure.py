"""Erasure of a customer's reviews (receiver of ``customers.signals.customer_deleting``).

A real customer's reviews stay (the rating and the public text are shop content), without
the person: author name → "Deleted customer", e-mail → ``deleted-r<pk>@invalid`` (the pattern
customers uses for anonymised orders), no customer link, and the customer's e-mail address
and name replaced where they occur in the text. A test customer's reviews are deleted.
Review requests sent to the person get the placeholder address too; their unsubscribe entry
is deleted (it holds nothing but the address).
"""

from django.db.models import Q

from customers.erasure import person_names, scrubber

from .models import Review, ReviewOptOut, ReviewRequest


def placeholder_email(review):
    return f"deleted-r{review.pk}@invalid"


def customer_reviews(customer):
    query = Q(customer_id=customer.pk)
    email = (customer.email or "").strip()
    if email:
        query |= Q(email__iexact=email)
    return Review.objects.filter(query)


def erase_requests(customer):
    query = Q(order__customer_id=customer.pk)
    email = (customer.email or "").strip()
    if email:
        query |= Q(email__iexact=email)
        ReviewOptOut.objects.filter(email__iexact=email).delete()
    for review_request in ReviewRequest.objects.filter(query).only("pk"):
        ReviewRequest.objects.filter(pk=review_request.pk).update(
            email=f"deleted-rr{review_request.pk}@invalid"
        )


def erase_customer(customer):
    """Anonymise (real customer) or delete (test customer) the reviews; returns the count."""
    erase_requests(customer)
    reviews = customer_reviews(customer)
    if customer.is_test:
        ids = list(reviews.values_list("pk", flat=True))
        Review.objects.filter(pk__in=ids).delete()
        return len(ids)
    deleted_name = str(Review.Anonymised.ERASED.label)
    count = 0
    for review in reviews.select_for_update().only("pk", "text", "author_name", "email"):
        placeholder = placeholder_email(review)
        clean = scrubber(
            [(customer.email, placeholder), (review.email, placeholder)]
            + [(name, deleted_name) for name in person_names(customer, review.author_name)]
        )
        Review.objects.filter(pk=review.pk).update(
            customer=None,
            email=placeholder,
            author_name=deleted_name[:100],
            anonymised=Review.Anonymised.ERASED,
            text=clean(review.text),
        )
        count += 1
    return count


def on_customer_deleting(sender, customer, by=None, **kwargs):
    erase_customer(customer)
