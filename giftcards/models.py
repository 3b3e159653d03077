"""Gift cards, customer credit accounts and the ledger behind both (SPEC S8).

The stored ``balance`` of a card or account is a cache of the sum of its ledger entries. It is
only changed by ``giftcards.services`` under a row lock, in the same transaction as the
ledger entry, and a database constraint keeps it from going negative.
"""

from django.conf import settings
from django.db import models
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shop import events
from shop.models import ShopSettings
from shop.money import format_money

NUMBER_LENGTH = 16


def format_number(number):
    """``1234567890123456`` → ``1234 5678 9012 3456`` (stored without spaces)."""
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


class CardState(models.TextChoices):
    AVAILABLE = "available", _("Available")
    USED = "used", _("Used")
    REDEEMED = "redeemed", _("Redeemed")
    EXPIRED = "expired", _("Expired")
    BLOCKED = "blocked", _("Blocked")


class GiftCardQuerySet(models.QuerySet):
    def with_last_use(self):
        """``last_use``: the newest ledger entry but the issue — a card just issued has not
        been used ("last use" beside "not used on any order yet" read as a contradiction)."""
        return self.annotate(last_use=Max("ledger__created", filter=~Q(ledger__kind="issue")))

    def in_state(self, state, today=None):
        """Cards whose ``state`` property is ``state`` — the same precedence, as SQL."""
        today = today or timezone.localdate()
        expired = Q(valid_until__lt=today)
        redeemed = Q(redeemed_to__isnull=False, balance=0)
        qs = self.filter(is_blocked=False)
        if state == CardState.BLOCKED:
            return self.filter(is_blocked=True)
        if state == CardState.REDEEMED:
            return qs.filter(redeemed)
        if state == CardState.EXPIRED:
            return qs.exclude(redeemed).filter(expired)
        if state == CardState.USED:
            return qs.exclude(redeemed).exclude(expired).filter(balance=0)
        if state == CardState.AVAILABLE:
            return qs.exclude(expired).filter(balance__gt=0)
        return self.none()


class GiftCard(models.Model):
    number = models.CharField(
        _("card number"),
        max_length=NUMBER_LENGTH,
        unique=True,
        editable=False,
        help_text=_("16 digits, the last one a Luhn check digit."),
    )
    initial_value = models.DecimalField(_("initial value"), max_digits=10, decimal_places=2)
    balance = models.DecimalField(_("balance"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Last day of use. Empty = no expiry.")
    )
    is_blocked = models.BooleanField(_("blocked"), default=False)
    issued_by_order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("bought with order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="issued_giftcards",
    )
    # Which unit of which order line this card is — makes issuing on payment idempotent.
    issued_by_line = models.ForeignKey(
        "orders.OrderLine", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    line_unit = models.PositiveSmallIntegerField(null=True, blank=True)
    issued_by_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    redeemed_to = models.ForeignKey(
        "CreditAccount",
        verbose_name=_("redeemed into account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="redeemed_cards",
    )
    created = models.DateTimeField(_("issued"), auto_now_add=True, db_index=True)

    objects = GiftCardQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("gift card")
        verbose_name_plural = _("gift cards")
        permissions = [
            ("adjust_balance", _("Can adjust gift-card and credit balances manually")),
            (
                "issue_beyond_limit",
                _("Can issue gift cards and credit beyond the daily limit per staff member"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(balance__gte=0), name="giftcard_balance_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(initial_value__gt=0), name="giftcard_initial_value_positive"
            ),
            models.CheckConstraint(
                condition=Q(number__regex=r"^[0-9]{16}$"), name="giftcard_number_16_digits"
            ),
            models.UniqueConstraint(
                fields=["issued_by_line", "line_unit"], name="giftcard_one_per_order_line_unit"
            ),
        ]

    def __str__(self):
        return self.display_number

    @property
    def display_number(self):
        return format_number(self.number)

    @property
    def masked_number(self):
        """``…3456``: enough for the customer to recognise the card in a document that
        outlives it (a credit note), not enough to spend it."""
        return f"…{self.number[-4:]}"

    @property
    def is_expired(self):
        return self.valid_until is not None and self.valid_until < timezone.localdate()

    @property
    def state(self):
        if self.is_blocked:
            return CardState.BLOCKED
        if self.redeemed_to_id and not self.balance:
            return CardState.REDEEMED
        if self.is_expired:
            return CardState.EXPIRED
        if not self.balance:
            return CardState.USED
        return CardState.AVAILABLE

    @property
    def state_label(self):
        return self.state.label


class CreditAccount(models.Model):
    """Gift-card credit of one customer, kept under the customer number (top-up on customer)."""

    customer = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,  # an erased customer's ledger stays for the books
        related_name="credit_account",
    )
    customer_number = models.CharField(_("customer number"), max_length=20, db_index=True)
    balance = models.DecimalField(_("credit"), max_digits=10, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    created = models.DateTimeField(_("opened"), auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("credit account")
        verbose_name_plural = _("credit accounts")
        constraints = [
            models.CheckConstraint(
                condition=Q(balance__gte=0), name="creditaccount_balance_not_negative"
            ),
        ]

    def __str__(self):
        return str(_("Credit account %(number)s") % {"number": self.customer_number})


class LedgerEntry(models.Model):
    class Kind(models.TextChoices):
        ISSUE = "issue", _("Issued")
        REDEEM = "redeem_to_account", _("Redeemed to account")
        SPEND = "spend", _("Spent on order")
        REFUND = "refund", _("Refund")
        ADJUST = "adjust", _("Manual adjustment")
        EXPIRE = "expire", _("Expired")
        # A card bought with an order taken back by a credit note of its line: blocked, and
        # its whole value written off (the buyer got the money back).
        VOID = "void", _("Voided (refunded)")

    card = models.ForeignKey(
        GiftCard,
        verbose_name=_("gift card"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger",
    )
    account = models.ForeignKey(
        CreditAccount,
        verbose_name=_("credit account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger",
    )
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="giftcard_ledger",
    )
    # For a redemption: the card on the account's entry, so the account shows where credit came from.
    source_card = models.ForeignKey(
        GiftCard,
        verbose_name=_("from gift card"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    # A reason the shop wrote ("Order 100131", "Expired"), untranslated, to be read in each
    # reader's language (shop.events); a reason staff typed has none.
    message = events.MessageField(_("reason"), text_field="reason")
    created = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger")
        indexes = [
            models.Index(fields=["card", "-created"]),
            models.Index(fields=["account", "-created"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(card__isnull=False, account__isnull=True)
                    | Q(card__isnull=True, account__isnull=False)
                ),
                name="ledger_card_xor_account",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["issue", "refund"], amount__gt=0)
                    | Q(kind__in=["spend", "expire", "void"], amount__lt=0)
                    | Q(kind="redeem_to_account", card__isnull=False, amount__lt=0)
                    | Q(kind="redeem_to_account", account__isnull=False, amount__gt=0)
                    | (Q(kind="adjust") & ~Q(amount=0))
                ),
                name="ledger_amount_sign_matches_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind="adjust") | ~Q(reason=""), name="ledger_adjustment_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {format_money(self.amount, self.holder.currency)}"

    @property
    def holder(self):
        return self.card if self.card_id else self.account

    @property
    def display_reason(self):
        """The reason as its reader sees it: one the shop wrote in the active language."""
        return events.read(self.message, self.reason)


class GiftCardEvent(models.Model):
    """Something staff did to a card that moves no money — blocked or unblocked it — with
    who, when and why (the card's history beside its ledger)."""

    class Kind(models.TextChoices):
        BLOCK = "block", _("Blocked")
        UNBLOCK = "unblock", _("Unblocked")

    card = models.ForeignKey(
        GiftCard, verbose_name=_("gift card"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=300)
    created = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("gift-card event")
        verbose_name_plural = _("gift-card events")
        constraints = [
            # A block or unblock is recorded for its reason (a staff user deleted later
            # leaves it).
            models.CheckConstraint(condition=~Q(reason=""), name="giftcardevent_has_reason"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.card}"


class GiftCardModeSetting(ShopSettings):
    """The gift-card mode of the shop settings, as its own entry in the backoffice app list."""

    class Meta:
        proxy = True
        verbose_name = _("gift-card mode")
        verbose_name_plural = _("gift-card mode")
