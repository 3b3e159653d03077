"""Discount-code campaigns, their codes and redemptions (S7), code jobs, partner offers (S12)."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import (
    Concat,
    Greatest,
    Lower,
    Replace,
    StrIndex,
    Substr,
    Trim,
    Upper,
)
from django.db.models.lookups import Exact, GreaterThan, In, StartsWith
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shop.fields import EmailField, URLField
from shop.money import SUM_TOLERANCE, ZERO, format_money, format_percent, money_validators


def normalise_code(text):
    """Codes are stored and matched upper-case without surrounding or inner spaces."""
    return "".join((text or "").split()).upper()


# Google delivers both to one mailbox and ignores the dots of its local part.
GMAIL_DOMAINS = ("gmail.com", "googlemail.com")


def mailbox(address):
    """The mailbox the e-mail ``address`` (a field name or an expression; ``Value(text)`` for
    a typed address) delivers to, as a database expression: lower case, without the ``+tag``
    of the local part, and at Gmail without the local part's dots, googlemail.com read as
    gmail.com (``Anna+2@Example.com`` → ``anna@example.com``, ``a.n.n.a@googlemail.com`` →
    ``anna@gmail.com``). A campaign's uses per customer count per mailbox: a new tag per
    order must not buy a person another use.

    Django's portable functions only, so PostgreSQL and the SQLite file of ``make run``
    compute the same; the one definition for stored and typed addresses alike."""
    if isinstance(address, str):
        address = F(address)
    # Quotes around the local part name the same mailbox ("anna"@example.com)
    address = Replace(Lower(Trim(address)), Value('"'), Value(""))
    at = StrIndex(address, Value("@"))
    local = Substr(address, 1, Greatest(at - 1, 0))
    domain = Substr(address, at + 1)
    plus = StrIndex(local, Value("+"))
    untagged = Case(When(GreaterThan(plus, 1), then=Substr(local, 1, plus - 1)), default=local)
    return Case(
        When(Exact(at, 0), then=address),  # no address: compared as it is
        When(
            In(domain, GMAIL_DOMAINS),
            then=Concat(Replace(untagged, Value("."), Value("")), Value("@gmail.com")),
        ),
        default=Concat(untagged, Value("@"), domain),
        output_field=models.CharField(),
    )


class CampaignQuerySet(models.QuerySet):
    def current(self, today=None):
        today = today or timezone.localdate()
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=today)
        )

    def not_used_up(self):
        """Campaigns whose total uses and budget are not used up (``Campaign.used_up``)."""
        return self.filter(
            Q(max_uses__isnull=True) | Q(uses_count__lt=F("max_uses")),
            Q(budget__isnull=True) | Q(discount_spent__lt=F("budget")),
        )

    def historical(self, today=None):
        return self.filter(valid_to__lt=today or timezone.localdate())

    def upcoming(self, today=None):
        return self.filter(valid_from__gt=today or timezone.localdate())


class Campaign(models.Model):
    class Kind(models.TextChoices):
        MULTI = "multi", _("Multi-use")
        SINGLE = "single", _("Single-use")
        ASSIGNED = "assigned", _("Assigned to a customer")

    class DiscountType(models.TextChoices):
        PERCENT = "percent", _("Percent of the goods")
        AMOUNT = "amount", _("Fixed amount")
        FREE_SHIPPING = "free_shipping", _("Free shipping")

    name = models.CharField(_("name"), max_length=200)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    kind = models.CharField(_("kind of codes"), max_length=10, choices=Kind.choices)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    discount_type = models.CharField(_("discount"), max_length=15, choices=DiscountType.choices)
    discount_value = models.DecimalField(
        _("discount value"),
        max_digits=10,
        decimal_places=2,
        default=ZERO,
        help_text=_("Percent (more than 0, at most 100) or amount; ignored for free shipping."),
    )
    min_order_value = models.DecimalField(
        _("minimum order value"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=money_validators(),
        help_text=_("Goods value (gross) the order must reach."),
    )
    points_price = models.PositiveIntegerField(
        _("price in loyalty points"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Customers can buy a code of this campaign with loyalty points."),
    )
    per_customer_limit = models.PositiveIntegerField(
        _("uses per customer"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "How often one person may use the campaign, all its codes together (multi-use "
            "and single-use codes not sold for points). A person is their account and their "
            "e-mail address: anna+shop@example.com counts as anna@example.com, dots in Gmail "
            "addresses are ignored. Empty = unlimited."
        ),
    )
    mask = models.CharField(_("generator mask"), max_length=200, blank=True)
    requested_count = models.PositiveIntegerField(_("number of codes"), default=0)
    # Scope: which goods the discount applies to (gift cards never).
    categories = models.ManyToManyField(
        "shop.Category",
        verbose_name=_("only for categories"),
        blank=True,
        related_name="+",
        help_text=_("Empty (with no products either) = all goods."),
    )
    products = models.ManyToManyField(
        "shop.Product",
        verbose_name=_("only for products"),
        blank=True,
        related_name="+",
    )
    excluded_categories = models.ManyToManyField(
        "shop.Category", verbose_name=_("not for categories"), blank=True, related_name="+"
    )
    excluded_products = models.ManyToManyField(
        "shop.Product", verbose_name=_("not for products"), blank=True, related_name="+"
    )
    exclude_sale_items = models.BooleanField(_("not for products on sale"), default=False)
    # Limits across all codes of the campaign, kept under the campaign's row lock.
    budget = models.DecimalField(
        _("total budget"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=money_validators(minimum=Decimal("0.01")),
        help_text=_("The most all orders together may be discounted. Empty = no limit."),
    )
    max_uses = models.PositiveIntegerField(
        _("total uses"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Orders that may use a code of the campaign, all codes together."),
    )
    uses_count = models.PositiveIntegerField(_("uses"), default=0, editable=False)
    discount_spent = models.DecimalField(
        _("discount granted"), max_digits=12, decimal_places=2, default=ZERO, editable=False
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("campaign")
        verbose_name_plural = _("discount-code campaigns")
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="campaign_name_unique_ci",
                # Django fills "%(name)s" of the message with the constraint's name: the
                # forms say "A campaign named “…” already exists." with the name typed
                # (services.check_campaign_name); this is for any other validation.
                violation_error_message=_("A campaign with this name already exists."),
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="campaign_valid_range",
            ),
            models.CheckConstraint(
                condition=Q(discount_type="free_shipping")
                | Q(discount_type="percent", discount_value__gt=0, discount_value__lte=100)
                | Q(discount_type="amount", discount_value__gt=0),
                name="campaign_discount_value_valid",
            ),
            models.CheckConstraint(
                condition=Q(min_order_value__isnull=True) | Q(min_order_value__gte=0),
                name="campaign_min_order_not_negative",
            ),
            # A bought code is assigned to its buyer; a multi-use code is everyone's.
            models.CheckConstraint(
                condition=Q(points_price__isnull=True) | ~Q(kind="multi"),
                name="campaign_points_price_not_multi_use",
            ),
            # Uses per customer: at least one; not for personal codes (assigned, or bought
            # with points: a limit would make a bought code worthless).
            models.CheckConstraint(
                condition=Q(per_customer_limit__isnull=True)
                | (Q(per_customer_limit__gte=1, points_price__isnull=True) & ~Q(kind="assigned")),
                name="campaign_per_customer_limit_valid",
                violation_error_message=_(
                    "Uses per customer apply to multi-use and single-use codes not sold for "
                    "loyalty points, and must be at least 1."
                ),
            ),
            # The campaign's limits hold whatever a checkout does.
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gt=0), name="campaign_budget_positive"
            ),
            models.CheckConstraint(
                condition=Q(discount_spent__gte=0)
                # the redemptions add up discount_spent in the database: a sum (SQLite's
                # floats), compared within SUM_TOLERANCE
                & (Q(budget__isnull=True) | Q(discount_spent__lte=F("budget") + SUM_TOLERANCE)),
                name="campaign_within_budget",
                violation_error_message=_(
                    "The budget cannot be lower than the discount already granted."
                ),
            ),
            models.CheckConstraint(
                condition=Q(max_uses__isnull=True) | Q(uses_count__lte=F("max_uses")),
                name="campaign_within_total_uses",
                violation_error_message=_("The total uses cannot be lower than the uses so far."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def single_use(self):
        """Single-use and assigned codes can be redeemed once."""
        return self.kind != self.Kind.MULTI

    @property
    def takes_per_customer_limit(self):
        """Multi-use and single-use codes not sold for points can be limited per person."""
        return self.kind != self.Kind.ASSIGNED and self.points_price is None

    @property
    def limited_in_total(self):
        """A budget or a total-use limit: redeeming locks the campaign's row."""
        return self.budget is not None or self.max_uses is not None

    @property
    def used_up(self):
        """Its total uses or its budget are used up: no code of it is redeemed any more."""
        return (self.max_uses is not None and self.uses_count >= self.max_uses) or (
            self.budget is not None and self.budget_left <= 0
        )

    @property
    def budget_left(self):
        return None if self.budget is None else max(ZERO, self.budget - self.discount_spent)

    def scope(self):
        """The campaign's scope as a :class:`CampaignScope` (four small queries)."""
        return CampaignScope(
            categories=set(self.categories.values_list("pk", flat=True)),
            products=set(self.products.values_list("pk", flat=True)),
            excluded_categories=set(self.excluded_categories.values_list("pk", flat=True)),
            excluded_products=set(self.excluded_products.values_list("pk", flat=True)),
            exclude_sale_items=self.exclude_sale_items,
        )

    def is_valid_on(self, day):
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to >= day
        )

    def discount_label(self):
        if self.discount_type == self.DiscountType.PERCENT:
            # "12,5 %" in German and Danish, "12,5%" in Polish: as the language writes it
            return _("%(percent)s off the goods") % {"percent": format_percent(self.discount_value)}
        if self.discount_type == self.DiscountType.AMOUNT:
            return _("%(value)s off") % {
                "value": format_money(self.discount_value),
                "currency": settings.SHOP_CURRENCY,
            }
        return _("Free shipping")


@dataclass(frozen=True)
class CampaignScope:
    categories: set
    products: set
    excluded_categories: set
    excluded_products: set
    exclude_sale_items: bool = False

    @property
    def limited(self):
        return bool(
            self.categories
            or self.products
            or self.excluded_categories
            or self.excluded_products
            or self.exclude_sale_items
        )

    def applies_to(self, product):
        """Whether the discount applies to ``product`` (never to gift cards)."""
        if product is None or product.is_giftcard:
            return False
        if self.exclude_sale_items and product.on_sale:
            return False
        if product.pk in self.excluded_products or product.category_id in self.excluded_categories:
            return False
        if self.categories or self.products:
            return product.pk in self.products or product.category_id in self.categories
        return True


class Code(models.Model):
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="codes",
        db_index=False,  # covered by the (campaign, id) index
        # A million codes are written with COPY; a row-level FK trigger per code would
        # double that time. Migration 0002 enforces the reference on PostgreSQL with
        # statement-level triggers instead (one set-based check per COPY/UPDATE).
        db_constraint=False,
    )
    # Normalised (upper-case, no spaces) by every writer; the check constraint enforces it,
    # so the unique index is a case-insensitive one.
    text = models.CharField(_("code"), max_length=64)
    is_active = models.BooleanField(_("active"), default=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="voucher_codes",
        db_index=False,  # partial index below: a million unassigned codes cost nothing
    )
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("code")
        verbose_name_plural = _("codes")
        constraints = [
            models.UniqueConstraint(fields=["text"], name="code_text_unique"),
            models.CheckConstraint(condition=Q(text=Upper("text")), name="code_text_upper"),
            models.CheckConstraint(condition=~Q(text=""), name="code_text_not_empty"),
        ]
        indexes = [
            models.Index(fields=["campaign", "id"], name="code_campaign_idx"),
            models.Index(
                fields=["assigned_to", "campaign"],
                condition=Q(assigned_to__isnull=False),
                name="code_assigned_to_idx",
            ),
        ]

    def __str__(self):
        return self.text


class CodeMailOptOut(models.Model):
    """An address that objected to e-mails about discount codes (lower-cased): codes are
    still assigned to it (the account's "Discount codes" shows them), only not e-mailed
    (§ 7 Abs. 3 UWG: advertising to existing customers only while they do not object)."""

    email = EmailField(_("e-mail"), unique=True)
    created = models.DateTimeField(_("objected"), auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("objection to code e-mails")
        verbose_name_plural = _("objections to code e-mails")

    def __str__(self):
        return self.email


class PointsPurchase(models.Model):
    """A code a customer bought with loyalty points (``services.buy_code_with_points``): what
    it cost and the ledger entry that paid for it. When an order whose points paid for it is
    undone and the customer's points do not cover what the order earned, the unused code is
    voided (deactivated) and its points go back (``services.settle_points_debt``)."""

    code = models.OneToOneField(
        Code, verbose_name=_("code"), on_delete=models.CASCADE, related_name="points_purchase"
    )
    points = models.PositiveIntegerField(_("points"))
    created = models.DateTimeField(_("bought"), default=timezone.now)
    spend_entry = models.OneToOneField(
        "customers.LoyaltyEntry",
        verbose_name=_("loyalty points entry"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)
    void_entry = models.OneToOneField(
        "customers.LoyaltyEntry",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("code bought with points")
        verbose_name_plural = _("codes bought with points")
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="points_purchase_points_gt_0"),
        ]

    def __str__(self):
        return f"{self.code_id}: {self.points}"


def same_mailbox(field, address):
    """``Q``: the address in ``field`` delivers to the mailbox of the typed ``address``."""
    wanted = mailbox(Value(address))  # a constant: the database computes it once
    local = Substr(wanted, 1, Greatest(StrIndex(wanted, Value("@")) - 1, 0))
    # A cheap test first, implied by the exact one (evaluated left to right, AND stops at
    # the first false): the address without dots begins with the mailbox's local part
    # without dots. It spares the exact expression, some twenty string functions, on
    # nearly every row of a campaign redeemed a hundred thousand times.
    near = StartsWith(
        Replace(Replace(Lower(Trim(field)), Value("."), Value("")), Value('"'), Value("")),
        Replace(local, Value("."), Value("")),
    )
    return Q(near) & Q(Exact(mailbox(field), wanted))


class RedemptionQuerySet(models.QuerySet):
    def of_person(self, emails=(), customer_id=None):
        """The uses of one person: as the customer ``customer_id`` and under any of the
        ``emails`` (guest orders too), compared by :func:`mailbox`."""
        mine = Q(customer_id=customer_id) if customer_id else Q(pk__in=[])
        addresses = {(e or "").strip() for e in emails} - {""}
        for email in sorted({form for a in addresses for form in _domain_forms(a)}):
            mine |= same_mailbox(F("order__email"), email)
        return self.filter(mine)


def _domain_forms(address):
    """``address`` with its domain as typed, in ASCII (punycode) and in Unicode: an
    internationalised domain reaches the same mailbox either way (anna@exämple.com,
    anna@xn--exmple-cua.com)."""
    local, at, domain = address.rpartition("@")
    if not at:
        return {address}
    forms = {address}
    for convert in (_to_ascii, _to_unicode):
        converted = convert(domain)
        if converted:
            forms.add(f"{local}@{converted}")
    return forms


def _to_ascii(domain):
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return ""


def _to_unicode(domain):
    try:
        return domain.encode("ascii").decode("idna")
    except UnicodeError:
        return ""


class Redemption(models.Model):
    code = models.ForeignKey(
        Code, verbose_name=_("code"), on_delete=models.PROTECT, related_name="redemptions"
    )
    # Denormalised from the code: statistics group by campaign without touching the codes.
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="redemptions"
    )
    order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("order"),
        on_delete=models.CASCADE,
        related_name="voucher_redemptions",
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    discount = models.DecimalField(_("discount granted"), max_digits=12, decimal_places=2)
    created = models.DateTimeField(_("used"), auto_now_add=True)
    # Copied from the campaign kind so the database itself refuses a second use.
    single_use = models.BooleanField(editable=False)

    objects = RedemptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(single_use=True), name="redemption_single_use_once"
            ),
            models.UniqueConstraint(fields=["code", "order"], name="redemption_once_per_order"),
            models.CheckConstraint(condition=Q(discount__gte=0), name="redemption_discount_gte_0"),
        ]

    def __str__(self):
        return f"{self.code_id} → {self.order_id}"


class CodeJob(models.Model):
    """A long-running generation or assignment, run by Celery, with progress for the page.

    A run writes ``heartbeat`` (and ``progress``) every few seconds; a "running" job whose
    heartbeat is older than ``JOB_STALE_AFTER`` lost its worker (vouchers/jobs.py).
    """

    class Kind(models.TextChoices):
        GENERATE = "generate", _("Generate codes")
        ASSIGN = "assign", _("Assign codes")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("job"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    params = models.JSONField(_("parameters"), default=dict)
    progress = models.PositiveSmallIntegerField(
        _("progress %"), default=0, validators=[MaxValueValidator(100)]
    )
    result = models.PositiveIntegerField(_("result"), null=True, blank=True)
    # Assignment with e-mails: the customers not e-mailed because they objected to code e-mails.
    not_emailed = models.PositiveIntegerField(_("not e-mailed (objected)"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)
    # Runs so far; only the run holding the current number may finish the job (fencing).
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Last sign of life: of the running worker, or of the last hand-over to the queue.
    heartbeat = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created"]
        verbose_name = _("code job")
        verbose_name_plural = _("code jobs")

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self):
        return reverse("admin:vouchers_codejob_progress", args=[self.pk])

    @property
    def is_running(self):
        """Queued or running — and not abandoned by a dead worker."""
        return self.status in (self.Status.QUEUED, self.Status.RUNNING) and not self.is_stale

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)

    def silent_for(self, now=None):
        """Seconds since the last sign of life (None without one)."""
        since = self.heartbeat or self.created
        if since is None:
            return None
        return ((now or timezone.now()) - since).total_seconds()

    @property
    def is_stale(self):
        """Running, but its worker has not been heard of for JOB_STALE_AFTER seconds: it
        died. Beat restarts the job (or fails it after JOB_MAX_ATTEMPTS runs)."""
        if self.status != self.Status.RUNNING:
            return False
        silent = self.silent_for()
        return silent is not None and silent > settings.JOB_STALE_AFTER

    @property
    def is_waiting(self):
        """Queued, but no worker has taken it for JOB_STALE_AFTER seconds."""
        if self.status != self.Status.QUEUED:
            return False
        silent = self.silent_for()
        return silent is not None and silent > settings.JOB_STALE_AFTER

    def state_label(self, stale=None):
        """What the progress page says: never "Running" for a job whose worker is gone.
        ``stale``: :attr:`is_stale` as the caller read it already (one moment for the whole
        answer: read twice, a job can cross JOB_STALE_AFTER in between)."""
        if self.is_stale if stale is None else stale:
            if self.attempts >= settings.JOB_MAX_ATTEMPTS:
                return _("Interrupted: the worker stopped; the job will be marked failed")
            return _("Interrupted: the worker stopped; the job will be restarted")
        if self.is_waiting:
            return _("Queued: waiting for a worker")
        if self.status == self.Status.RUNNING and self.attempts > 1:
            return _("Running (attempt %(attempt)s of %(max)s)") % {
                "attempt": self.attempts,
                "max": settings.JOB_MAX_ATTEMPTS,
            }
        return self.get_status_display()


class PartnerOfferQuerySet(models.QuerySet):
    def live(self, today=None):
        today = today or timezone.localdate()
        return (
            self.filter(enabled=True)
            .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        )


class PartnerOffer(models.Model):
    """A benefit from a partner shop shown on the checkout success page (S12)."""

    partner = models.CharField(_("partner"), max_length=100)
    headline = models.CharField(_("headline"), max_length=150)
    text = models.TextField(_("text"), blank=True)
    image = models.ImageField(_("image"), upload_to="partner_offers/", blank=True)
    voucher_code = models.CharField(_("voucher code"), max_length=64, blank=True)
    link_url = URLField(
        _("link"),
        blank=True,
        help_text=_("Where the click goes; customers are only ever redirected here."),
    )
    categories = models.ManyToManyField(
        "shop.Category",
        verbose_name=_("matching categories"),
        blank=True,
        related_name="+",
        help_text=_("Shown for orders with products of these categories. Empty = general offer."),
    )
    min_order_value = models.DecimalField(
        _("minimum order value"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=money_validators(),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    impressions = models.PositiveIntegerField(_("impressions"), default=0, editable=False)
    clicks = models.PositiveIntegerField(_("clicks"), default=0, editable=False)

    objects = PartnerOfferQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("partner offer")
        verbose_name_plural = _("partner offers")
        constraints = [
            models.CheckConstraint(
                condition=~Q(voucher_code="") | ~Q(link_url=""),
                name="partneroffer_code_or_link",
                violation_error_message=_("Please give a voucher code or a link (or both)."),
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="partneroffer_valid_range",
                violation_error_message=_("“Valid to” is before “valid from”."),
            ),
        ]

    def __str__(self):
        return f"{self.partner}: {self.headline}"

    def get_click_url(self):
        return reverse("vouchers:offer_go", args=[self.pk])
