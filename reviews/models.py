from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Avg, Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shop.fields import EmailField

RATING_MIN, RATING_MAX = 1, 5
PUBLIC = Q(moderated=True, active=True)


class ReviewQuerySet(models.QuerySet):
    def public(self):
        """The one visibility rule: a review is shown iff staff moderated it and it is active."""
        return self.filter(PUBLIC)

    def waiting(self):
        """Reviews no staff member has activated or edited yet."""
        return self.filter(moderated=False)


class Review(models.Model):
    product = models.ForeignKey(
        "shop.Product", verbose_name=_("product"), on_delete=models.CASCADE, related_name="reviews"
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"),
        validators=[MinValueValidator(RATING_MIN), MaxValueValidator(RATING_MAX)],
        help_text=_("1 (poor) to 5 (excellent)"),
    )
    text = models.TextField(_("comment"), max_length=2000)
    author_name = models.CharField(_("name"), max_length=100)
    email = EmailField(_("e-mail"))
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviews",
    )
    created = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    moderated = models.BooleanField(
        _("moderated"),
        default=False,
        help_text=_("Set by the first activation or the first saved edit by staff."),
    )
    active = models.BooleanField(_("active"), default=False)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=RATING_MIN, rating__lte=RATING_MAX),
                name="review_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(moderated=False) | Q(moderated_at__isnull=False),
                name="review_moderated_has_date",
            ),
        ]
        indexes = [
            # The product page and the list annotations only ever read public reviews.
            models.Index(
                fields=["product", "-created"], condition=PUBLIC, name="review_public_idx"
            ),
            # The start page's "waiting for moderation" count.
            models.Index(
                fields=["created"], condition=Q(moderated=False), name="review_waiting_idx"
            ),
        ]

    def __str__(self):
        return _("%(name)s on %(product)s (%(rating)d/5)") % {
            "name": self.author_name,
            "product": self.product,
            "rating": self.rating,
        }

    @property
    def is_public(self):
        return self.moderated and self.active


def with_rating(products):
    """Annotate a Product queryset with ``review_count`` and ``review_avg`` of PUBLIC reviews.

    Correlated subqueries rather than a JOIN + GROUP BY, so the numbers stay right whatever
    other joins or annotations the caller's queryset carries — and still one SQL query.
    """
    public = Review.objects.public().filter(product=OuterRef("pk")).order_by().values("product")
    return products.annotate(
        review_count=Coalesce(
            Subquery(public.annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()),
            0,
        ),
        review_avg=Subquery(public.annotate(a=Avg("rating")).values("a")[:1]),
    )
