"""The review requests e-mailed after delivery.

``ShopSettings.review_request_days`` after an order's last shipment (there is no carrier
tracking, so the last shipment is the delivery), one e-mail per order (a unique order on
``ReviewRequest``), only if the customer agreed at checkout and has not unsubscribed. Orders
whose last shipment is more than ``REQUEST_WINDOW_DAYS`` past that point are not asked any
more (turning the feature on does not mail old orders). The link of the e-mail proves the
purchase for the reviews written through it (``reviews.services``); its unsubscribe link
ends the requests to that address.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from orders.models import Order
from shop.mail import queue_email
from shop.models import ShopSettings

from .emails import PLACEHOLDER_SUFFIX
from .models import ReviewOptOut, ReviewRequest

REQUEST_WINDOW_DAYS = 30
REQUEST_LINK_MAX_AGE = 180 * 24 * 3600  # seconds a review-request link stays valid
REQUEST_SALT = "reviews.request"
UNSUBSCRIBE_SALT = "reviews.unsubscribe"


def request_path(review_request):
    value = signing.TimestampSigner(salt=REQUEST_SALT).sign(str(review_request.pk))
    return reverse("reviews:request", args=[value])


def request_from_signed(value):
    """The review request of a link, or None if it was altered or is too old, or if its
    person was erased since (``erasure.erase_requests`` leaves a placeholder address: a
    review written through the old link would belong to nobody)."""
    try:
        pk = signing.TimestampSigner(salt=REQUEST_SALT).unsign(value, max_age=REQUEST_LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    return (
        ReviewRequest.objects.select_related("order")
        .filter(pk=pk)
        .exclude(email__endswith=PLACEHOLDER_SUFFIX)
        .first()
    )


def unsubscribe_path(review_request):
    """The unsubscribe link of a request e-mail: signed, and without the address in the URL
    (links end up in server logs)."""
    value = signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(review_request.pk))
    return reverse("reviews:unsubscribe", args=[value])


def email_from_unsubscribe(value):
    """The address an unsubscribe link stands for, or None if the link was altered."""
    try:
        pk = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(value)
    except signing.BadSignature:
        return None
    return ReviewRequest.objects.filter(pk=pk).values_list("email", flat=True).first()


def unsubscribe(email):
    """No more review requests to ``email`` (idempotent)."""
    ReviewOptOut.objects.get_or_create(email=email.strip().lower())


def due_orders(now=None, days=None):
    """Orders to ask now: consent, delivered ``days`` ago (within the window), not canceled or
    refunded, not asked before, address not unsubscribed."""
    if days is None:
        days = ShopSettings.load().review_request_days
    if not days:
        return Order.objects.none()
    now = now or timezone.now()
    latest = now - timedelta(days=days)
    earliest = latest - timedelta(days=REQUEST_WINDOW_DAYS)
    opted_out = ReviewOptOut.objects.filter(email=OuterRef("email_lower"))
    return (
        Order.objects.filter(review_request_consent=True)
        .exclude(status__in=[Order.Status.CANCELED, Order.Status.CLOSED])
        .filter(review_request__isnull=True)
        .annotate(delivered=Max("shipments__created"), email_lower=Lower("email"))
        .filter(delivered__lte=latest, delivered__gt=earliest)
        .exclude(Exists(opted_out))
        .order_by("delivered", "pk")
    )


def reviewable_lines(order):
    seen, lines = set(), []
    for line in order.lines.select_related("product").order_by("id"):
        product = line.product
        if product is None or not product.is_active or product.pk in seen:
            continue
        seen.add(product.pk)
        lines.append(line)
    return lines


def send_review_request(order):
    """Ask ``order``'s buyer for reviews, once: returns the request, or None when the order
    was asked already (also concurrently) or has nothing left to review."""
    lines = reviewable_lines(order)
    if not lines:
        return None
    try:
        with transaction.atomic():
            review_request = ReviewRequest.objects.create(
                order=order, email=order.email, language=order.language or settings.LANGUAGE_CODE
            )
            queue_email(
                "review_request",
                order.email,
                {
                    "order": order,
                    "products": [line.product for line in lines],
                    "request_url": request_path(review_request),
                    "unsubscribe_url": unsubscribe_path(review_request),
                    "name": order.billing_first_name,
                },
                language=review_request.language,
            )
    except IntegrityError:  # the order's request exists (another run was faster)
        return None
    return review_request


def send_review_requests(now=None):
    """Beat task: e-mail every due order. Returns the number of requests sent."""
    sent = 0
    for order in due_orders(now).iterator(chunk_size=200):
        if send_review_request(order) is not None:
            sent += 1
    return sent
