"""Review operations: submission from the storefront, moderation and the shop's reply by
staff.

Moderation rule (SPEC S10): the first activation, the first saved edit or the rejection
(deactivating a review not moderated yet) by staff marks a review *moderated* (who and when
are kept from that first time), so a rejected review leaves the moderation queue; *active*
can be switched off and on at any time. Public = moderated and active (``Review.objects.public()``).
The author is e-mailed the first publication and a rejection (with staff's optional reason):
``reviews.emails``.

Verified purchase: the purchase is *proven* and *stands* — an order line of the product, in
an order paid or shipped and not canceled, whose units have not all been returned and
credited (credit notes), of the signed-in customer's account, or of the order of the
review-request link (it was mailed to that order's address). An e-mail address typed into the
form proves nothing, and neither does the account's own address: accounts are opened and
their address changed without a confirmation e-mail, so a guest order under it may be
anybody's. One rule (``proving_lines``), applied when the review is written and again after
an order of the author is paid, canceled or credited (``refresh_verified``).

Who wrote a review: the signed-in account, or the review-request link, are known at once. A
review written without either names an address anyone can type: it is stored unconfirmed and
a link to confirm it is e-mailed to that address. Until it is confirmed it is not moderated,
not shown, and counts for nobody; the visitor hears the same whatever the address has
reviewed before (nothing is disclosed). Unconfirmed reviews are deleted after
``CONFIRM_LINK_MAX_AGE``.

One review per product and person: the account, or the confirmed e-mail address (in any
case) — a second one is refused with a ReviewError and changes nothing. The unique indexes
``review_once_per_product_and_customer`` / ``…_and_email`` hold it under concurrency too.

The review requests e-mailed after delivery: ``reviews.review_requests``.
"""

from datetime import timedelta

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import (
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.models import CreditNote, Order, OrderLine
from shop.mail import queue_email
from shop.ratelimit import RateLimit

from . import emails
from .errors import ReviewError
from .models import RATING_MAX, RATING_MIN, Review

CONFIRM_SALT = "reviews.confirm"
CONFIRM_LINK_MAX_AGE = 7 * 24 * 3600  # seconds an address has to confirm its review
MAX_REPLY = 2000
MAX_REJECTION_REASON = 1000

# Fields staff may change in an edit; everything else (product, e-mail, dates) is evidence.
EDITABLE_FIELDS = ("text", "rating", "author_name", "active")


THROTTLED = _("You have written several reviews in a short time. Please try again later.")
ALREADY_REVIEWED = _("You have already reviewed this product. Thank you!")


# Reviews per author: the signed-in account, the review-request link, and only for a review
# written without either the IP address (customers behind one office or mobile-network
# address must not use up each other's limit). The window starts with the first review.
SUBMISSIONS = RateLimit(
    "reviews:throttle",
    limit=("REVIEW_THROTTLE_LIMIT", 3),
    window=("REVIEW_THROTTLE_SECONDS", 600),
)


def throttle_key(ip, *, customer=None, request=None):
    """Whose limit a review counts against (see SUBMISSIONS)."""
    if request is not None:
        return f"request:{request.pk}"
    if customer is not None and customer.is_authenticated:
        return f"customer:{customer.pk}"
    return f"ip:{ip or 'unknown'}"


def is_throttled(ip, *, customer=None, request=None):
    return SUBMISSIONS.exceeded(throttle_key(ip, customer=customer, request=request))


def _check_rating(rating):
    if not isinstance(rating, int) or not RATING_MIN <= rating <= RATING_MAX:
        raise ReviewError(_("The rating must be a whole number from 1 to 5."), field="rating")


class CreditedQuantity(Func):
    """The ``quantity`` a credit note's ``lines`` (a JSON array with each order line once:
    ``{"line": id, "quantity": n, …}``, orders.services.refunds) credits of the order line
    ``line``, or NULL. PostgreSQL asks a JSON path; SQLite (the `make run` file), which has
    no JSON path filters, walks the array with ``json_each``."""

    arity = 2
    output_field = IntegerField()
    PATH = "$[*] ? (@.line == $line).quantity"

    def as_postgresql(self, compiler, connection, **extra):
        (lines, lines_params), (line, line_params) = map(compiler.compile, self.source_expressions)
        return (
            f"(jsonb_path_query_first({lines}, %s::jsonpath, jsonb_build_object('line', {line})))"
            "::integer",
            (*lines_params, self.PATH, *line_params),
        )

    def as_sqlite(self, compiler, connection, **extra):
        (lines, lines_params), (line, line_params) = map(compiler.compile, self.source_expressions)
        return (
            "(SELECT CAST(json_extract(credited.value, '$.quantity') AS integer)"
            f" FROM json_each({lines}) AS credited"
            f" WHERE json_extract(credited.value, '$.line') = {line})",
            (*lines_params, *line_params),
        )


def _credited_units():
    """Units of the (outer) order line that its order's credit notes credited."""
    per_order = (
        CreditNote.objects.filter(invoice__order=OuterRef("order"))
        .annotate(units=CreditedQuantity("lines", OuterRef("pk")))
        .order_by()
        .values("invoice__order")
        .annotate(total=Sum("units"))
        .values("total")[:1]
    )
    return Coalesce(Subquery(per_order, output_field=IntegerField()), 0)


def proving_lines(product, *, customer=None, order=None):
    """The one rule of a verified purchase: order lines of ``product`` in an order of the
    signed-in ``customer``'s account or the ``order`` of a review-request link, the order
    paid or shipped and neither canceled nor closed (fully refunded), with units left that
    no credit note credited (returned and refunded, or canceled before shipping).

    ``product``, ``customer`` and ``order`` may be instances, ids or ``OuterRef``s."""
    proof = Q()
    if customer is not None:
        proof |= Q(order__customer=customer)
    if order is not None:
        proof |= Q(order=order)
    if not proof:
        return OrderLine.objects.none()
    return (
        OrderLine.objects.filter(product=product)
        .filter(proof)
        .exclude(order__status__in=[Order.Status.CANCELED, Order.Status.CLOSED])
        .filter(
            Q(order__payment_status__in=Order.PAID_STATUSES) | Q(order__shipments__isnull=False)
        )
        .alias(credited=_credited_units())
        .filter(quantity__gt=F("credited"))
    )


def has_bought(product, *, customer=None, order=None):
    """Is it proven that the author bought ``product``, and does the purchase stand? By an
    order of the signed-in ``customer``'s account, or by the ``order`` of a review-request
    link. No e-mail address counts, not even the account's (see the module docstring)."""
    if customer is not None and customer.pk is None:
        customer = None
    return proving_lines(product, customer=customer, order=order).exists()


def refresh_verified(order):
    """Apply the rule again to the reviews ``order`` (an order or its id) can prove: its
    customer's reviews of its products, the reviews of its review request; after the order
    was paid, canceled or credited. Returns the number of reviews whose badge changed."""
    if not isinstance(order, Order):
        order = Order.objects.filter(pk=order).only("pk", "customer_id").first()
        if order is None:
            return 0
    products = OrderLine.objects.filter(order=order, product__isnull=False).values("product")
    person = Q(request__order=order)
    if order.customer_id:
        person |= Q(customer_id=order.customer_id)
    return apply_verified_rule(Review.objects.filter(person, product__in=products))


def apply_verified_rule(reviews):
    """Set the badge of ``reviews`` (a queryset) to what the rule (``proving_lines``) says
    now, by the account and the review-request link each review was written with. Returns
    the number of reviews whose badge changed."""
    verified = Exists(
        proving_lines(
            OuterRef("product"), customer=OuterRef("customer"), order=OuterRef("request__order")
        )
    )
    changed = 0
    with transaction.atomic():
        flags = dict(reviews.annotate(now=verified).values_list("pk", "now"))
        for value in (True, False):
            ids = [pk for pk, now in flags.items() if now is value]
            changed += (
                Review.objects.filter(pk__in=ids)
                .exclude(verified_purchase=value)
                .update(verified_purchase=value)
            )
    return changed


def recheckable_reviews():
    """The reviews the rule can decide: those of an account or a review-request link, and
    those with neither that are not anonymised (a typed address proves nothing: no badge).
    An anonymised review without either keeps its badge: erasure or retention removed the
    link that proved it, not the purchase."""
    return Review.objects.filter(
        Q(customer__isnull=False) | Q(request__isnull=False) | Q(anonymised="")
    )


def refresh_all_verified(batch_size=1000):
    """Apply the rule again to every review it can decide (:func:`recheckable_reviews`), in
    batches of ``batch_size`` — for reviews whose badge was set before a rule change (e.g.
    a purchase credited before the badge followed credit notes). Returns the number of
    reviews whose badge changed."""
    changed, last = 0, 0
    reviews = recheckable_reviews().order_by("pk")
    while True:
        ids = list(reviews.filter(pk__gt=last).values_list("pk", flat=True)[:batch_size])
        if not ids:
            return changed
        changed += apply_verified_rule(Review.objects.filter(pk__in=ids))
        last = ids[-1]


def reviews_by(*, customer=None, email=""):
    """The reviews one person wrote: those of the account and those under the e-mail address
    (compared like the unique index does, ``lower(email)``). Only confirmed reviews: an
    address typed by a visitor belongs to nobody until it confirmed the review. Anonymised
    reviews belong to nobody any more."""
    email = (email or "").strip()
    person = Q()
    if customer is not None and customer.pk is not None:
        person |= Q(customer=customer)
    if email:
        person |= Q(email_lower=Lower(Value(email)))
    if not person:
        return Review.objects.none()
    return (
        Review.objects.confirmed().alias(email_lower=Lower("email")).filter(person, anonymised="")
    )


def submit_review(
    product,
    *,
    rating,
    text,
    author_name,
    email,
    customer=None,
    ip=None,
    request=None,
    language=None,
):
    """Store a new review. Raises ReviewError when throttled, or when this account or the
    review-request ``request`` already has a review of this product.

    The stored address is the one the request went to, else the signed-in customer's account
    address: such a review is confirmed and waits for moderation. With neither, the typed
    ``email`` is only a claim: the review is stored unconfirmed and a confirmation link is
    e-mailed to that address (``language``); whether the address reviewed the product before
    is decided when it confirms, so the visitor learns nothing about it."""
    if not product.is_active:
        raise ReviewError(_("This product cannot be reviewed."))
    _check_rating(rating)
    text = (text or "").strip()
    if not text:
        raise ReviewError(_("Please write a comment."), field="text")
    if customer is not None and not customer.is_authenticated:
        customer = None
    throttle = throttle_key(ip, customer=customer, request=request)
    if SUBMISSIONS.exceeded(throttle):
        raise ReviewError(THROTTLED)
    if request is not None:
        email = request.email  # the address the request went to, not one from the form
    elif customer is not None:
        email = customer.email  # the account's, whatever the form said
    email = (email or "").strip()
    known = customer is not None or request is not None
    if not known:
        if not email:
            raise ReviewError(_("Please enter your e-mail address."), field="email")
        review = _store_unconfirmed(product, rating, text, author_name, email, language)
        SUBMISSIONS.hit(throttle)
        return review
    if reviews_by(customer=customer, email=email).filter(product=product).exists():
        raise ReviewError(ALREADY_REVIEWED)
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
                confirmed_at=timezone.now(),
                language=(language or "")[:5],
            )
    except IntegrityError as exc:  # written concurrently: the review_once_per_* indexes
        raise ReviewError(ALREADY_REVIEWED) from exc
    SUBMISSIONS.hit(throttle)
    return review


# --- confirming a review written without an account -----------------------------------------


def _store_unconfirmed(product, rating, text, author_name, email, language):
    with transaction.atomic():
        review = Review.objects.create(
            product=product,
            rating=rating,
            text=text,
            author_name=author_name.strip(),
            email=email,
            confirmed_at=None,
            language=(language or "")[:5],
        )
        queue_email(
            "review_confirm",
            email,
            {
                "review": review,
                "product": product,
                "name": review.author_name,
                "confirm_url": confirm_path(review),
                "days": CONFIRM_LINK_MAX_AGE // (24 * 3600),
            },
            language=language,
        )
    return review


def confirm_path(review):
    value = signing.TimestampSigner(salt=CONFIRM_SALT).sign(str(review.pk))
    return reverse("reviews:confirm", args=[value])


def review_from_confirm_link(value):
    """The unconfirmed or confirmed review of a confirmation link, or None if the link was
    altered, is too old, or its review is gone (deleted unconfirmed, or refused)."""
    try:
        pk = signing.TimestampSigner(salt=CONFIRM_SALT).unsign(value, max_age=CONFIRM_LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    return Review.objects.select_related("product").filter(pk=pk, anonymised="").first()


def confirm_review(review):
    """The address confirmed the review it was typed into: from now on the review waits for
    moderation and counts as this address's review of the product. Idempotent. If the
    address (or the account under it) reviewed the product meanwhile, the unconfirmed review
    is deleted and ReviewError says so — told only to whoever reads that mailbox."""
    with transaction.atomic():
        locked = Review.objects.select_for_update().filter(pk=review.pk).first()
        if locked is None:
            raise ReviewError(_("This link is not valid any more."))
        if locked.confirmed_at is not None:
            return locked
        duplicate = reviews_by(email=locked.email).filter(product_id=locked.product_id).exists()
        if not duplicate:
            try:
                with transaction.atomic():
                    locked.confirmed_at = timezone.now()
                    locked.save(update_fields=["confirmed_at"])
            except IntegrityError:  # another review of the address confirmed concurrently
                duplicate = True
        if duplicate:
            locked.delete()
    if duplicate:
        raise ReviewError(ALREADY_REVIEWED)
    return locked


def purge_unconfirmed(now=None):
    """Delete reviews whose address did not confirm them while the link was valid."""
    cutoff = (now or timezone.now()) - timedelta(seconds=CONFIRM_LINK_MAX_AGE)
    deleted, _rows = Review.objects.filter(confirmed_at__isnull=True, created__lt=cutoff).delete()
    return deleted


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


def _mark_moderated(review, user, now):
    if not review.moderated:
        review.moderated = True
        review.moderated_by = user
        review.moderated_at = now


def _locked(review):
    return Review.objects.select_for_update().get(pk=review.pk)


def _copy_back(source, target):
    for field in (
        *EDITABLE_FIELDS,
        "moderated",
        "moderated_by_id",
        "moderated_at",
        "published_at",
        "rejection_reason",
    ):
        setattr(target, field, getattr(source, field))


def _publish(review, now):
    """``review`` (locked) is active now: the first time, the author is told once it commits."""
    review.rejection_reason = ""
    if review.published_at is None:
        review.published_at = now
        emails.notify_published(review)


def _clean_reason(reason):
    reason = (reason or "").strip()
    if len(reason) > MAX_REJECTION_REASON:
        raise ReviewError(
            _("The reason is too long (at most %(n)d characters).") % {"n": MAX_REJECTION_REASON},
            field="reason",
        )
    return reason


@transaction.atomic
def activate(review, user):
    locked = _locked(review)
    now = timezone.now()
    locked.active = True
    _mark_moderated(locked, user, now)
    _publish(locked, now)
    locked.save(
        update_fields=[
            "active",
            "moderated",
            "moderated_by",
            "moderated_at",
            "published_at",
            "rejection_reason",
        ]
    )
    _copy_back(locked, review)
    return review


@transaction.atomic
def deactivate(review, user, reason=""):
    """Hide ``review``; one not moderated yet is rejected (moderated, inactive).

    The author is e-mailed when a waiting review is rejected, and when staff give a
    ``reason`` (kept on the review and shown to its author); hiding a review without a
    reason tells nobody, so switching a review off and on sends nothing."""
    reason = _clean_reason(reason)
    locked = _locked(review)
    was_waiting, was_public = not locked.moderated, locked.is_public
    locked.active = False
    locked.rejection_reason = reason
    _mark_moderated(locked, user, timezone.now())
    locked.save(
        update_fields=["active", "moderated", "moderated_by", "moderated_at", "rejection_reason"]
    )
    if was_waiting or reason:
        emails.notify_rejected(locked, was_public=was_public)
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
    now = timezone.now()
    _mark_moderated(locked, user, now)
    if locked.active:
        _publish(locked, now)
    locked.save()
    _copy_back(locked, review)
    return review


def _authors_of(rows):
    return rows.select_related("product", "customer", "request")


@transaction.atomic
def activate_many(queryset, user):
    """Bulk activation, set-based. Returns the number of reviews now active. The authors of
    the reviews published for the first time are told (one e-mail each)."""
    ids = list(queryset.order_by().values_list("pk", flat=True))
    rows = Review.objects.filter(pk__in=ids)
    list(rows.select_for_update().values_list("pk", flat=True))
    now = timezone.now()
    rows.filter(moderated=False).update(moderated=True, moderated_by=user, moderated_at=now)
    first = list(rows.filter(published_at__isnull=True).values_list("pk", flat=True))
    activated = rows.filter(active=False).update(active=True, rejection_reason="")
    Review.objects.filter(pk__in=first).update(published_at=now, rejection_reason="")
    for review in _authors_of(Review.objects.filter(pk__in=first)):
        emails.notify_published(review)
    return activated


@transaction.atomic
def deactivate_many(queryset, user):
    """Bulk deactivation, set-based; the reviews not moderated yet are rejected (moderated,
    inactive) and their authors told, without a reason. Returns the number of reviews hidden
    or rejected now."""
    ids = list(queryset.order_by().values_list("pk", flat=True))
    rows = Review.objects.filter(pk__in=ids)
    list(rows.select_for_update().values_list("pk", flat=True))
    waiting = list(rows.filter(moderated=False).values_list("pk", flat=True))
    rejected = Review.objects.filter(pk__in=waiting).update(
        moderated=True, moderated_by=user, moderated_at=timezone.now(), active=False
    )
    for review in _authors_of(Review.objects.filter(pk__in=waiting)):
        emails.notify_rejected(review)
    return rejected + rows.filter(active=True).update(active=False)
