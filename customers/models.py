from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shop import events
from shop.fields import EmailField, LanguageField, validate_phone
from shop.money import money_validators
from shop.shop_language import default_language

from .vat import normalize_vat_id, validate_vat_id

# An EU VAT ID as stored: country prefix and 2–13 letters/digits, upper-case, no spaces.
VAT_ID_STORED = r"^([A-Z]{2}[0-9A-Z+*]{2,13})?$"


class CustomerGroup(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    # S5: limit for payment methods "limited by open amount"; empty = shop default.
    open_amount_limit = models.DecimalField(
        _("open amount limit"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=money_validators(),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer group")
        verbose_name_plural = _("customer groups")

    def __str__(self):
        return self.name


class UserQuerySet(models.QuerySet):
    def customers(self):
        """Customers with an account (staff users are not customers)."""
        return self.filter(is_staff=False)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        # Until they choose: the shop's language (SHOP_LANGUAGE), e.g. `createsuperuser`.
        extra.setdefault("language", settings.LANGUAGE_CODE)
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """Staff and customers alike log in with their e-mail address."""

    email = EmailField(_("e-mail"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    # Business customers (e-invoices): printed on invoices and in their XML.
    vat_id = models.CharField(
        _("VAT ID"),
        max_length=20,
        blank=True,
        validators=[validate_vat_id],
        help_text=_("EU VAT identification number of the company, e.g. DE123456788."),
    )
    buyer_reference = models.CharField(
        _("buyer reference"),
        max_length=100,
        blank=True,
        help_text=_("Public buyers in Germany: the Leitweg-ID. Printed on every invoice."),
    )
    purchase_order_reference = models.CharField(
        _("purchase order reference"),
        max_length=100,
        blank=True,
        help_text=_("The company's order number, printed on every invoice."),
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True, validators=[validate_phone])
    # The login addresses the customer confirmed a change away from: e-mails went to them,
    # so an erasure deletes those too (customers.services.delete_customer).
    previous_emails = models.JSONField(
        _("previous e-mail addresses"), default=list, blank=True, editable=False
    )
    # The change of the login address the customer asked for last and has not confirmed yet
    # (customers.services.request_email_change): only the link of this request works; a
    # newer request, the change itself, a cancellation or a new password end it.
    pending_email = EmailField(_("requested new e-mail address"), blank=True, editable=False)
    pending_email_requested_at = models.DateTimeField(
        _("new e-mail address requested"), null=True, blank=True, editable=False
    )
    language = LanguageField(
        _("language"),
        max_length=5,
        default=default_language,
        choices=[("en", "English"), ("de", "Deutsch"), ("pl", "Polski"), ("da", "Dansk")],
    )
    # Human-friendly sequential number; also the "campaign customer number" of gift-card credit.
    customer_number = models.CharField(
        _("customer number"), max_length=20, unique=True, null=True, blank=True, editable=False
    )
    group = models.ForeignKey(
        CustomerGroup,
        verbose_name=_("customer group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    is_rejected = models.BooleanField(
        _("rejected"),
        default=False,
        help_text=_("A rejected customer can neither log in nor order."),
    )
    is_test = models.BooleanField(
        _("test customer"),
        default=False,
        help_text=_("Test customers are deleted with their orders."),
    )
    open_amount_limit = models.DecimalField(
        _("open amount limit"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=money_validators(),
        help_text=_("Overrides the group's and the shop's limit for limited payment methods."),
    )
    # False for accounts created by an operator until the customer follows the e-mailed link.
    is_confirmed = models.BooleanField(
        _("confirmed"),
        default=True,
        help_text=_("Accounts created in the backoffice are confirmed by the customer via e-mail."),
    )
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("registered"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["last_name", "first_name"]),
            # The backoffice customer list is ordered newest first.
            models.Index(fields=["-date_joined"], name="customer_joined_idx"),
            # Staff pickers (e.g. the access-log filter) must not scan all customers.
            models.Index(
                fields=["email"], condition=models.Q(is_staff=True), name="staff_email_idx"
            ),
        ]
        constraints = [
            # save() stores addresses lower-cased; this also holds for rows written in bulk.
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_ci_unique",
                violation_error_message=_("An account with this e-mail address already exists."),
            ),
            models.CheckConstraint(
                condition=Q(vat_id__regex=VAT_ID_STORED), name="user_vat_id_normalized"
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        self.vat_id = normalize_vat_id(self.vat_id)
        if self._password is not None and self.pending_email_requested_at is not None:
            # A new password (set_password: changed, reset, set by staff) is the advice to a
            # customer who did not ask for the pending change of the address: it ends it.
            self.pending_email, self.pending_email_requested_at = "", None
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {
                    *kwargs["update_fields"],
                    "pending_email",
                    "pending_email_requested_at",
                }
        super().save(*args, **kwargs)
        if not self.customer_number and not self.is_staff:
            # Derived from the primary key: sequential, unique, and no lock on a counter row.
            self.customer_number = str(100000 + self.pk)
            type(self).objects.filter(pk=self.pk).update(customer_number=self.customer_number)


class Address(models.Model):
    customer = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses")
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    company = models.CharField(_("company"), max_length=200, blank=True)
    street = models.CharField(_("street"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=20)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, default="DE")
    phone = models.CharField(_("phone"), max_length=50, blank=True, validators=[validate_phone])
    is_default = models.BooleanField(_("default address"), default=False)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["-is_default", "id"]
        constraints = [
            # Kept by customers.services.save_address / set_default_address / delete_address.
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(is_default=True),
                name="one_default_address_per_customer",
            ),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}, {self.street}, {self.postcode} {self.city}"


class StaffUser(User):
    """Staff users get their own backoffice screen; the customer screens list customers only."""

    class Meta:
        proxy = True
        verbose_name = _("staff user")
        verbose_name_plural = _("staff users")


class AccountConfirmation(models.Model):
    """The pending e-mail confirmation of an account created by an operator (S4).

    The link carries a signed ``<customer id>:<nonce>``; a new link rotates the nonce, so only
    the newest link works, and ``confirmed_at`` tells a used link apart from a forged one.
    """

    customer = models.OneToOneField(User, on_delete=models.CASCADE, related_name="confirmation")
    nonce = models.CharField(max_length=32)
    # The address the link went to: a link works only while the account still has it (an
    # operator who corrects a mistyped address must not leave the old mailbox a key).
    email = models.CharField(_("sent to"), max_length=254, blank=True)
    sent_at = models.DateTimeField(_("link sent"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("account confirmation")
        verbose_name_plural = _("account confirmations")

    def __str__(self):
        return str(self.customer)


class LoyaltyAccount(models.Model):
    """Cached points balance; always equal to the sum of the customer's ledger entries.

    Negative while the customer owes points: an order whose points were spent was canceled
    or refunded (``customers.loyalty``). No spending or deduction by an operator takes it
    below zero (``loyalty._book``): only what the ledger's reasons allow (see
    ``LoyaltyEntry``)."""

    customer = models.OneToOneField(User, on_delete=models.CASCADE, related_name="loyalty")
    balance = models.IntegerField(_("points"), default=0)

    class Meta:
        verbose_name = _("loyalty account")
        verbose_name_plural = _("loyalty accounts")

    def __str__(self):
        return f"{self.customer}: {self.balance}"


class LoyaltyEntry(models.Model):
    class Reason(models.TextChoices):
        EARN = "earn", _("Earned")
        SPEND = "spend", _("Spent")
        REVERSE = "reverse", _("Reversed")
        # Taken back for the part of an order a credit note refunded (one per credit note).
        REFUND = "refund", _("Refunded")
        ADJUST = "adjust", _("Adjusted")
        # Spent points given back: the discount code they bought was voided unused.
        UNSPEND = "unspend", _("Purchase voided")

    customer = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="loyalty_entries", verbose_name=_("customer")
    )
    points = models.IntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="loyalty_entries",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    # Who booked a correction (reason "adjust"); the shop's own entries have none.
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A note the shop wrote ("Order 100131 canceled"), untranslated, to be read in each
    # reader's language (shop.events); a correction's note, typed by staff, has none.
    message = events.MessageField(_("note"), text_field="note")
    created = models.DateTimeField(_("date"), auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("loyalty points entry")
        verbose_name_plural = _("loyalty points ledger")
        permissions = [
            (
                "adjust_points_beyond_limit",
                _("Can add loyalty points beyond the daily limit per staff member"),
            ),
        ]
        indexes = [models.Index(fields=["customer", "-created"])]
        constraints = [
            # An order earns points once and is reversed once, whatever retries happen.
            models.UniqueConstraint(
                fields=["order", "reason"],
                condition=Q(reason__in=["earn", "reverse"]),
                name="loyalty_once_per_order",
            ),
            models.CheckConstraint(
                condition=(
                    Q(reason="earn", points__gt=0)
                    | Q(reason="spend", points__lt=0)
                    | Q(reason__in=["reverse", "refund"], points__lte=0)
                    | Q(reason="unspend", points__gt=0)
                    | Q(reason="adjust")
                ),
                name="loyalty_sign_matches_reason",
            ),
        ]

    def __str__(self):
        return f"{self.points:+d} {self.get_reason_display()}"

    @property
    def display_note(self):
        """The note as its reader sees it: one the shop wrote in the active language."""
        return events.read(self.message, self.note)


class VatIdCheck(models.Model):
    """A buyer's VAT ID asked of the EU's VIES service (``customers.vies``): the proof that it
    was valid when an order went out without VAT (reverse charge), kept as long as invoices.
    A confirmation is reused for ``VIES_CACHE_HOURS``; every other answer is recorded too."""

    class Result(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        NOT_REGISTERED = "not_registered", _("not registered")
        UNKNOWN = "unknown", _("could not be checked")

    vat_id = models.CharField(_("VAT ID"), max_length=20)
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)
    result = models.CharField(_("result"), max_length=20, choices=Result.choices)
    # As the member state's registry states them ("" where it does not disclose them).
    name = models.CharField(_("registered name"), max_length=300, blank=True)
    address = models.TextField(_("registered address"), blank=True)
    # VIES's consultation number: only when the shop named its own VAT ID as requester.
    request_identifier = models.CharField(_("consultation number"), max_length=100, blank=True)
    # Why the result is unknown (a VIES error code such as MS_UNAVAILABLE, a timeout).
    error = models.CharField(_("error"), max_length=200, blank=True)

    class Meta:
        ordering = ["-checked_at", "-id"]
        verbose_name = _("VIES check of a VAT ID")
        verbose_name_plural = _("VIES checks of VAT IDs")
        indexes = [models.Index(fields=["vat_id", "-checked_at"], name="vatidcheck_latest")]
        constraints = [
            models.CheckConstraint(
                condition=Q(result__in=["confirmed", "not_registered", "unknown"]),
                name="vatidcheck_result_known",
            ),
        ]

    def __str__(self):
        return f"{self.vat_id} {self.get_result_display()}"

    @property
    def confirmed(self):
        return self.result == self.Result.CONFIRMED

    @property
    def not_registered(self):
        return self.result == self.Result.NOT_REGISTERED

    @property
    def unknown(self):
        return self.result == self.Result.UNKNOWN
