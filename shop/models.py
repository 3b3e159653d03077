"""Catalog, shop-wide settings and the e-mail outbox."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .fields import EmailField, URLField
from .money import ZERO, money_validators


class Category(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), unique=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("shop:category", args=[self.slug])


class ProductQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Product(models.Model):
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="products"
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True, max_length=200)
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    description = models.TextField(_("description"), blank=True)
    price = models.DecimalField(
        _("gross price"),
        max_digits=10,
        decimal_places=2,
        validators=money_validators(),
        help_text=_("Including VAT."),
    )
    tax_rate = models.DecimalField(
        _("VAT rate %"), max_digits=5, decimal_places=2, default=Decimal("19.00")
    )
    is_active = models.BooleanField(_("active"), default=True)
    stock = models.IntegerField(
        _("stock"), null=True, blank=True, help_text=_("Empty = not tracked.")
    )
    is_downloadable = models.BooleanField(_("downloadable"), default=False)
    download_file = models.FileField(_("download file"), upload_to="downloads/", blank=True)
    is_giftcard = models.BooleanField(
        _("gift card"), default=False, help_text=_("Buying it issues a gift card of its price.")
    )
    image_color = models.CharField(
        _("placeholder colour"), max_length=7, default="#8fb3c9", help_text=_("Hex colour")
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_not_negative"),
            models.CheckConstraint(
                condition=Q(stock__isnull=True) | Q(stock__gte=0), name="product_stock_not_negative"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("shop:product", args=[self.slug])

    @property
    def in_stock(self):
        return self.stock is None or self.stock > 0

    @property
    def needs_shipping(self):
        return not (self.is_downloadable or self.is_giftcard)


class ShippingMethod(models.Model):
    name = models.CharField(_("name"), max_length=100)
    price = models.DecimalField(
        _("gross price"), max_digits=10, decimal_places=2, validators=money_validators()
    )
    tax_rate = models.DecimalField(
        _("VAT rate %"), max_digits=5, decimal_places=2, default=Decimal("19.00")
    )
    free_over = models.DecimalField(
        _("free from order value"),
        max_digits=10,
        decimal_places=2,
        validators=money_validators(),
        null=True,
        blank=True,
        help_text=_("Goods value (gross) from which shipping is free. Empty = never free."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("shipping method")
        verbose_name_plural = _("shipping methods")

    def __str__(self):
        return self.name

    def cost_for(self, goods_total):
        if self.free_over is not None and goods_total >= self.free_over:
            return ZERO
        return self.price


class PaymentMethod(models.Model):
    class Kind(models.TextChoices):
        CARD = "card", _("Credit card")
        PREPAYMENT = "prepayment", _("Prepayment / bank transfer")
        INVOICE = "invoice", _("Pay on invoice")
        COD = "cod", _("Cash on delivery")

    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=255, blank=True)
    is_active = models.BooleanField(_("enabled"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    limited_by_open_amount = models.BooleanField(
        _("limited by open amount"),
        default=False,
        help_text=_(
            "Offered only while the customer's open amount plus this order stays within the limit."
        ),
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("payment method")
        verbose_name_plural = _("payment methods")

    def __str__(self):
        return self.name

    @property
    def captured_on_invoice(self):
        """Card-like methods are captured when the invoice is created."""
        return self.kind == self.Kind.CARD


class ShopSettings(models.Model):
    """One row of shop-wide settings an operator can change in the backoffice."""

    class GiftCardMode(models.TextChoices):
        CARD = "card", _("Top-up on card")
        CUSTOMER = "customer", _("Top-up on customer")

    shop_name = models.CharField(_("shop name"), max_length=100, default="Nordlicht Shop")
    legal_name = models.CharField(_("legal name"), max_length=200, default="Nordlicht Handels GmbH")
    address = models.TextField(
        _("seller address"), default="Hafenstraße 12\n20457 Hamburg\nDeutschland"
    )
    vat_id = models.CharField(_("VAT ID"), max_length=30, default="DE123456789")
    commercial_register = models.CharField(
        _("commercial register"), max_length=100, default="Amtsgericht Hamburg HRB 123456"
    )
    managing_director = models.CharField(
        _("managing director"), max_length=100, default="Anna Nordmann"
    )
    bank_details = models.CharField(
        _("bank details"),
        max_length=200,
        default="Hamburger Sparkasse · IBAN DE02 2005 0550 1234 5678 90 · BIC HASPDEHHXXX",
    )
    contact_email = EmailField(_("contact e-mail"), default="service@example.com")
    phone = models.CharField(_("phone"), max_length=50, default="+49 40 1234567")
    # S5
    default_open_amount_limit = models.DecimalField(
        _("default open amount limit"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("500.00"),
        validators=money_validators(),
    )
    guests_may_use_limited_methods = models.BooleanField(
        _("guests may use limited payment methods"), default=False
    )
    # S6
    loyalty_points_per_euro = models.DecimalField(
        _("loyalty points per currency unit"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1.00"),
    )
    # S8
    giftcard_mode = models.CharField(
        _("gift-card mode"), max_length=10, choices=GiftCardMode.choices, default=GiftCardMode.CARD
    )
    # S3 downloads
    download_expiry_days = models.PositiveIntegerField(_("download link valid (days)"), default=14)
    download_max_count = models.PositiveIntegerField(_("downloads per link"), default=5)
    # S12 external partner network
    partner_network_enabled = models.BooleanField(_("external partner network"), default=False)
    partner_network_script_url = URLField(_("partner network script URL"), blank=True)
    # S10 review requests (reviews app): off while empty
    review_request_days = models.PositiveIntegerField(
        _("ask for reviews … days after delivery"),
        null=True,
        blank=True,
        help_text=_(
            "Customers who agreed at checkout get one e-mail per order this many days after "
            "its last shipment. Empty = no review requests."
        ),
    )
    # Withdrawal (issue 20): the period runs from the delivery of the order's last shipment.
    withdrawal_period_days = models.PositiveSmallIntegerField(
        _("withdrawal period (days)"),
        default=14,
        validators=[MinValueValidator(14), MaxValueValidator(365)],
        help_text=_(
            "From the delivery of the last shipment (orders without goods to ship: from the "
            "order date). At least the 14 days the law gives consumers."
        ),
    )
    delivery_transit_days = models.PositiveSmallIntegerField(
        _("assumed delivery time (days)"),
        default=3,
        validators=[MaxValueValidator(60)],
        help_text=_(
            "A shipment counts as delivered on the date entered on it, else this many days "
            "after it was shipped."
        ),
    )
    # Shown to customers with every order: in the confirmation e-mail and its PDF.
    terms = models.TextField(
        _("terms and conditions"),
        blank=True,
        help_text=_("Plain text, one version per language; sent with every order confirmation."),
    )

    class Meta:
        verbose_name = _("shop settings")
        verbose_name_plural = _("shop settings")

    def __str__(self):
        return str(_("Shop settings"))

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls):
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class OutboxEmail(models.Model):
    """Every e-mail is written here in the transaction that caused it, then sent by Celery."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    created = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    to = models.JSONField(_("to"))
    reply_to = models.JSONField(_("reply to"), default=list, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    template = models.CharField(_("template"), max_length=100)
    # [{"filename": ..., "mimetype": ..., "generator": "orders.invoice_pdf", "args": [...]}]
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outbox")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="outbox_pending_idx",
            )
        ]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"

    @property
    def message_id(self):
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">")
        return f"<outbox-{self.pk}@{domain}>"
