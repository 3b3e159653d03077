from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Avg, Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shop.fields import EmailField
from shop.pagecache import StorefrontQuerySet
from shop.shop_language import default_language

RATING_MIN, RATING_MAX = 1, 5
PUBLIC = Q(moderated=True, active=True)


class ReviewQuerySet(StorefrontQuerySet):
    def public(self):
        """The one visibility rule: a review is shown iff staff moderated it and it is active."""
        return self.filter(PUBLIC)

    def confirmed(self):
        """Reviews whose author is known: an account, a review-request link, or an address
        that confirmed the review through the link e-mailed to it."""
        return self.filter(confirmed_at__isnull=False)

    def waiting(self):
        """Confirmed reviews no staff member has activated or edited yet."""
        return self.confirmed().filter(moderated=False)


class Review(models.Model):
    class Anonymised(models.TextChoices):
        # Shown instead of the author's name, in the reader's language (display_author).
        ERASED = "erased", _("Deleted customer")
        EXPIRED = "expired", _("Anonymous")

    product = models.ForeignKey(
        "shop.Product", verbose_name=_("product"), on_delete=models.CASCADE, related_name="reviews"
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"),
        validators=[MinValueValidator(RATING_MIN), MaxValueValidator(RATING_MAX)],
        help_text=_("1 (poor) to 5 (excellent)"),
    )
    text = models.TextField(_("comment"), max_length=2000)
    author_name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    email = EmailField(_("e-mail"))
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviews",
    )
    # Why the author's name is gone (erasure, retention): its label replaces the name.
    anonymised = models.CharField(
        _("anonymised"), max_length=10, choices=Anonymised.choices, blank=True, default=""
    )
    created = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    # When the author was known: at once for an account or a review-request link; for a
    # review written without either, when the typed address confirmed it
    # (services.confirm_review; submit_review stores such a review with None).
    # Until then the review is invisible to moderation and counts for nobody.
    confirmed_at = models.DateTimeField(
        _("author confirmed"), null=True, blank=True, default=timezone.now
    )
    moderated = models.BooleanField(
        _("moderated"),
        default=False,
        help_text=_("Set by the first activation, the first saved edit or the rejection by staff."),
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
    # The first time the review went public: its author is told once (reviews.emails), not
    # again when staff switch it off and on.
    published_at = models.DateTimeField(_("first published"), null=True, blank=True, editable=False)
    # Why staff did not publish the review (or took it off the product page): e-mailed to the
    # author and shown to them next to their review's status. Cleared when it is published.
    rejection_reason = models.TextField(
        _("reason for not publishing"), max_length=1000, blank=True, default=""
    )
    # The language the review was written in (the storefront's): the author's e-mails about
    # it, for an author without an account.
    language = models.CharField(_("language"), max_length=5, blank=True, default="")
    # Set by the one rule (services.has_bought) when the review is written, and again when
    # an order of its author is paid, canceled or credited (services.refresh_verified): a
    # purchase that was canceled or fully returned and credited proves nothing any more.
    verified_purchase = models.BooleanField(
        _("verified purchase"),
        default=False,
        help_text=_(
            "The purchase is proven and stands: an order of the signed-in customer's account, "
            "or the order of the review-request link it was written with, that holds the "
            "product, is not canceled and has not been fully returned and credited."
        ),
    )
    # One review per product and person (see services.submit_review). Set only by migration
    # 0004 on the reviews a person had written of a product after their first one, before that
    # rule existed: they are kept as they were (moderators decide) and stay outside the unique
    # indexes below. Nothing sets it any more.
    repeated = models.BooleanField(
        _("repeated review"),
        default=False,
        editable=False,
        help_text=_(
            "A further review of the same product by the same person, written before a second "
            "review was refused."
        ),
    )
    # Written through the link of a review-request e-mail (one review per product and request).
    request = models.ForeignKey(
        "ReviewRequest",
        verbose_name=_("review request"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviews",
    )
    # The shop's public answer under the review.
    reply_text = models.TextField(_("shop reply"), max_length=2000, blank=True)
    reply_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("replied by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        permissions = [("reply_review", _("Can publish the shop's reply to a review"))]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "product"],
                condition=Q(request__isnull=False),
                name="review_once_per_request_and_product",
            ),
            # One review per product and person: the account ...
            models.UniqueConstraint(
                fields=["product", "customer"],
                condition=Q(customer__isnull=False, repeated=False),
                name="review_once_per_product_and_customer",
            ),
            # ... and the address (any case), once confirmed: a typed address nobody confirmed
            # must not block its owner's review. Anonymised reviews belong to nobody any more
            # (erasure and retention give each its own placeholder address anyway).
            models.UniqueConstraint(
                "product",
                Lower("email"),
                condition=Q(anonymised="", repeated=False, confirmed_at__isnull=False)
                & ~Q(email=""),
                name="review_once_per_product_and_email",
            ),
            models.CheckConstraint(
                condition=Q(reply_text="") | Q(replied_at__isnull=False),
                name="review_reply_has_date",
            ),
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
            "name": self.display_author,
            "product": self.product,
            "rating": self.rating,
        }

    @property
    def display_author(self):
        """The author's name, or why it is gone, in the reader's language."""
        return self.get_anonymised_display() if self.anonymised else self.author_name

    @property
    def is_public(self):
        return self.moderated and self.active

    @property
    def status_label(self):
        """Where the (confirmed) review stands, for its author."""
        if not self.moderated:
            return _("waiting for moderation")
        return _("published") if self.active else _("not published")

    @property
    def has_reply(self):
        return bool(self.reply_text)


class ReviewRequest(models.Model):
    """The one e-mail per order that asks for reviews after delivery (S10, issue 24).

    The order is unique: a request is never sent twice, whatever runs concurrently."""

    order = models.OneToOneField(
        "orders.Order",
        verbose_name=_("order"),
        on_delete=models.CASCADE,
        related_name="review_request",
    )
    email = EmailField(_("e-mail"))
    language = models.CharField(_("language"), max_length=5, default=default_language)
    created = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("review request")
        verbose_name_plural = _("review requests")

    def __str__(self):
        return f"{self.order} → {self.email}"


class ReviewOptOut(models.Model):
    """An address that unsubscribed from review requests (lower-cased)."""

    email = EmailField(_("e-mail"), unique=True)
    created = models.DateTimeField(_("unsubscribed"), auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("review-request opt-out")
        verbose_name_plural = _("review-request opt-outs")

    def __str__(self):
        return self.email


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
