"""The order's life after delivery (issue 20): withdrawal statements and returns.

Models only; what happens to them is in ``orders.services.withdrawals`` and
``orders.services.returns`` (refunds: ``orders.services.refunds``). Imported at the end of
``orders.models``, so they belong to the orders app like every other model of it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shop.fields import EmailField
from shop.shop_language import default_language

from .models import CreditNote, Order, OrderLine


class WithdrawalQuerySet(models.QuerySet):
    def new(self):
        return self.filter(status=Withdrawal.Status.NEW)


class Withdrawal(models.Model):
    """A withdrawal statement sent with the storefront's withdrawal function (Art. 11a CRD,
    § 356a BGB): what the consumer declared and when it was received, kept as sent.

    A statement that names no order of the given e-mail address is recorded as well
    (``order`` empty): the storefront answers it like any other, the operator checks it.
    """

    class Status(models.TextChoices):
        NEW = "new", _("New")
        PROCESSED = "processed", _("Processed")

    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    order = models.ForeignKey(
        Order,
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="withdrawals",
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # As the consumer typed them.
    name = models.CharField(pgettext_lazy("person", "name"), max_length=200)
    email = EmailField(_("e-mail"))
    order_number = models.CharField(_("order number"), max_length=40)
    # [{"line": order line id, "name": …, "quantity": n}]; empty: the whole order.
    items = models.JSONField(_("items"), default=list, blank=True)
    items_text = models.TextField(_("items (as written)"), blank=True)
    reason = models.TextField(_("reason"), blank=True)
    language = models.CharField(_("language"), max_length=5, default=default_language)
    # The end of the withdrawal period when the statement was received (empty: the period
    # had not started, e.g. goods still on their way) and whether it came after it.
    period_ends = models.DateField(_("withdrawal period ends"), null=True, blank=True)
    is_late = models.BooleanField(_("after the withdrawal period"), default=False)
    acknowledged_at = models.DateTimeField(_("acknowledgement e-mailed"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW, db_index=True
    )
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    processed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = WithdrawalQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("withdrawal")
        verbose_name_plural = _("withdrawals")
        constraints = [
            models.CheckConstraint(
                condition=Q(is_late=False) | Q(period_ends__isnull=False),
                name="withdrawal_late_only_after_a_period",
            ),
        ]

    def __str__(self):
        return _("Withdrawal from order %(number)s") % {"number": self.order_number}

    @property
    def whole_order(self):
        return not self.items and not self.items_text


class Return(models.Model):
    """Goods a customer sends back: requested → received → refunded, or rejected."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        RECEIVED = "received", _("Received")
        REFUNDED = "refunded", _("Refunded")
        REJECTED = "rejected", _("Rejected")

    class Reason(models.TextChoices):
        WITHDRAWAL = "withdrawal", _("Withdrawal")
        DEFECTIVE = "defective", _("Defective")
        DAMAGED = "damaged", _("Damaged in transit")
        WRONG_ITEM = "wrong_item", _("Wrong item delivered")
        NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
        OTHER = "other", _("Other")

    OPEN = (Status.REQUESTED, Status.RECEIVED)

    # Deleted only with a test customer's uninvoiced order (an invoice protects the order).
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="returns"
    )
    number = models.CharField(_("return number"), max_length=30, unique=True)
    created = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.REQUESTED,
        db_index=True,
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.TextField(_("note"), blank=True)
    withdrawal = models.OneToOneField(
        Withdrawal,
        verbose_name=_("withdrawal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="return_request",
    )
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for the rejection"), blank=True)
    credit_note = models.OneToOneField(
        CreditNote,
        verbose_name=_("credit note"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="return_request",
    )

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="refunded") | Q(credit_note__isnull=False),
                name="return_refunded_with_credit_note",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="return_rejected_with_reason",
            ),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("admin:orders_return_change", args=[self.pk])

    @property
    def is_open(self):
        return self.status in self.OPEN

    @property
    def awaits_parcel(self):
        """The parcel can be marked received: a requested return, or one refunded before it
        arrived (on the customer's proof of dispatch) — its goods still go back to stock."""
        return self.status == self.Status.REQUESTED or (
            self.status == self.Status.REFUNDED and self.received_at is None
        )

    # Goods sent back as defective or damaged are not sold again unless the operator says so.
    NOT_RESTOCKED_BY_DEFAULT = (Reason.DEFECTIVE, Reason.DAMAGED)

    @property
    def restock_by_default(self):
        """Whether "back to stock" is ticked when the parcel is received."""
        return self.reason not in self.NOT_RESTOCKED_BY_DEFAULT

    @property
    def settling_note(self):
        """The credit note that settled the return, read from the order's prefetched credit
        notes where the page has them (the order page: no query per return)."""
        if self.credit_note_id is None:
            return None
        if not Return.credit_note.is_cached(self) and Return.order.is_cached(self):
            if "invoices" in getattr(self.order, "_prefetched_objects_cache", {}):
                for note in self.order.credit_notes:
                    if note.pk == self.credit_note_id:
                        return note
        return self.credit_note

    @property
    def is_payout_pending(self):
        """Settled by a credit note whose payout via the payment method is not made yet."""
        return self.status == self.Status.REFUNDED and self.settling_note.payout_pending

    @property
    def status_label(self):
        """The status as the pages show it. A return settled by a credit note says what
        became of the money: "Refunded" only once the credit note's payout via the payment
        method is recorded, else that it is pending, or where the credit went (gift card,
        account credit, the amount still due of an order not paid yet)."""
        if self.status != self.Status.REFUNDED:
            return self.get_status_display()
        note = self.settling_note
        if note.payout_pending:
            return _("Credit note issued — refund pending")
        if note.paid_total > 0:
            return self.get_status_display()
        settled = [
            str(text)
            for amount, text in (
                (note.giftcard_total, _("back to the gift card")),
                (note.credit_total, _("back to the account credit")),
                (note.due_reduction, _("taken off the amount due")),
            )
            if amount > 0
        ]
        if not settled:
            return _("Credit note issued")
        return _("Credit note issued — %(settled)s") % {"settled": ", ".join(settled)}

    @property
    def status_class(self):
        """The CSS class of the status label (``order-status return-…``)."""
        return "refund-pending" if self.is_payout_pending else self.status


class ReturnLine(models.Model):
    class Condition(models.TextChoices):
        AS_NEW = "as_new", _("As new")
        OPENED = "opened", _("Opened, complete")
        USED = "used", pgettext_lazy("condition of returned goods", "Used")
        DAMAGED = "damaged", _("Damaged")

    return_request = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    condition = models.CharField(
        _("condition"), max_length=10, choices=Condition.choices, blank=True
    )
    back_to_stock = models.BooleanField(_("back to stock"), default=False)
    restocked = models.BooleanField(_("restocked"), default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("returned line")
        verbose_name_plural = _("returned lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="returnline_quantity_positive"
            ),
            models.UniqueConstraint(
                fields=["return_request", "order_line"], name="returnline_once_per_return"
            ),
            models.CheckConstraint(
                condition=Q(restocked=False) | Q(back_to_stock=True),
                name="returnline_restocked_only_back_to_stock",
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.order_line.name}"
