"""Erasure of a customer's reviews (receiver of ``customers.signals.customer_deleting``).

A real customer's reviews stay (the rating and the public text are shop content), without
the person: author name → "Deleted customer", e-mail → ``deleted-r<pk>@invalid`` (the pattern
customers uses for anonymised orders), no customer link, and the customer's e-mail address
and name replaced where they occur in the text and in the shop's public reply. A test customer's reviews are deleted.
Review requests sent to the person get the placeholder address too; their unsubscribe entry
is deleted (it holds nothing but the address). Every address of the person counts (earlier
ones too); a guest erased by e-mail (``guest_deleting``) loses their reviews the same way.
Either way the backoffice's change history of the reviews and requests keeps who changed
what and when, without the person (``shop.adminlog``).
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from customers.erasure import email_in, person_details, person_names, scrubber
from shop import adminlog

from .models import Review, ReviewOptOut, ReviewRequest


def placeholder_email(review):
    return f"deleted-r{review.pk}@invalid"


def _emails(customer, emails):
    emails = {e.strip().lower() for e in emails if e and e.strip()}
    if customer is not None and (customer.email or "").strip():
        emails.add(customer.email.strip().lower())
    return emails


def customer_reviews(customer, emails=()):
    """The person's reviews: the account's and those under any of their addresses
    (``customer`` None: a guest's)."""
    query = email_in("email", _emails(customer, emails))
    if customer is not None:
        query |= Q(customer_id=customer.pk)
    return Review.objects.filter(query)


def customer_requests(customer, emails=()):
    """The review requests sent to the person or for their orders."""
    emails = _emails(customer, emails)
    query = email_in("email", emails) | (
        Q(order__customer__isnull=True) & email_in("order__email", emails)
    )
    if customer is not None:
        query |= Q(order__customer_id=customer.pk)
    return ReviewRequest.objects.filter(query)


def scrub_review_history(customer, details):
    """Take the person out of the backoffice's change history of their reviews and review
    requests (the author's name in an entry's text, names and addresses in its message):
    run before they are anonymised or deleted, while they still say who wrote them."""
    reviews = list(
        customer_reviews(customer, details.emails).values_list("pk", "email", "author_name")
    )
    requests = list(customer_requests(customer, details.emails).values_list("pk", "email"))
    if not reviews and not requests:
        return 0
    identifiers = [*details.emails, *details.needles(), *person_names(customer)]
    for _pk, email, name in reviews:
        identifiers += [email, *person_names(customer, name)]
    identifiers += [email for _pk, email in requests]
    if customer is not None:
        identifiers.append(customer.email)
    return scrub_history(
        {
            Review: [pk for pk, _email, _name in reviews],
            ReviewRequest: [pk for pk, _email in requests],
        },
        identifiers,
    )


def scrub_history(objects, identifiers):
    """The one rule for the change history of reviews and review requests (``objects``:
    ``{model: pks}``), of the erasure and of retention (``reviews.retention``): each of the
    person's ``identifiers`` becomes "Deleted", an entry's text that names them goes whole
    (``shop.adminlog``). Returns the number of entries changed."""
    deleted = _("Deleted")
    return adminlog.scrub_history(
        objects, scrubber((identifier, deleted) for identifier in identifiers), deleted
    )


def author_identifiers(review):
    """What identifies the author of ``review`` without an erasure's ``PersonDetails``
    (retention): the address and the name given with it, whole and word by word, and the
    account's name and address."""
    customer = review.customer if review.customer_id else None
    identifiers = [review.email, *person_names(customer, review.author_name)]
    if customer is not None:
        identifiers.append(customer.email)
    return identifiers


def author_scrubber(review, customer, anonymous, emails=(), needles=()):
    """The one rule for the texts of a review that loses its author (the text and the shop's
    reply; erasure and retention, ``reviews.retention``): the review's address and the
    person's ``emails`` become the review's placeholder address, every name of the person
    (``customers.erasure.person_names``: the account's and the review's author name, whole
    and word by word — "Hallo Erika") ``anonymous``, further ``needles`` (an erasure's phone
    numbers and street) "Deleted". ``customer``: the account, None for a guest."""
    placeholder = placeholder_email(review)
    return scrubber(
        [(email, placeholder) for email in [review.email, *emails]]
        + [(name, anonymous) for name in person_names(customer, review.author_name)]
        + [(needle, _("Deleted")) for needle in needles]
    )


def erase_requests(customer, emails=()):
    emails = _emails(customer, emails)
    ReviewOptOut.objects.filter(email_in("email", emails)).delete()
    for review_request in customer_requests(customer, emails).only("pk"):
        ReviewRequest.objects.filter(pk=review_request.pk).update(
            email=f"deleted-rr{review_request.pk}@invalid"
        )


def erase_customer(customer, details=None):
    """Anonymise (real customer, guest: ``customer`` None) or delete (test customer) the
    reviews; returns the count."""
    if details is None:
        details = person_details(customer)
    scrub_review_history(customer, details)
    erase_requests(customer, details.emails)
    reviews = customer_reviews(customer, details.emails)
    if customer is not None and customer.is_test:
        ids = list(reviews.values_list("pk", flat=True))
        Review.objects.filter(pk__in=ids).delete()
        return len(ids)
    deleted_name = str(Review.Anonymised.ERASED.label)
    count = 0
    for review in reviews.select_for_update().only(
        "pk", "text", "reply_text", "rejection_reason", "author_name", "email"
    ):
        clean = author_scrubber(
            review, customer, deleted_name, sorted(details.emails), details.needles()
        )
        Review.objects.filter(pk=review.pk).update(
            customer=None,
            email=placeholder_email(review),
            author_name=deleted_name[:100],
            anonymised=Review.Anonymised.ERASED,
            text=clean(review.text),
            # the shop's public reply addresses the author by name ("Dear Erika, …")
            reply_text=clean(review.reply_text),
            # staff's reason for not publishing it may name the author too
            rejection_reason=clean(review.rejection_reason),
        )
        count += 1
    return count


def on_customer_deleting(sender, customer, by=None, details=None, **kwargs):
    erase_customer(customer, details)


def on_guest_deleting(sender, email, by=None, details=None, **kwargs):
    return {"reviews_anonymised": erase_customer(None, details or person_details(None, [email]))}
