"""Review operations: submission from the storefront and moderation by staff.

Moderation rule (SPEC S10): the first activation or the first saved edit by staff marks a
review *moderated* (who and when are kept from that first time); *active* can be switched
off and on at any time. Public = moderated and active (``Review.objects.public()``).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shop.ratelimit import RateLimit

from .errors import ReviewError
from .models import RATING_MAX, RATING_MIN, Review

# Fields staff may change in an edit; everything else (product, e-mail, dates) is evidence.
EDITABLE_FIELDS = ("text", "rating", "author_name", "active")


THROTTLED = _("You have written several reviews in a short time. Please try again later.")


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


def submit_review(product, *, rating, text, author_name, email, customer=None, ip=None):
    """Store a new review waiting for moderation. Raises ReviewError when throttled."""
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
    review = Review.objects.create(
        product=product,
        rating=rating,
        text=text,
        author_name=author_name.strip(),
        email=email.strip(),
        customer=customer,
    )
    SUBMISSIONS.hit(ip)
    return review


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
