"""Catalog, shop-wide settings and the e-mail outbox."""

import copy
import hashlib
from decimal import Decimal

from asgiref.local import Local
from babel.lists import format_list
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import Case, F, Q, When
from django.db.models.functions import JSONObject, Lower
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from imagekit.models import ImageSpecField
from pilkit.processors import ResizeToFit

from . import keptlists, pagecache, pricing, staffrows
from .fields import EmailField, PictureField, URLField
from .images import validate_product_image
from .locales import country_name, sort_key
from .money import ZERO, AtLeast, AtMost, format_money, money_validators
from .pagecache import StorefrontQuerySet
from .shop_language import default_language
from .storage import private_storage


def _compact(value):
    return "".join((value or "").split()).upper()


def _validate_vat_id(value):
    from stdnum.eu import vat

    if not vat.is_valid(_compact(value)):
        raise ValidationError(_("Enter a valid EU VAT ID, e.g. DE123456788."))


def _validate_iban(value):
    from stdnum import iban

    if value and not iban.is_valid(_compact(value)):
        raise ValidationError(_("Enter a valid IBAN."))


def _validate_bic(value):
    from stdnum import bic

    if value and not bic.is_valid(_compact(value)):
        raise ValidationError(_("Enter a valid BIC (8 or 11 characters)."))


class KeptRows:
    """The active rows of a small storefront table, kept per process and storefront version
    (``pagecache.kept``): shared by every caller, never to be changed."""

    @classmethod
    def active_rows(cls):
        return pagecache.kept(
            cls._meta.label, lambda: list(cls._default_manager.filter(**cls.KEPT_FILTER))
        )

    @classmethod
    def active_row(cls, pk):
        """The active row with this primary key (any form of it), or None."""
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            return None
        return next((row for row in cls.active_rows() if row.pk == pk), None)


class Category(KeptRows, models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), unique=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    objects = StorefrontQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name

    KEPT_FILTER = {}  # the navigation shows every category

    def get_absolute_url(self):
        return reverse("shop:category", args=[self.slug])


def sale_active_q(now=None, prefix=""):
    """``Q`` for products whose sale price applies at ``now``."""
    now = now or timezone.now()
    return (
        Q(**{f"{prefix}sale_price__isnull": False})
        & (Q(**{f"{prefix}sale_start__isnull": True}) | Q(**{f"{prefix}sale_start__lte": now}))
        & (Q(**{f"{prefix}sale_end__isnull": True}) | Q(**{f"{prefix}sale_end__gt": now}))
    )


# The languages of translated columns (name_de, alt_text_pl …).
_LANGUAGES = settings.MODELTRANSLATION_LANGUAGES


class ProductQuerySet(StorefrontQuerySet):
    def active(self):
        return self.filter(is_active=True)

    def with_current_price(self, now=None):
        """Annotates ``effective_price``: the sale price while the sale runs, else the price
        (what :meth:`Product.current_price` says, for filtering and sorting in SQL)."""
        return self.annotate(
            effective_price=Case(
                When(sale_active_q(now), then=F("sale_price")),
                default=F("price"),
                output_field=models.DecimalField(max_digits=10, decimal_places=2),
            )
        )

    def with_main_image(self):
        """Annotates the first image (``main_image_row``: its path, alternative text, width
        and height) in the same query, so lists show pictures without a query per product."""
        first = (
            ProductImage.objects.filter(product=models.OuterRef("pk"))
            .order_by("position", "pk")
            .annotate(
                row=JSONObject(
                    path="image",
                    width="width",
                    height="height",
                    # Every language's text: the reader's is chosen when it is read.
                    **{f"alt_{code}": f"alt_text_{code}" for code in _LANGUAGES},
                )
            )
            # (values("row"), not values(row=…): modeltranslation's values() without field
            # names selects every column too.)
            .values("row")[:1]
        )
        return self.annotate(main_image_row=models.Subquery(first, output_field=models.JSONField()))

    def low_stock(self):
        """Tracked products at or below their low-stock threshold."""
        return self.filter(
            stock__isnull=False,
            low_stock_threshold__isnull=False,
            stock__lte=F("low_stock_threshold"),
        )


class ContentUnit(models.TextChoices):
    """Units of the content quantity; the unit price is per 1 kg / 1 l / 1 m / 1 m²
    (PAngV § 5: never per 100 g any more)."""

    GRAM = "g", _("g")
    KILOGRAM = "kg", _("kg")
    MILLILITRE = "ml", _("ml")
    LITRE = "l", _("l")
    CENTIMETRE = "cm", _("cm")
    METRE = "m", _("m")
    SQUARE_METRE = "m2", _("m²")


# A VAT rate in per cent. The highest rate in the EU is 27 %: a rate outside 0–50 is a typo
# ("190", "-7") that would reach invoices, e-invoices and the DATEV export.
MAX_VAT_RATE = Decimal("50")


def vat_rate_validators():
    return [AtLeast(ZERO), AtMost(MAX_VAT_RATE)]


def vat_rate_constraint(name):
    return models.CheckConstraint(
        condition=Q(tax_rate__gte=0) & Q(tax_rate__lte=MAX_VAT_RATE),
        name=name,
        violation_error_message=_("A VAT rate is between 0 and 50 %."),
    )


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
        _("VAT rate %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("19.00"),
        validators=vat_rate_validators(),
    )
    is_active = models.BooleanField(_("active"), default=True)
    stock = models.IntegerField(
        _("stock"), null=True, blank=True, help_text=_("Empty = not tracked.")
    )
    is_downloadable = models.BooleanField(_("downloadable"), default=False)
    # Paid files: private storage (PRIVATE_MEDIA_ROOT/downloads/), never served from
    # MEDIA_URL; they leave the shop only through a download link (orders.views.download).
    download_file = models.FileField(
        _("download file"), storage=private_storage, upload_to="downloads/", blank=True
    )
    is_giftcard = models.BooleanField(
        _("gift card"), default=False, help_text=_("Buying it issues a gift card of its price.")
    )
    image_color = models.CharField(
        _("placeholder colour"),
        max_length=7,
        default="#8fb3c9",
        help_text=_("Hex colour, shown while the product has no picture."),
    )
    # Legal price display: unit price (PAngV § 4) and sale prices (PAngV § 11).
    content_quantity = models.DecimalField(
        _("content quantity"),
        max_digits=10,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("For goods sold by weight, volume, length or area, e.g. 250 (g)."),
    )
    content_unit = models.CharField(
        _("content unit"), max_length=2, choices=ContentUnit.choices, blank=True
    )
    sale_price = models.DecimalField(
        _("sale price"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=money_validators(),
        help_text=_("Gross, lower than the price. Empty = no sale."),
    )
    sale_start = models.DateTimeField(
        _("sale starts"), null=True, blank=True, help_text=_("Empty = now.")
    )
    sale_end = models.DateTimeField(
        _("sale ends"), null=True, blank=True, help_text=_("Empty = until removed.")
    )
    sale_reference_price = models.DecimalField(
        _("lowest price of the 30 days before the sale"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
    )
    # Stock and delivery.
    low_stock_threshold = models.PositiveIntegerField(
        _("low-stock threshold"),
        null=True,
        blank=True,
        help_text=_("Listed under “needs attention” at or below this stock. Empty = never."),
    )
    allow_backorders = models.BooleanField(
        _("allow backorders"),
        default=False,
        help_text=_("Can be ordered while sold out; the backorder delivery time is shown."),
    )
    delivery_days = models.PositiveSmallIntegerField(
        _("delivery time (working days)"), default=2, help_text=_("While in stock.")
    )
    backorder_delivery_days = models.PositiveSmallIntegerField(
        _("delivery time when sold out (working days)"), default=14
    )
    # Product safety information for online sales (GPSR, Regulation (EU) 2023/988, Art. 19).
    manufacturer = models.CharField(
        _("manufacturer"),
        max_length=200,
        blank=True,
        help_text=_("Name, registered trade name or trade mark."),
    )
    manufacturer_address = models.TextField(
        _("manufacturer's address"), blank=True, help_text=_("Postal address.")
    )
    manufacturer_contact = models.CharField(
        _("manufacturer's electronic address"),
        max_length=200,
        blank=True,
        help_text=_("E-mail address or website."),
    )
    responsible_person = models.CharField(
        _("EU responsible person"),
        max_length=200,
        blank=True,
        help_text=_("Needed when the manufacturer is not established in the EU."),
    )
    responsible_person_address = models.TextField(_("responsible person's address"), blank=True)
    responsible_person_contact = models.CharField(
        _("responsible person's electronic address"), max_length=200, blank=True
    )
    product_identifier = models.CharField(
        _("product identifier"),
        max_length=100,
        blank=True,
        help_text=_("GTIN/EAN, type, model, batch or serial number."),
    )
    safety_information = models.TextField(_("warnings and safety information"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        # The stock quantity is a warehouse matter: roles that edit the catalog's texts and
        # prices (Marketing) see it read-only (ProductAdmin, the catalog import).
        permissions = [("change_product_stock", _("Can change the stock of products"))]
        indexes = [
            # The storefront's category page and a product's "related" row: a category's
            # active products by name, read in index order instead of sorting them all.
            models.Index(
                fields=["category", "name"],
                condition=Q(is_active=True),
                name="product_active_category_name",
            ),
            # The start page's newest products.
            models.Index(
                fields=["-created"], condition=Q(is_active=True), name="product_active_newest"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_not_negative"),
            vat_rate_constraint("product_vat_rate_valid"),
            # Backorders take the stock below zero: the missing pieces are owed.
            models.CheckConstraint(
                condition=Q(stock__isnull=True) | Q(stock__gte=0) | Q(allow_backorders=True),
                name="product_stock_not_negative",
                violation_error_message=_(
                    "The stock can only be below zero while backorders are allowed."
                ),
            ),
            # A sale is a reduction: never at or above the price.
            models.CheckConstraint(
                condition=Q(sale_price__isnull=True)
                | (Q(sale_price__gte=0) & Q(sale_price__lt=F("price"))),
                name="product_sale_price_below_price",
                violation_error_message=_("The sale price must be lower than the price."),
            ),
            models.CheckConstraint(
                condition=Q(sale_start__isnull=True)
                | Q(sale_end__isnull=True)
                | Q(sale_end__gt=F("sale_start")),
                name="product_sale_period_valid",
                violation_error_message=_("The sale must end after it starts."),
            ),
            # A gift card is a multi-purpose voucher: no VAT when it is sold, VAT on what it
            # pays for (§ 3 (15) UStG, Art. 30b Directive 2006/112/EC). Charged on the card,
            # the invoice taxed it as revenue and its goods were taxed again.
            models.CheckConstraint(
                condition=Q(is_giftcard=False) | Q(tax_rate=0),
                name="product_giftcard_without_vat",
                violation_error_message=_(
                    "A gift card is sold without VAT (VAT is due on what it pays for): set "
                    "its VAT rate to 0."
                ),
            ),
            models.CheckConstraint(
                condition=(Q(content_quantity__isnull=True) & Q(content_unit=""))
                | (Q(content_quantity__gt=0) & ~Q(content_unit="")),
                name="product_content_complete",
                violation_error_message=_(
                    "Give the content quantity together with its unit (or neither)."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        """Every change of the price or the sale is recorded in the price history, and the
        lowest price of the 30 days before the sale is fixed (``shop.pricing``)."""
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and not set(update_fields) & set(pricing.PRICE_FIELDS):
            return super().save(*args, **kwargs)
        with transaction.atomic():
            changed = pricing.prepare_price_change(self)
            if changed and update_fields is not None:
                kwargs["update_fields"] = {
                    *update_fields,
                    *pricing.PRICE_FIELDS,
                    "sale_reference_price",
                }
            super().save(*args, **kwargs)
            if changed:
                pricing.record_price_change(self)

    def get_absolute_url(self):
        return reverse("shop:product", args=[self.slug])

    def fragment_key(self):
        """What the storefront's cached fragments of this product (``{% cache %}`` in
        ``_product_card.html`` and ``product_detail.html``) are keyed on: every value loaded
        with the row (fields, annotations such as the main picture and the rating), its
        category, the images fetched with it, and whether a sale runs now. Any change to
        what they show gives a new key, so a fragment is never invalidated, only unused."""

        def values(obj):
            return sorted((k, v) for k, v in obj.__dict__.items() if not k.startswith("_"))

        parts = [self.sale_active(), values(self)]
        category = self._state.fields_cache.get("category")
        if category is not None:
            parts.append(values(category))
        images = getattr(self, "_prefetched_objects_cache", {}).get("images")
        if images is not None:
            parts.append([values(image) for image in images])
        return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()

    # --- prices ---------------------------------------------------------------------------

    def sale_active(self, now=None):
        return pricing.sale_applies(self, now or timezone.now())

    @property
    def on_sale(self):
        return self.sale_active()

    def current_price(self, now=None):
        """The price a customer pays now: the sale price while the sale runs."""
        return self.sale_price if self.sale_active(now) else self.price

    @property
    def price_now(self):
        return self.current_price()

    @property
    def lowest_price_30_days(self):
        """The lowest price of the 30 days before the running sale (PAngV § 11), or None —
        also while the product had no price in those 30 days (a new product whose first
        price is already the sale price, ``shop.pricing.lowest_price_before``): there is no
        earlier price to announce a reduction from, so the shop shows the price alone, never
        a "was" price it did not charge."""
        if not self.on_sale:
            return None
        return self.sale_reference_price

    def unit_price(self, price=None):
        """(price per base unit, base unit label) or None (PAngV § 4)."""
        return pricing.unit_price(self, self.current_price() if price is None else price)

    # --- pictures -------------------------------------------------------------------------

    @property
    def main_image(self):
        """The first picture: from ``with_main_image()`` without a query, else looked up."""
        if hasattr(self, "main_image_row"):
            row = self.main_image_row
            if not row:
                return None
            return ProductImage(
                product=self,
                image=row["path"],
                width=row["width"],
                height=row["height"],
                **{f"alt_text_{code}": row.get(f"alt_{code}") for code in _LANGUAGES},
            )
        cache = getattr(self, "_prefetched_objects_cache", {})
        if "images" in cache:
            images = list(cache["images"])
            return images[0] if images else None
        return self.images.first()

    # --- stock ----------------------------------------------------------------------------

    @property
    def in_stock(self):
        return self.stock is None or self.stock > 0

    @property
    def orderable(self):
        """In stock, or sold out with backorders allowed."""
        return self.in_stock or self.allow_backorders

    @property
    def backordered(self):
        return not self.in_stock and self.allow_backorders

    @property
    def shipping_days(self):
        return self.backorder_delivery_days if self.backordered else self.delivery_days

    @property
    def low_on_stock(self):
        return (
            self.stock is not None
            and self.low_stock_threshold is not None
            and self.stock <= self.low_stock_threshold
        )

    @property
    def needs_shipping(self):
        return not (self.is_downloadable or self.is_giftcard)


# {(source file name, version name): URL}. A version's URL follows from the source file's
# name and the version's spec alone (the Optimistic strategy makes the files when the picture
# is saved, never when a URL is asked for), and working it out hashes the spec each time
# (about 0.15 ms): a page with a few pictures asks for many.
_version_urls = {}
_VERSION_URLS_MAX = 20000


class _VersionUrls:
    """``image.urls.webp_240``: the URL of a resized version, worked out once per process."""

    __slots__ = ("_picture",)

    def __init__(self, image):
        self._picture = image

    def __getattr__(self, version):
        if version not in ProductImage.VERSIONS:
            raise AttributeError(version)
        key = (self._picture.image.name, version)
        url = _version_urls.get(key)
        if url is None:
            if len(_version_urls) >= _VERSION_URLS_MAX:
                _version_urls.clear()
            url = _version_urls[key] = getattr(self._picture, version).url
        return url


def _picture_version(width, image_format, quality):
    """One resized version of a product picture (imagekit, made on first use)."""
    return ImageSpecField(
        source="image",
        processors=[ResizeToFit(width, width, upscale=False)],
        format=image_format,
        options={"quality": quality},
    )


class ProductImage(models.Model):
    """A picture of a product. ``alt_text`` is plain text so it can be registered for
    translation. The resized versions (a few widths, WebP and JPEG) are made by
    django-imagekit when the picture is saved."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="images"
    )
    image = PictureField(
        _("image"),
        upload_to="products/%Y/%m/",
        width_field="width",
        height_field="height",
        validators=[validate_product_image],
        help_text=_("JPEG, PNG, WebP or GIF."),
    )
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    alt_text = models.CharField(
        _("alternative text"),
        max_length=200,
        blank=True,
        help_text=_("What the picture shows, for screen readers. Empty = the product name."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    jpeg_240 = _picture_version(240, "JPEG", 82)
    jpeg_480 = _picture_version(480, "JPEG", 82)
    jpeg_960 = _picture_version(960, "JPEG", 82)
    webp_240 = _picture_version(240, "WEBP", 80)
    webp_480 = _picture_version(480, "WEBP", 80)
    webp_960 = _picture_version(960, "WEBP", 80)

    WIDTHS = (240, 480, 960)
    VERSIONS = frozenset({"jpeg_240", "jpeg_480", "jpeg_960", "webp_240", "webp_480", "webp_960"})

    objects = StorefrontQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        indexes = [models.Index(fields=["product", "position"], name="productimage_order_idx")]

    def __str__(self):
        return self.alt_text or self.image.name

    @property
    def alt(self):
        """The text for screen readers in the reader's language: the picture's own, else the
        product's name in that language, else the default language's text or name."""
        language = translation.get_language()
        own = getattr(self, f"alt_text_{language}", None)
        if own:
            return own
        name = getattr(self.product, f"name_{language}", None)
        return name or self.alt_text or self.product.name

    @property
    def urls(self):
        """The resized versions' URLs: ``urls.jpeg_480`` (what ``jpeg_480.url`` says)."""
        return _VersionUrls(self)

    def srcset(self, fmt):
        urls = self.urls
        return ", ".join(f"{getattr(urls, f'{fmt}_{w}')} {w}w" for w in self.WIDTHS)

    @property
    def webp_srcset(self):
        return self.srcset("webp")

    @property
    def jpeg_srcset(self):
        return self.srcset("jpeg")


class PriceHistory(models.Model):
    """One row per change of a product's price or sale (written by ``Product.save``,
    also for imports): what the lowest price of the last 30 days is computed from."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="price_history"
    )
    recorded_at = models.DateTimeField(_("changed"), default=timezone.now)
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2)
    sale_price = models.DecimalField(
        _("sale price"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    sale_start = models.DateTimeField(_("sale starts"), null=True, blank=True)
    sale_end = models.DateTimeField(_("sale ends"), null=True, blank=True)

    objects = StorefrontQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("price change")
        verbose_name_plural = _("price history")
        indexes = [models.Index(fields=["product", "recorded_at"], name="pricehistory_product_idx")]

    def __str__(self):
        when = formats.date_format(timezone.localtime(self.recorded_at), "SHORT_DATETIME_FORMAT")
        return f"{format_money(self.price)} ({when})"


# The countries the shop delivers to, each an address country of the checkout (postcode
# formats: customers.postcodes). A shipping method may be limited to some of them
# (``ShippingMethod.countries``); the checkout delivers to those some active method serves.
DELIVERY_COUNTRIES = [
    ("DE", _("Germany")),
    ("PL", _("Poland")),
    ("DK", _("Denmark")),
    ("AT", _("Austria")),
    # Outside the EU: an export delivery without VAT (orders.vat.apply_export). Named by
    # CLDR in the reader's language.
    ("CH", lazy(country_name, str)("CH")),
]


def delivery_country_codes():
    return [code for code, _name in DELIVERY_COUNTRIES]


def delivery_country_choices(codes=None):
    """``[(code, name)]`` of the delivery countries ``codes`` (default: all), in the order the
    reader's alphabet sorts the names ("Danmark … Tyskland, Østrig" in Danish): the checkout's
    country selects and a shipping method's checkboxes."""
    language = translation.get_language()
    names = dict(DELIVERY_COUNTRIES)
    codes = delivery_country_codes() if codes is None else codes
    choices = [(code, str(names[code])) for code in codes if code in names]
    return sorted(choices, key=lambda choice: sort_key(choice[1], language))


def country_list(codes):
    """The countries ``codes`` as a list in the active language ("Germany, Poland and
    Austria")."""
    names = dict(DELIVERY_COUNTRIES)
    return format_list(
        [str(names[code]) if code in names else country_name(code) for code in codes],
        locale=translation.get_language() or "en",
    )


class ShippingMethod(KeptRows, models.Model):
    name = models.CharField(_("name"), max_length=100)
    price = models.DecimalField(
        _("gross price"), max_digits=10, decimal_places=2, validators=money_validators()
    )
    tax_rate = models.DecimalField(
        _("VAT rate %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("19.00"),
        validators=vat_rate_validators(),
        help_text=_(
            "For parcels whose goods have several VAT rates. Otherwise the shipping takes the "
            "goods' rate: delivery shares the VAT rate of what it delivers."
        ),
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
    description = models.CharField(
        _("description"),
        max_length=255,
        blank=True,
        help_text=_(
            "Shown at the checkout and on the shipping costs page, e.g. the delivery time."
        ),
    )
    # Codes of DELIVERY_COUNTRIES; empty: every one of them.
    countries = models.JSONField(
        _("delivery countries"),
        default=list,
        blank=True,
        help_text=_(
            "The countries this method delivers to. None ticked: every country the shop "
            "delivers to."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    objects = StorefrontQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("shipping method")
        verbose_name_plural = _("shipping methods")
        constraints = [vat_rate_constraint("shipping_vat_rate_valid")]

    def __str__(self):
        return self.name

    KEPT_FILTER = {"is_active": True}

    def clean(self):
        super().clean()
        known = delivery_country_codes()
        if not isinstance(self.countries, list) or any(c not in known for c in self.countries):
            raise ValidationError({"countries": _("Choose countries the shop delivers to.")})
        # One entry per country, in the list's order.
        self.countries = [code for code in known if code in self.countries]

    def delivers_to(self, country):
        """Does this method deliver to the country with the code ``country``?"""
        return not self.countries or (country or "").upper() in self.countries

    @property
    def country_names(self):
        """The countries it is limited to, as a list in the active language ("Germany and
        Austria"); "" for a method that delivers to every delivery country."""
        return country_list(self.countries) if self.countries else ""

    @classmethod
    def served_countries(cls):
        """The codes of the delivery countries some active method delivers to, in the list's
        order — all of them while no method is active (the checkout then asks for one)."""
        rows = cls.active_rows()
        served = [
            code for code in delivery_country_codes() if any(m.delivers_to(code) for m in rows)
        ]
        return served or delivery_country_codes()

    def cost_for(self, goods_total):
        if self.free_over is not None and goods_total >= self.free_over:
            return ZERO
        return self.price


class PaymentMethod(KeptRows, models.Model):
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

    objects = StorefrontQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("payment method")
        verbose_name_plural = _("payment methods")

    def __str__(self):
        return self.name

    KEPT_FILTER = {"is_active": True}

    @property
    def captured_on_invoice(self):
        """Card-like methods are captured when the invoice is created."""
        return self.kind == self.Kind.CARD


# The seller's register where a country's is not a "commercial register" by name
# (ShopSettings.register_label): Denmark's Central Business Register (CVR), Poland's
# National Court Register (KRS).
REGISTER_LABELS = {
    "DK": pgettext_lazy("seller's register", "CVR no."),
    "PL": pgettext_lazy("seller's register", "KRS"),
}


class ShopSettings(models.Model):
    """One row of shop-wide settings an operator can change in the backoffice."""

    class GiftCardMode(models.TextChoices):
        CARD = "card", _("Top-up on card")
        CUSTOMER = "customer", _("Top-up on customer")

    class AccessibilityStatus(models.TextChoices):
        FULL = "full", _("fully compliant")
        PARTIAL = "partial", _("partially compliant")
        NONE = "none", _("not compliant")

    shop_name = models.CharField(_("shop name"), max_length=100, default="Nordlicht Shop")
    legal_name = models.CharField(_("legal name"), max_length=200, default="Nordlicht Handels GmbH")
    # Seller data of every invoice and its e-invoice XML (EN 16931 BG-4/BG-5, BG-17).
    street = models.CharField(_("street"), max_length=200, default="Hafenstraße 12")
    postcode = models.CharField(_("postcode"), max_length=20, default="20457")
    city = models.CharField(_("city"), max_length=100, default="Hamburg")
    country = models.CharField(
        _("country code"),
        max_length=2,
        default="DE",
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Two capital letters, e.g. DE."))],
        help_text=_("ISO 3166 code of the seller's country, e.g. DE."),
    )
    # A sole trader (Kleinunternehmer) may have no VAT ID, a register entry or a managing
    # director: each is optional, but § 14 UStG wants the VAT ID or the tax number (clean()).
    vat_id = models.CharField(
        # Its own context: the go-live warning lists the demo fields mid-sentence, where
        # Danish writes "momsnr." in lower case (capfirst gives the form its "Momsnr.").
        pgettext_lazy("shop settings field", "VAT ID"),
        max_length=30,
        blank=True,
        default="DE123456788",
        validators=[_validate_vat_id],
    )
    tax_number = models.CharField(
        _("tax number"),
        max_length=30,
        blank=True,
        help_text=_("The tax office's number (Steuernummer); optional next to the VAT ID."),
    )
    commercial_register = models.CharField(
        _("commercial register"),
        max_length=100,
        blank=True,
        default="Amtsgericht Hamburg HRB 123456",
        help_text=_(
            "DE: court and HRB number, e.g. Amtsgericht Hamburg HRB 123456; PL: KRS number; "
            "DK: CVR number. Empty if the business has no register entry."
        ),
    )
    managing_director = models.CharField(
        _("managing director"), max_length=100, blank=True, default="Anna Nordmann"
    )
    bank_name = models.CharField(_("bank"), max_length=100, default="Hamburger Sparkasse")
    iban = models.CharField(
        _("IBAN"), max_length=34, default="DE34200505501234567890", validators=[_validate_iban]
    )
    bic = models.CharField(
        _("BIC"), max_length=11, blank=True, default="HASPDEHHXXX", validators=[_validate_bic]
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
        validators=[MinValueValidator(ZERO)],
        help_text=_("0 = customers earn no points."),
    )
    # S8
    giftcard_mode = models.CharField(
        _("gift-card mode"), max_length=10, choices=GiftCardMode.choices, default=GiftCardMode.CARD
    )
    # Money made out of nothing by one person: gift cards issued and credit added in the
    # backoffice (giftcards.services). A second person with giftcards.issue_beyond_limit (the
    # Shop manager) does more.
    staff_issue_limit = models.DecimalField(
        _("daily limit per staff member for gift cards and credit"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        default=Decimal("500.00"),
        validators=[MinValueValidator(ZERO)],
        help_text=_(
            "The most one staff member may issue per day in gift cards and add to balances "
            "by manual adjustments, in total. More needs someone with the permission to issue "
            "beyond the limit (the Shop manager). Empty: no limit."
        ),
    )
    # Loyalty points added by one person's corrections (customers.loyalty.adjust_points):
    # points buy discount codes, so they are money too.
    staff_points_limit = models.PositiveIntegerField(
        _("daily limit per staff member for loyalty points added"),
        null=True,
        blank=True,
        default=5000,
        help_text=_(
            "The most loyalty points one staff member may add per day by corrections, in "
            "total. More needs someone with the permission to add points beyond the limit "
            "(the Shop manager). Empty: no limit."
        ),
    )
    # S3 downloads
    download_expiry_days = models.PositiveIntegerField(
        _("download link valid (days)"), default=14, validators=[MinValueValidator(1)]
    )
    download_max_count = models.PositiveIntegerField(
        _("downloads per link"), default=5, validators=[MinValueValidator(1)]
    )
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

    # The other legal pages (storefront: /privacy/, /imprint/, /withdrawal-instructions/),
    # one version per language like the terms.
    privacy_notice = models.TextField(
        _("privacy notice"),
        blank=True,
        help_text=_("Plain text, one version per language; the storefront's privacy page."),
    )
    imprint = models.TextField(
        _("imprint"),
        blank=True,
        help_text=_(
            "Plain text, one version per language. Empty: the imprint is built from the "
            "company details above."
        ),
    )
    withdrawal_instructions = models.TextField(
        _("withdrawal instructions"),
        blank=True,
        help_text=_(
            "Plain text, one version per language. Empty: the statutory model instructions "
            "are used (with the withdrawal period set above)."
        ),
    )
    # Accessibility statement (European Accessibility Act, EN 301 549 / WCAG 2.1 AA): the
    # storefront page "Accessibility" is generated from these fields (issue 27).
    accessibility_status = models.CharField(
        _("accessibility: compliance status"),
        max_length=10,
        choices=AccessibilityStatus.choices,
        default=AccessibilityStatus.PARTIAL,
        help_text=_("How far the shop meets WCAG 2.1 level AA (EN 301 549)."),
    )
    accessibility_limitations = models.TextField(
        _("accessibility: known limitations"),
        blank=True,
        help_text=_(
            "Plain text, one version per language: what is not yet accessible, why, and the "
            "alternative. Empty = the standard text for this shop software."
        ),
    )
    accessibility_contact = models.CharField(
        _("accessibility: contact for feedback"),
        max_length=200,
        blank=True,
        help_text=_("E-mail address, phone or postal address. Empty = the contact e-mail."),
    )
    accessibility_enforcement_body = models.TextField(
        _("accessibility: enforcement body"),
        default=(
            "Marktüberwachungsstelle der Länder für die Barrierefreiheit von Produkten und "
            "Dienstleistungen (MLBF), Magdeburg, https://www.mlbf-barrierefrei.de"
        ),
        help_text=_("The market surveillance authority customers can turn to."),
    )
    accessibility_reviewed = models.DateField(
        _("accessibility: last reviewed"),
        default=timezone.localdate,
        help_text=_("The date this shop was last checked for accessibility."),
    )

    objects = StorefrontQuerySet.as_manager()

    class Meta:
        verbose_name = _("shop settings")
        verbose_name_plural = _("shop settings")
        # The numbers the form's validators allow, kept whoever writes the row.
        constraints = [
            models.CheckConstraint(
                condition=Q(default_open_amount_limit__gte=0),
                name="shopsettings_open_amount_limit_not_negative",
            ),
            # Every invoice names the seller's VAT ID or tax number (clean()).
            models.CheckConstraint(
                condition=~Q(vat_id="") | ~Q(tax_number=""),
                name="shopsettings_vat_id_or_tax_number",
            ),
            models.CheckConstraint(
                condition=Q(loyalty_points_per_euro__gte=0),
                name="shopsettings_loyalty_rate_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(staff_issue_limit__isnull=True) | Q(staff_issue_limit__gte=0),
                name="shopsettings_staff_issue_limit_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(download_expiry_days__gte=1, download_max_count__gte=1),
                name="shopsettings_downloads_possible",
            ),
            models.CheckConstraint(
                condition=Q(withdrawal_period_days__gte=14, withdrawal_period_days__lte=365),
                name="shopsettings_withdrawal_period_range",
            ),
            models.CheckConstraint(
                condition=Q(delivery_transit_days__lte=60),
                name="shopsettings_delivery_transit_days_at_most_60",
            ),
        ]

    def __str__(self):
        return str(_("Shop settings"))

    def save(self, *args, **kwargs):
        self.pk = 1
        self.vat_id = _compact(self.vat_id)
        self.iban = _compact(self.iban)
        self.bic = _compact(self.bic)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        # Every invoice names the seller's VAT ID or tax number (§ 14 (4) no. 2 UStG; the
        # e-invoice's BT-31 or BT-32).
        if not (self.vat_id or "").strip() and not (self.tax_number or "").strip():
            raise ValidationError(
                {"vat_id": _("Enter the VAT ID or the tax number: every invoice must name one.")}
            )

    @property
    def address(self):
        """The seller's address as printed (letterheads, e-mail footers)."""
        lines = [self.street, f"{self.postcode} {self.city}".strip()]
        if self.country:
            lines.append(country_name(self.country))
        return "\n".join(line for line in lines if line)

    @property
    def register_label(self):
        """What the commercial register is called in the seller's country, printed before
        ``commercial_register`` (the imprint; the PDF footers through ``register_entry``): a
        Danish company has a CVR number, a Polish one a KRS number, not a "Handelsregister"
        entry."""
        return REGISTER_LABELS.get((self.country or "").upper(), _("Commercial register"))

    @property
    def register_entry(self):
        """The register entry as a one-line footer prints it (the PDF documents): named where
        the bare number says nothing ("CVR-nr. 13585628", "KRS 0000123456"), as entered
        elsewhere — a German entry names its court and register itself ("Amtsgericht
        Hamburg HRB 123456"), and a label would push the footer onto a second line."""
        if not self.commercial_register:
            return ""
        if (self.country or "").upper() in REGISTER_LABELS:
            return f"{self.register_label} {self.commercial_register}"
        return self.commercial_register

    @property
    def iban_display(self):
        """``DE34 2005 0550 …`` in groups of four, as printed on paper."""
        return " ".join(self.iban[i : i + 4] for i in range(0, len(self.iban), 4))

    @property
    def bank_details(self):
        parts = [self.bank_name, f"IBAN {self.iban_display}" if self.iban else ""]
        if self.bic:
            parts.append(f"BIC {self.bic}")
        return " · ".join(part for part in parts if part)

    @classmethod
    def load(cls):
        """The one settings row (a copy each caller may change). A wide row — the legal
        texts in every language — asked for in many places (the layout, prices, limits,
        e-mails, PDFs): each process keeps the last one read under the storefront version,
        which every save or update of the row moves on (``shop.pagecache``), so a read
        costs that one small query; within a storefront request not even that."""
        obj = getattr(_request_memo, "shop_settings", None)
        if obj is None:
            kept = pagecache.kept(
                "shop_settings",
                lambda: cls.objects.get_or_create(pk=1)[0],
                using=cls.objects.db,
                per_language=False,
            )
            obj = copy.copy(kept)
            if getattr(_request_memo, "active", False):
                _request_memo.shop_settings = obj
        return obj


# The settings row of the current storefront request (ShopSettings.load): opened by
# request_started, dropped by request_finished and by every save of the row. Backoffice
# requests are left out: a settings form works on the row it loaded. Every request keeps the
# storefront version it read first (with its session: one round trip less), until this
# process moves it on.
_request_memo = Local()


def open_request_memo(sender=None, environ=None, **kwargs):
    path = (environ or {}).get("PATH_INFO", "")
    backoffice = path.startswith("/backoffice/")
    _request_memo.active = not backoffice
    _request_memo.shop_settings = None
    pagecache.open_request()
    staffrows.open_request()
    keptlists.open_request(backoffice)


def close_request_memo(sender=None, **kwargs):
    _request_memo.active = False
    _request_memo.shop_settings = None
    pagecache.close_request()
    staffrows.close_request()
    keptlists.close_request()


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
    # An e-mail written when it is sent (shop.mail.queue_email's ``render_later``):
    # {"builder": "orders.services.checkout.confirmation_email_context", "args": [...],
    # "language": "de"}; emptied once subject and bodies are written.
    render_later = models.JSONField(_("written when sent"), default=dict, blank=True)
    # Values in the e-mail that work as money or a key (gift-card numbers, personal discount
    # codes: queue_email's ``secrets``), hidden wherever the e-mail is shown, sent as written.
    secret_values = models.JSONField(_("secret values"), default=list, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        # Stands first in Django's titles ("Select %s to change": "… zur Änderung
        # auswählen"): its German is a noun phrase like every model's name ("E-Mail im
        # Postausgang"), not "ausgehende E-Mail" lowercase at the start of the heading.
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
        return f"{self.display_subject} → {', '.join(self.to)}"

    @property
    def display_subject(self):
        """The subject, or for an e-mail still to be written what it will be."""
        if self.subject or not self.render_later:
            return self.subject
        return _("%(template)s (written when sent)") % {"template": self.template}

    @property
    def message_id(self):
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">")
        return f"<outbox-{self.pk}@{domain}>"


class BackgroundJob(models.Model):
    """A long backoffice run (bulk work on many orders …) done by a Celery worker, with a
    progress page and, where it makes one, a file to download (``shop.jobs``)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("job"), max_length=50)  # a key of shop.jobs' registry
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=8, default=default_language)
    # Who may follow the job and download its file besides the one who started it.
    permission = models.CharField(_("permission"), max_length=100, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress %"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    file = models.FileField(
        _("file"), storage=private_storage, upload_to="jobs/", max_length=300, blank=True
    )
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)
    # "Still alive", written while the job runs (and when it is handed to the broker): a
    # running job silent for JOB_STALE_AFTER lost its worker (``shop.jobs.recover``).
    heartbeat = models.DateTimeField(_("heartbeat"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="backgroundjob_progress_at_most_100"
            ),
        ]

    def __str__(self):
        return f"{self.title} #{self.pk}"

    def get_absolute_url(self):
        return reverse("admin:shop_backgroundjob_progress", args=[self.pk])

    @property
    def is_running(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class RetentionPolicy(models.Model):
    """How long personal data is kept, per category of shop.retention (one row).

    Empty fields mean the legal default; the help texts name the law. The outbox and the
    access log keep their periods in the environment (OUTBOX_RETENTION_DAYS,
    ACCESS_LOG_RETENTION_DAYS).
    """

    class Country(models.TextChoices):
        DE = "DE", _("Germany")
        PL = "PL", _("Poland")
        DK = "DK", _("Denmark")

    country = models.CharField(
        _("country of the seller"),
        max_length=2,
        choices=Country.choices,
        default=Country.DE,
        help_text=_("Its tax law decides how long invoices and credit notes are kept."),
    )
    invoice_years = models.PositiveSmallIntegerField(
        _("invoices and credit notes (years)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Empty: the legal period of the seller's country, counted from the end of the "
            "calendar year of the document — Germany 8 years (§ 147 Abs. 3 AO, § 14b UStG, "
            "since 2025), Poland 5 "
            "years from the end of the year the tax fell due (art. 70 § 1 and art. 86 § 1 "
            "Ordynacja podatkowa, art. 112 ustawy o VAT; counted from the end of the "
            "following year), Denmark 5 years (bogføringsloven). Then the buyer data of the "
            "invoice and its order is anonymised; the amounts stay."
        ),
    )
    order_years = models.PositiveSmallIntegerField(
        _("orders without invoice (years)"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Counted from the end of the year of the order: the regular limitation period "
            "for claims from the purchase (DE § 195 BGB, PL art. 118 Kodeks cywilny, DK "
            "forældelsesloven § 3). Then the order's personal data is anonymised."
        ),
    )
    guest_years = models.PositiveSmallIntegerField(
        _("guest orders (years)"),
        default=2,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Guests have no account: the personal data of their orders is anonymised this "
            "many years after the order — the legal guarantee for consumer sales (Directive "
            "(EU) 2019/771, Art. 10). Invoices keep their own copy of the buyer data until "
            "their own period ends."
        ),
    )
    thread_years = models.PositiveSmallIntegerField(
        _("helpdesk threads after closing (years)"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Closed threads and their messages are deleted this many years after closing "
            "(storage limitation, GDPR Art. 5(1)(e); claims they document are time-barred "
            "after 3 years, e.g. § 195 BGB)."
        ),
    )
    review_years = models.PositiveSmallIntegerField(
        _("reviews (years)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Empty: reviews are kept until their author asks for erasure (GDPR Art. 17). A "
            "number: name and e-mail of the author are removed from reviews this many years "
            "old; rating and text stay."
        ),
    )

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policy")

    def __str__(self):
        return str(_("Retention policy"))

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls):
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class RetentionRun(models.Model):
    """One application of the retention policy (daily by beat, or `apply_retention`)."""

    started = models.DateTimeField(_("started"), db_index=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)
    trigger = models.CharField(_("started by"), max_length=50)
    ok = models.BooleanField(_("without errors"), default=True)
    # [{"rule", "category", "action", "cutoff", "count", "error"}]
    results = models.JSONField(_("results"), default=list)

    class Meta:
        ordering = ["-started", "-id"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self):
        return f"{self.started:%Y-%m-%d %H:%M} ({self.trigger})"

    @property
    def total(self):
        return sum(r.get("count") or 0 for r in self.results)


class SentForm(models.Model):
    """A backoffice form that has been sent, by the one-time token its page carried
    (``shop.formtokens``): the primary key lets one transaction apply the page, a second
    send of it finds the token taken. No personal data: a token, what it was for, when."""

    token = models.UUIDField(_("token"), primary_key=True)
    purpose = models.CharField(_("form"), max_length=100)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now, db_index=True)
    # Where the first send led (the adjusted card, the issued card): shown to a second send.
    outcome_url = models.CharField(_("result page"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("sent form")
        verbose_name_plural = _("sent forms")

    def __str__(self):
        return f"{self.purpose} {self.token}"


class StockNoticeQuerySet(models.QuerySet):
    def open(self):
        """Not sent yet: waiting for confirmation or for the stock."""
        return self.filter(sent_at__isnull=True)

    def waiting(self):
        """Confirmed and not sent yet: people waiting for the product."""
        return self.open().filter(confirmed_at__isnull=False)

    def due(self):
        """Waiting notices whose product is on sale and in stock again (Product.in_stock)."""
        return self.waiting().filter(
            Q(product__stock__isnull=True) | Q(product__stock__gt=0), product__is_active=True
        )


class StockNotice(models.Model):
    """ "E-mail me when it is back in stock": one address waiting for one sold-out product
    (``shop.stock_notices``). Double opt-in — only a notice the address confirmed through the
    e-mailed link is ever sent; a sent notice is done (a new request makes a new one).
    Personal data (the address): deleted by the retention rule "back-in-stock notices" and
    with an erased customer's addresses."""

    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        on_delete=models.CASCADE,
        related_name="stock_notices",
    )
    email = EmailField(_("e-mail"))
    language = models.CharField(_("language"), max_length=5, default=default_language)
    created = models.DateTimeField(_("requested"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # What the signed links name: a random value, not the row's id, so a link never outlives
    # its notice (a later notice never answers an old link).
    token = models.CharField(_("token"), max_length=64, unique=True, editable=False)

    objects = StockNoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("back-in-stock notice")
        verbose_name_plural = _("back-in-stock notices")
        constraints = [
            # One open notice per product and address (any case): asking again changes
            # nothing, and the stock coming back sends one e-mail, not one per request.
            models.UniqueConstraint(
                "product",
                Lower("email"),
                condition=Q(sent_at__isnull=True),
                name="stocknotice_one_open_per_address",
            ),
            # Only a confirmed address is written to.
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | Q(confirmed_at__isnull=False),
                name="stocknotice_sent_only_confirmed",
            ),
        ]
        indexes = [
            # The beat task's search: waiting notices by product.
            models.Index(
                fields=["product"],
                condition=Q(confirmed_at__isnull=False, sent_at__isnull=True),
                name="stocknotice_waiting",
            ),
            models.Index(fields=["email"], name="stocknotice_email"),
        ]

    def __str__(self):
        return f"{self.product} — {self.email}"

    @property
    def status(self):
        if self.sent_at is not None:
            return "sent"
        return "waiting" if self.confirmed_at is not None else "unconfirmed"
