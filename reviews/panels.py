"""The reviews section on the product page (shop.panels.PRODUCT_PAGE)."""

from django.db.models import Avg, Count
from django.utils.translation import gettext_lazy as _

from shop import admin, panels

from . import services
from .forms import ReviewForm
from .models import RATING_MAX, RATING_MIN, Review

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


def register():
    panels.PRODUCT_PAGE.register("reviews/_product_reviews.html", product_reviews, order=50)
    admin.backoffice.attention(
        _("Reviews waiting for moderation"),
        "admin:reviews_review_changelist",
        lambda: Review.objects.waiting().count(),
        permission="reviews.view_review",
        query="?moderated__exact=0",
    )
