"""The reviews section on the product page (shop.panels.PRODUCT_PAGE), the review-request
consent on the account's "Privacy & consents" and what deleting the account does to the
reviews (customers.panels)."""

from django.db import transaction
from django.db.models import Avg, Count
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from customers import panels as customer_panels
from customers.erasure import own_addresses
from orders.services import consents
from shop import admin, panels

from . import erasure, review_requests, services
from .forms import ReviewForm
from .models import RATING_MAX, RATING_MIN, Review, ReviewOptOut

SHOWN = 50


def product_reviews(request, product):
    public = Review.objects.public().filter(product=product)
    if hasattr(product, "review_count"):
        count, avg = product.review_count, product.review_avg
    else:
        stats = public.aggregate(count=Count("pk"), avg=Avg("rating"))
        count, avg = stats["count"], stats["avg"]
    user = request.user
    # One review per product and person: a customer who reviewed it sees theirs, not a form.
    own = None
    if user.is_authenticated:
        own = (
            services.reviews_by(customer=user, email=user.email)
            .filter(product=product)
            .order_by("created")
            .first()
        )
    form = getattr(request, "review_form", None) or ReviewForm(user=user)
    return {
        "own_review": own,
        "reviews": list(public.order_by("-created")[:SHOWN]) if count else [],
        "review_count": count,
        "review_avg": avg,
        "distribution": distribution(public, count) if count else [],
        "form": form,
        # A guest's empty form is the same for everyone (per language): its fields are
        # rendered once per process (the CSRF token stays outside).
        "form_cacheable": not form.is_bound and not user.is_authenticated,
    }


def distribution(public, count):
    """Rows for 5 … 1 stars: how many public reviews gave that rating, and their share."""
    per_star = dict(public.order_by().values_list("rating").annotate(n=Count("pk")))
    return [
        {
            "stars": stars,
            "count": per_star.get(stars, 0),
            "percent": round(100 * per_star.get(stars, 0) / count) if count else 0,
        }
        for stars in range(RATING_MAX, RATING_MIN - 1, -1)
    ]


def review_request_consent(user):
    """The consent to review requests given at checkout; withdrawn also when the address was
    unsubscribed through the link of a request e-mail."""
    found = consents.consent_given(user, consents.REVIEW_REQUESTS)
    if found is None:
        return None
    opted_out = (
        ReviewOptOut.objects.filter(email=user.email.strip().lower())
        .values_list("created", flat=True)
        .first()
    )
    withdrawn_at = None
    if not found["active"] or opted_out:
        withdrawn_at = max(
            (at for at in (opted_out, consents.withdrawn_at(user, consents.REVIEW_REQUESTS)) if at),
            default=None,
        )
    return {
        **found,
        "title": _("Review requests by e-mail"),
        "active": found["active"] and opted_out is None,
        "withdrawn_at": withdrawn_at,
        "effect": _(
            "When you withdraw it, we no longer ask you by e-mail to review products you bought."
        ),
    }


def withdraw_review_request_consent(user):
    """As the unsubscribe link of a request e-mail does for the address, and on the orders
    (recorded in their history)."""
    with transaction.atomic():
        review_requests.unsubscribe(user.email)
        consents.withdraw_review_request_consent(user)
    return gettext(
        "You have withdrawn your consent to review requests: we will not ask you for reviews "
        "by e-mail any more."
    )


def deletion_note(user):
    """On "Delete my account": what ``reviews.erasure`` does to the customer's reviews."""
    if not erasure.customer_reviews(user, own_addresses(user)).exists():
        return None
    if user.is_test:
        return {"text": gettext("Your reviews are deleted.")}
    return {
        "text": gettext(
            "Your reviews stay, without your name: they are shown as written by a deleted "
            "customer, and your name, e-mail address, phone number and street are removed "
            "from their texts and from our replies."
        )
    }


def register():
    customer_panels.register_consent(
        consents.REVIEW_REQUESTS,
        review_request_consent,
        withdraw_review_request_consent,
        order=20,
    )
    customer_panels.register_deletion_note(deletion_note, order=50)
    panels.PRODUCT_PAGE.register("reviews/_product_reviews.html", product_reviews, order=50)
    admin.backoffice.attention(
        _("Reviews waiting for moderation"),
        "admin:reviews_review_changelist",
        lambda: Review.objects.waiting().count(),
        permission="reviews.view_review",
        query="?moderated__exact=0",
    )
