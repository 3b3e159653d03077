"""Review operations: submission from the storefront, moderation and the shop's reply by
staff, and the review requests e-mailed after delivery.

Moderation rule (SPEC S10): the first activation or the first saved edit by staff marks a
review *moderated* (who and when are kept from that first time); *active* can be switched
off and on at any time. Public = moderated and active (``Review.objects.public()``).

Verified purchase: the purchase is *proven* — an order containing the product, paid or
shipped and neither canceled nor refunded, of the signed-in customer's account, or the order
of the review-request link (it was mailed to that order's address). An e-mail address typed
into the form proves nothing, and neither does the account's own address: accounts are
opened and their address changed without a confirmation e-mail, so a guest order under it may
be anybody's. Decided when the review is written and stored with it.

One review per product and person: the account, or the e-mail address (in any case) — a
second one is refused with a ReviewError and changes nothing. The unique indexes
``review_once_per_product_and_customer`` / ``…_and_email`` hold it under concurrency too.

Review requests: ``ShopSettings.review_request_days`` after an order's last shipment (there is
no carrier tracking, so the last shipment is the delivery), one e-mail per order (a unique
order on ``ReviewRequest``), only if the customer agreed at checkout and has not
unsubscribed. Orders whose last shipment is more than ``REQUEST_WINDOW_DAYS`` past that point
are not asked any more (turning the feature on does not mail old orders).
"""

from datetime import timedelta

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q, Value
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.models import Order, OrderLine
from shop.mail import queue_email
from shop.models import ShopSettings
from shop.ratelimit import RateLimit

from .errors import ReviewError
from .models import RATING_MAX, RATING_MIN, Review, ReviewOptOut, ReviewRequest

REQUEST_WINDOW_DAYS = 30
REQUEST_LINK_MAX_AGE = 180 * 24 * 3600  # seconds a review-request link stays valid
REQUEST_SALT = "reviews.request"
UNSUBSCRIBE_SALT = "reviews.unsubscribe"
MAX_REPLY = 2000

# Fields staff may change in an edit; everything else (product, e-mail, dates) is evidence.
EDITABLE_FIELDS = ("text", "rating", "author_name", "active")


THROTTLED = _("You have written several reviews in a short time. Please try again later.")
ALREADY_REVIEWED = _("You have already reviewed this product. Thank you!")
ALREADY_REVIEWED_BY_ADDRESS = _(
    "This product already has a review from this e-mail address. Each person can review a "
    "product once."
)


# Reviews per IP address; the window starts with the first review from that address.
SUBMISSIONS = RateLimit(
    "reviews:throttle",
    limit=("REVIEW_THROTTLE_LIMIT", 3),
    window=("REVIEW_THROTTLE_SECONDS", 600),
)


def is_throttled(ip):
    return SUBMISSIONS.exceeded(ip)


def _check_rating(rating):
    if not isinstance(rating, int) or not RATING_MIN <= rating <= RATING_MAX:
        raise ReviewError(_("The rating must be a whole number from 1 to 5."), field="rating")


def _buying_orders():
    """Orders that prove a purchase: paid or shipped, not canceled and not refunded."""
    return Order.objects.exclude(status__in=[Order.Status.CANCELED, Order.Status.CLOSED]).filter(
        Q(payment_status__in=Order.PAID_STATUSES) | Q(shipments__isnull=False)
    )


def has_bought(product, *, customer=None, order=None):
    """Is it proven that the author bought ``product``? By an order of the signed-in
    ``customer``'s account, or by the ``order`` of a review-request link. No e-mail address
    counts, not even the account's (see the module docstring)."""
    lines = OrderLine.objects.filter(product=product)
    orders = _buying_orders().filter(Exists(lines.filter(order=OuterRef("pk"))))
    if order is not None and orders.filter(pk=order.pk).exists():
        return True
    if customer is not None and customer.pk is not None:
        return orders.filter(customer=customer).exists()
    return False


def reviews_by(*, customer=None, email=""):
    """The reviews one person wrote: those of the account and those under the e-mail address
    (compared like the unique index does, ``lower(email)``). Anonymised reviews belong to
    nobody any more."""
    email = (email or "").strip()
    person = Q()
    if customer is not None and customer.pk is not None:
        person |= Q(customer=customer)
    if email:
        person |= Q(email_lower=Lower(Value(email)))
    if not person:
        return Review.objects.none()
    return Review.objects.alias(email_lower=Lower("email")).filter(person, anonymised="")


def _already_reviewed(customer, request):
    """The error for a second review: at the address field when the typed address is all
    that tells who wrote it."""
    if customer is None and request is None:
        return ReviewError(ALREADY_REVIEWED_BY_ADDRESS, field="email")
    return ReviewError(ALREADY_REVIEWED)


def submit_review(
    product, *, rating, text, author_name, email, customer=None, ip=None, request=None
):
    """Store a new review waiting for moderation. Raises ReviewError when throttled, or when
    this person (account or e-mail address) or the review-request ``request`` already has a
    review of this product.

    The stored address is the one the request went to, else the signed-in customer's account
    address; the typed ``email`` only for a review with neither."""
    if not product.is_active:
        raise ReviewError(_("This product cannot be reviewed."))
    _check_rating(rating)
    text = (text or "").strip()
    if not text:
        raise ReviewError(_("Please write a comment."), field="text")
    if is_throttled(ip):
        raise ReviewError(THROTTLED)
    if customer is not None and not customer.is_authenticated:
        customer = None
    if request is not None:
        email = request.email  # the address the request went to, not one from the form
    elif customer is not None:
        email = customer.email  # the account's, whatever the form said
    email = (email or "").strip()
    if reviews_by(customer=customer, email=email).filter(product=product).exists():
        raise _already_reviewed(customer, request)
    verified = has_bought(
        product,
        customer=customer,
        order=request.order if request is not None else None,
    )
    try:
        with transaction.atomic():
            review = Review.objects.create(
                product=product,
                rating=rating,
                text=text,
                author_name=author_name.strip(),
                email=email,
                customer=customer,
                verified_purchase=verified,
                request=request,
            )
    except IntegrityError as exc:  # written concurrently: the review_once_per_* indexes
        raise _already_reviewed(customer, request) from exc
    SUBMISSIONS.hit(ip)
    return review


# --- the shop's reply ----------------------------------------------------------------------


@transaction.atomic
def reply(review, user, text):
    """Publish (or replace) the shop's public answer under the review."""
    text = (text or "").strip()
    if not text:
        raise ReviewError(_("Please write the reply."), field="reply_text")
    if len(text) > MAX_REPLY:
        raise ReviewError(
            _("The reply is too long (at most %(n)d characters).") % {"n": MAX_REPLY},
            field="reply_text",
        )
    locked = _locked(review)
    locked.reply_text = text
    locked.reply_by = user
    locked.replied_at = timezone.now()
    locked.save(update_fields=["reply_text", "reply_by", "replied_at"])
    review.reply_text, review.reply_by, review.replied_at = text, user, locked.replied_at
    return review


@transaction.atomic
def remove_reply(review, user):
    locked = _locked(review)
    if not locked.reply_text:
        raise ReviewError(_("This review has no reply."))
    locked.reply_text = ""
    locked.reply_by = None
    locked.replied_at = None
    locked.save(update_fields=["reply_text", "reply_by", "replied_at"])
    review.reply_text, review.reply_by, review.replied_at = "", None, None
    return review


# --- review requests -----------------------------------------------------------------------


def request_path(review_request):
    value = signing.TimestampSigner(salt=REQUEST_SALT).sign(str(review_request.pk))
    return reverse("reviews:request", args=[value])


def request_from_signed(value):
    """The review request of a link, or None if it was altered or is too old."""
    try:
        pk = signing.TimestampSigner(salt=REQUEST_SALT).unsign(value, max_age=REQUEST_LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    return ReviewRequest.objects.select_related("order").filter(pk=pk).first()


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
                order=order, email=order.email, language=order.language or "en"
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


def _mark_moderated(review, user, now):
    if not review.moderated:
        review.moderated = True
        review.moderated_by = user
        review.moderated_at = now


def _locked(review):
    return Review.objects.select_for_update().get(pk=review.pk)


def _copy_back(source, target):
    for field in (*EDITABLE_FIELDS, "moderated", "moderated_by_id", "moderated_at"):
        setattr(target, field, getattr(source, field))


@transaction.atomic
def activate(review, user):
    locked = _locked(review)
    locked.active = True
    _mark_moderated(locked, user, timezone.now())
    locked.save(update_fields=["active", "moderated", "moderated_by", "moderated_at"])
    _copy_back(locked, review)
    return review


@transaction.atomic
def deactivate(review, user):
    locked = _locked(review)
    locked.active = False
    locked.save(update_fields=["active"])
    _copy_back(locked, review)
    return review


@transaction.atomic
def save_edit(review, data, user):
    """Apply a staff edit (``data``: any of text, rating, author_name, active) and moderate."""
    locked = _locked(review)
    for field in EDITABLE_FIELDS:
        if field in data:
            setattr(locked, field, data[field])
    _check_rating(locked.rating)
    if not str(locked.text).strip():
        raise ReviewError(_("The comment cannot be empty."), field="text")
    _mark_moderated(locked, user, timezone.now())
    locked.save()
    _copy_back(locked, review)
    return review


@transaction.atomic
def activate_many(queryset, user):
    """Bulk activation, set-based. Returns the number of reviews now active."""
    ids = list(queryset.order_by().values_list("pk", flat=True))
    rows = Review.objects.filter(pk__in=ids)
    list(rows.select_for_update().values_list("pk", flat=True))
    rows.filter(moderated=False).update(
        moderated=True, moderated_by=user, moderated_at=timezone.now()
    )
    return rows.filter(active=False).update(active=True)


@transaction.atomic
def deactivate_many(queryset, user):
    ids = list(queryset.order_by().values_list("pk", flat=True))
    return Review.objects.filter(pk__in=ids, active=True).update(active=False)
