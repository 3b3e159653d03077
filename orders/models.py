from decimal import Decimal
from urllib.parse import quote

from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Abs, Coalesce, Greatest, Upper
from django.db.models.lookups import LessThan
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from shop import events, filenames
from shop.fields import EmailField
from shop.models import PaymentMethod, Product, ShippingMethod
from shop.money import SUM_TOLERANCE, ZERO, money
from shop.shop_language import default_language


def net_of(gross, rate):
    return money(gross * 100 / (100 + rate))


TAX_ROW_AMOUNTS = ("rate", "net", "tax", "gross")


def typed_tax_rows(rows):
    """Stored tax rows (JSON: strings) with rate, net, tax and gross as decimals; any other
    key (``category``: the EN 16931 VAT category S, Z, E, K, AE of documents issued since
    e-invoicing) stays as it is."""
    return [
        {k: Decimal(str(v)) if k in TAX_ROW_AMOUNTS else v for k, v in row.items()} for row in rows
    ]


def discountable_total(lines):
    """The value of the goods a discount code and a free-shipping threshold apply to: gift
    cards are a means of payment, not goods, so they are never made cheaper."""
    return sum((line.line_total for line in lines if not line.is_giftcard), ZERO)


def catalog_goods_total(lines):
    """:func:`discountable_total` at the catalog's gross prices, as the cart showed them —
    also for an order the placement has priced net (reverse charge, an export delivery:
    ``orders.vat``): what a campaign's minimum order value is measured against, so that a
    code the cart accepted is not refused for a delivery to Switzerland."""
    return sum(
        (getattr(line, "catalog_total", line.line_total) for line in lines if not line.is_giftcard),
        ZERO,
    )


class OrderQuerySet(models.QuerySet):
    def nothing_taken(self):
        """Orders whose payment method has taken nothing yet: unpaid, or a card payment only
        authorized (reserved on the card, not captured)."""
        return self.filter(
            payment_status__in=[Order.PaymentStatus.UNPAID, Order.PaymentStatus.AUTHORIZED]
        )

    def with_goods_to_ship(self):
        """Open orders (pending or processing) with goods not shipped yet: more units of
        the lines shipped physically than their shipments hold. (Units credited before
        shipping are only possible on an invoiced order, which is complete once the rest
        has left, so they need not be counted here.)"""
        ordered = (
            OrderLine.objects.filter(order=OuterRef("pk"), is_downloadable=False, is_giftcard=False)
            .order_by()
            .values("order")
            .annotate(units=Sum("quantity"))
            .values("units")
        )
        shipped = (
            ShipmentLine.objects.filter(shipment__order=OuterRef("pk"))
            .order_by()
            .values("shipment__order")
            .annotate(units=Sum("quantity"))
            .values("units")
        )
        return (
            self.filter(status__in=[Order.Status.PENDING, Order.Status.PROCESSING])
            .alias(
                units_ordered=Coalesce(Subquery(ordered), 0),
                units_shipped=Coalesce(Subquery(shipped), 0),
            )
            .filter(units_ordered__gt=F("units_shipped"))
        )

    def ready_to_ship(self):
        """Goods to ship, and the payment allows it (``Order.payment_allows_shipping``)."""
        return self.with_goods_to_ship().filter(Order.payment_allows_shipping_q())

    def awaiting_payment_to_ship(self):
        """Goods to ship, held back until the payment arrives (an unpaid bank transfer)."""
        return self.with_goods_to_ship().exclude(Order.payment_allows_shipping_q())

    def cancelable_pending(self):
        """Pending orders nothing was taken for (what erasing a customer cancels first)."""
        return self.filter(status=Order.Status.PENDING).nothing_taken()

    def open_amount_relevant(self):
        """Orders that count towards a customer's open amount (S5): a partly paid one too,
        with what is still due (``balance_due_expression``)."""
        return self.exclude(payment_status__in=Order.PAID_STATUSES).exclude(
            status__in=[Order.Status.CANCELED, Order.Status.CLOSED]
        )

    def open_amount(self):
        """What these orders still owe (S5), the one definition of the open amount: for each
        order not paid, canceled or closed, its grand total less what gift cards and account
        credit already paid, less what credit notes credited and less the part payments
        received (``Order.balance_due``), never below zero. A credit note on an order not
        yet paid first cancels what is still due (``orders.services.refunds``), so the
        credited amount comes off here."""
        due = Order.balance_due_expression()
        # money(): SQLite sums decimals as floats
        return money(self.open_amount_relevant().aggregate(s=Sum(due))["s"] or ZERO)

    def transfers_awaited(self):
        """Open orders of a prepayment method whose bank transfer has not (fully) arrived:
        unpaid or partly paid (the start page's "Bank transfers awaited", the order list's
        filter behind it)."""
        return self.filter(
            payment_method__kind=PaymentMethod.Kind.PREPAYMENT,
            payment_status__in=Order.AWAITING_PAYMENT,
        ).exclude(status__in=[Order.Status.CANCELED, Order.Status.CLOSED])


class OrderNumberField(models.CharField):
    """The order number: ``100000 + id``, given by the database when the row is inserted
    (a ``BEFORE INSERT`` trigger of PostgreSQL, migration ``orders/0034``) and read back in
    the insert's own ``RETURNING`` — an order is never without its number, whoever inserts
    it, and the placement writes its row once. Elsewhere (SQLite) the placement sets it."""

    db_returning = True  # (Django's own attribute: the insert returns the column)


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PROCESSING = "processing", _("Processing")
        COMPLETE = "complete", _("Complete")
        CANCELED = "canceled", _("Canceled")
        CLOSED = "closed", _("Closed")

    class PaymentStatus(models.TextChoices):
        UNPAID = "unpaid", _("Unpaid")
        # Part of what is due has arrived (a bank transfer of too little, ``received_total``),
        # the rest is awaited: not paid — the goods of a prepayment order do not leave yet.
        PARTLY_PAID = "partly_paid", _("Partly paid")
        AUTHORIZED = "authorized", _("Authorized")
        PAID = "paid", _("Paid")
        # Paid, and part of it credited by one or more credit notes (the order stands).
        PARTLY_REFUNDED = "partly_refunded", _("Partly refunded")
        # Paid, and money is owed back through the payment method that has not been paid
        # out yet: a paid order canceled before its invoice (``payout_due``), or a credit
        # note's ``paid_total`` not marked refunded. Becomes Refunded (the order canceled or
        # closed) or Partly refunded (it stands) once every payout is recorded
        # (``orders.services.lifecycle.refund_status``).
        REFUND_PENDING = "refund_pending", _("Refund pending")
        # Everything the customer paid has gone back (never while a payout is pending).
        REFUNDED = "refunded", _("Refunded")

    # The payment method has collected and the shop still holds (some of) the money.
    PAID_STATUSES = (
        PaymentStatus.PAID,
        PaymentStatus.PARTLY_REFUNDED,
        PaymentStatus.REFUND_PENDING,
    )
    # Nothing, or not all of what is due, has arrived: the payment is still awaited.
    AWAITING_PAYMENT = (PaymentStatus.UNPAID, PaymentStatus.PARTLY_PAID)

    number = OrderNumberField(
        _("order number"), max_length=20, unique=True, null=True, editable=False
    )
    created = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
    )
    email = EmailField(_("e-mail"), db_index=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    language = models.CharField(_("language"), max_length=5, default=default_language)
    # Billing address (the buyer on the invoice)
    billing_first_name = models.CharField(_("first name"), max_length=150)
    billing_last_name = models.CharField(_("last name"), max_length=150)
    billing_company = models.CharField(_("company"), max_length=200, blank=True)
    billing_street = models.CharField(_("street"), max_length=200)
    billing_postcode = models.CharField(_("postcode"), max_length=20)
    billing_city = models.CharField(_("city"), max_length=100)
    billing_country = models.CharField(_("country"), max_length=2, default="DE")
    # Shipping address
    shipping_first_name = models.CharField(_("first name"), max_length=150)
    shipping_last_name = models.CharField(_("last name"), max_length=150)
    shipping_company = models.CharField(_("company"), max_length=200, blank=True)
    shipping_street = models.CharField(_("street"), max_length=200)
    shipping_postcode = models.CharField(_("postcode"), max_length=20)
    shipping_city = models.CharField(_("city"), max_length=100)
    shipping_country = models.CharField(_("country"), max_length=2, default="DE")
    # A business purchase ("buying for a company"): printed on the invoice and in its XML.
    billing_vat_id = models.CharField(_("VAT ID"), max_length=20, blank=True)
    buyer_reference = models.CharField(_("buyer reference"), max_length=100, blank=True)
    purchase_order_reference = models.CharField(
        _("purchase order reference"), max_length=100, blank=True
    )
    # Intra-community supply to a business in another EU country (orders.vat): the order is
    # priced net, without VAT; the buyer accounts for it.
    reverse_charge = models.BooleanField(_("reverse charge (no VAT)"), default=False)
    # Goods shipped to a country outside the EU (orders.vat.apply_export, EXPORT_VAT_EXEMPT):
    # an export delivery, VAT-exempt — the goods and shipping are priced net.
    export_delivery = models.BooleanField(_("export delivery (no VAT)"), default=False)

    shipping_method = models.ForeignKey(
        ShippingMethod, verbose_name=_("shipping method"), on_delete=models.PROTECT
    )
    # The least expensive delivery the checkout offered for this order's destination, and
    # what it would have cost the order then (orders.services.checkout.least_expensive_
    # delivery): on withdrawal the shop refunds delivery costs up to it (Art. 13(2)
    # Directive 2011/83/EU). Empty for orders placed before it was kept, and for orders that
    # ship nothing.
    standard_shipping_method = models.ForeignKey(
        ShippingMethod,
        verbose_name=_("standard delivery"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    standard_shipping_cost = models.DecimalField(
        _("standard delivery cost"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    payment_method = models.ForeignKey(
        PaymentMethod, verbose_name=_("payment method"), on_delete=models.PROTECT
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    payment_status = models.CharField(
        _("payment status"),
        max_length=20,
        choices=PaymentStatus.choices,
        default=PaymentStatus.UNPAID,
        db_index=True,
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    # Totals, all gross. grand_total = goods_total + shipping_total - discount_total.
    goods_total = models.DecimalField(_("goods"), max_digits=12, decimal_places=2)
    shipping_total = models.DecimalField(_("shipping"), max_digits=12, decimal_places=2)
    # The shipping method's VAT rate when the order was placed (0 under reverse charge).
    shipping_tax_rate = models.DecimalField(
        _("shipping VAT rate %"), max_digits=5, decimal_places=2, default=Decimal("19.00")
    )
    discount_total = models.DecimalField(
        _("discount"), max_digits=12, decimal_places=2, default=ZERO
    )
    grand_total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    # The part of discount_total that cancels shipping (free-shipping codes).
    shipping_discount = models.DecimalField(
        _("shipping discount"), max_digits=12, decimal_places=2, default=ZERO
    )
    # Paid by gift card / customer credit (S8); the rest is due with the payment method.
    giftcard_total = models.DecimalField(
        _("paid by gift card"), max_digits=12, decimal_places=2, default=ZERO
    )
    credit_total = models.DecimalField(
        _("paid by account credit"), max_digits=12, decimal_places=2, default=ZERO
    )
    # The sum of the order's credit notes, kept by orders.services.refunds in the transaction
    # that issues one (order row locked); the constraint keeps it within the invoiced total.
    credited_total = models.DecimalField(
        _("credited"), max_digits=12, decimal_places=2, default=ZERO
    )
    voucher_code = models.CharField(_("discount code"), max_length=64, blank=True)
    partner_consent = models.BooleanField(_("consented to partner network"), default=False)
    # Given at checkout: after delivery the shop may ask by e-mail for reviews (reviews app).
    review_request_consent = models.BooleanField(_("consented to review requests"), default=False)
    # The proof of each consent (GDPR Art. 7(1)): when it was given and the checkbox's text as
    # the customer read it, in their language. Empty for orders placed before it was kept.
    partner_consent_at = models.DateTimeField(
        _("consented to partner network at"), null=True, blank=True, editable=False
    )
    partner_consent_text = models.TextField(
        _("partner network consent: text shown"), blank=True, editable=False
    )
    review_request_consent_at = models.DateTimeField(
        _("consented to review requests at"), null=True, blank=True, editable=False
    )
    review_request_consent_text = models.TextField(
        _("review request consent: text shown"), blank=True, editable=False
    )
    # Downloads (digital content not on a tangible medium, § 356 Abs. 5 BGB, Art. 16(m)
    # Directive 2011/83/EU): the customer's express consent that delivery begins before the
    # withdrawal period ends, with the acknowledgement that the right of withdrawal is lost
    # when it begins — when it was given and the checkbox's text as they read it. Required
    # by the checkout for a cart with downloads; None for other orders and for orders placed
    # before the checkout asked (their downloads keep the right of withdrawal).
    digital_consent_at = models.DateTimeField(
        _("consented to early delivery of downloads at"), null=True, blank=True, editable=False
    )
    digital_consent_text = models.TextField(
        _("early delivery of downloads consent: text shown"),
        blank=True,
        editable=False,
        # a web process of the previous release inserts orders without the column
        db_default="",
    )
    customer_note = models.TextField(_("customer note"), blank=True)
    # The one-time token of the checkout page the order was placed from (a random UUID per
    # page view): a second submit of that page — a double click, a reload, a resent POST —
    # cannot insert a second order (the constraint below), it is answered with this one.
    # Null for orders placed without the page (demo data, benchmarks).
    checkout_token = models.UUIDField(_("checkout token"), null=True, blank=True, editable=False)
    # A paid order canceled before its invoice: what the payment method collected is owed back
    # (no credit note exists to track it). Listed under "Refunds to pay out" until the
    # operator marks it paid back (orders.services.mark_cancellation_refunded); the payment
    # status says "Refund pending" until then, "Refunded" after.
    payout_due = models.DecimalField(
        _("to pay back"), max_digits=12, decimal_places=2, default=ZERO, editable=False
    )
    payout_done_at = models.DateTimeField(_("paid back on"), null=True, blank=True, editable=False)
    # A payment larger than what was due (a bank transfer of the full amount after a credit
    # note had reduced it, a typo in the customer's banking app): the excess is owed back.
    # Recorded when the operator marks the order paid with the amount that arrived
    # (orders.services.mark_paid); "Refund pending" and listed under "Overpayments to pay
    # back" until the operator marks it paid back (mark_overpayment_paid_back).
    overpaid_total = models.DecimalField(
        _("paid too much"),
        max_digits=12,
        decimal_places=2,
        default=ZERO,
        # kept in the database too: a web process still on the previous release (a rolling
        # deploy) inserts orders without the column
        db_default=ZERO,
        editable=False,
    )
    overpaid_returned_at = models.DateTimeField(
        _("overpayment paid back on"), null=True, blank=True, editable=False
    )
    # What of ``overpaid_total`` has been paid back: all of it once ``overpaid_returned_at`` is
    # set. A payment that arrives after an earlier overpayment was paid back (a second
    # transfer, a payment for an order canceled meanwhile) adds to ``overpaid_total`` and
    # clears ``overpaid_returned_at``: only the difference is owed (``overpayment_owed``).
    overpaid_returned_total = models.DecimalField(
        _("overpayment paid back"),
        max_digits=12,
        decimal_places=2,
        default=ZERO,
        db_default=ZERO,
        editable=False,
    )
    # Part payments the payment method received while the order was not paid in full (a bank
    # transfer of too little), kept by orders.services.mark_paid under the order's row lock:
    # they come off what is still due (``balance_due``). The payment status is "Partly paid"
    # until the rest arrives (or a credit note reduces what is due to them); a canceled
    # order owes them back (``payout_due``). They stay as they were once the order is paid.
    received_total = models.DecimalField(
        _("part payments received"),
        max_digits=12,
        decimal_places=2,
        default=ZERO,
        # a web process of the previous release inserts orders without the column
        db_default=ZERO,
        editable=False,
    )

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        # The money side of an order (shop.roles: Payments): marking paid, capturing and
        # voiding card payments, paying back, refunds and credit notes. Goods (invoices,
        # shipments, returns, cancelling) are ``change_order``.
        permissions = [("handle_payments", _("Can record payments and refunds"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(grand_total__gte=0), name="order_total_not_negative"
            ),
            # The consent to the early delivery of downloads is kept with its proof.
            models.CheckConstraint(
                condition=Q(digital_consent_at__isnull=True, digital_consent_text="")
                | (Q(digital_consent_at__isnull=False) & ~Q(digital_consent_text="")),
                name="order_digital_consent_with_text",
            ),
            models.CheckConstraint(
                condition=Q(discount_total__gte=0), name="order_discount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(giftcard_total__gte=0) & Q(credit_total__gte=0),
                name="order_prepaid_not_negative",
            ),
            # A canceled or closed order holds no money on the customer's card.
            models.CheckConstraint(
                condition=~Q(payment_status="authorized", status__in=["canceled", "closed"]),
                name="order_authorized_only_while_open",
            ),
            # An export delivery's shipping carries no VAT either.
            models.CheckConstraint(
                condition=Q(export_delivery=False) | Q(shipping_tax_rate=0),
                name="order_export_shipping_without_vat",
            ),
            # Reverse charge needs the buyer's VAT ID, and its shipping carries no VAT.
            models.CheckConstraint(
                condition=Q(reverse_charge=False)
                | (~Q(billing_vat_id="") & Q(shipping_tax_rate=0)),
                name="order_reverse_charge_has_vat_id",
            ),
            # Credit notes never credit more than the order (= its invoice) is worth. (The
            # refunds add up ``credited_total`` in the database: a sum, SUM_TOLERANCE.)
            models.CheckConstraint(
                condition=Q(credited_total__gte=0)
                & Q(credited_total__lte=F("grand_total") + SUM_TOLERANCE),
                name="order_credited_within_total",
            ),
            # Only a canceled order owes a payout, never more than it collected; a payout is
            # marked done only where one was owed.
            models.CheckConstraint(
                condition=Q(payout_due=0) | Q(status="canceled", payout_due__gt=0),
                name="order_payout_only_when_canceled",
            ),
            models.CheckConstraint(
                condition=Q(payout_due__lte=F("grand_total")),
                name="order_payout_within_total",
            ),
            models.CheckConstraint(
                condition=Q(payout_done_at__isnull=True) | Q(payout_due__gt=0),
                name="order_payout_done_only_when_due",
            ),
            # The payment status tells the payout's truth: "Refund pending" while it is owed,
            # "Refunded" once it is paid back — never "Refunded" for money not paid back (an
            # overpayment still owed keeps it pending).
            models.CheckConstraint(
                condition=Q(payout_due=0)
                | Q(payout_done_at__isnull=True, payment_status="refund_pending")
                | Q(payout_done_at__isnull=False, payment_status="refunded")
                | Q(
                    payout_done_at__isnull=False,
                    payment_status="refund_pending",
                    overpaid_total__gt=0,
                    overpaid_returned_at__isnull=True,
                ),
                name="order_payout_matches_payment_status",
            ),
            # An overpayment is never negative, only paid back where there was one, and
            # "Refund pending" while it is owed.
            models.CheckConstraint(
                condition=Q(overpaid_total__gte=0)
                & (Q(overpaid_returned_at__isnull=True) | Q(overpaid_total__gt=0)),
                name="order_overpaid_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(overpaid_total=0)
                | Q(overpaid_returned_at__isnull=False)
                | Q(payment_status="refund_pending"),
                name="order_overpayment_owed_is_refund_pending",
            ),
            # What was paid back of the overpayments: never more than they came to, and less
            # while one is owed. (Marked paid back, it is all of them — but a process of the
            # previous release marks it without counting it: the next payment owed back
            # counts it, orders.services.lifecycle.record_payment_owed_back.)
            models.CheckConstraint(
                condition=Q(overpaid_returned_total__gte=0)
                & Q(overpaid_returned_total__lte=F("overpaid_total"))
                & (
                    Q(overpaid_returned_at__isnull=False)
                    | Q(overpaid_total=0)
                    | Q(overpaid_returned_total__lt=F("overpaid_total"))
                ),
                name="order_overpaid_returned_within",
            ),
            models.CheckConstraint(
                condition=Q(received_total__gte=0), name="order_received_not_negative"
            ),
            # "Partly paid" says that part of the money has arrived: never without it.
            models.CheckConstraint(
                condition=~Q(payment_status="partly_paid") | Q(received_total__gt=0),
                name="order_partly_paid_has_received",
            ),
            # One order per checkout page (orders.services.checkout.place_order). Partial: the
            # orders without a token (most of a large table) take no room in the index.
            models.UniqueConstraint(
                fields=["checkout_token"],
                condition=Q(checkout_token__isnull=False),
                name="order_checkout_token_unique",
            ),
        ]
        indexes = [
            # "Canceled orders to pay back" on the start page: a handful among a million.
            models.Index(
                fields=["created"],
                condition=Q(payout_due__gt=0, payout_done_at__isnull=True),
                name="order_payout_pending_idx",
            ),
            models.Index(
                fields=["created"],
                condition=Q(overpaid_total__gt=0, overpaid_returned_at__isnull=True),
                name="order_overpaid_pending_idx",
            ),
            models.Index(fields=["billing_last_name", "billing_first_name"]),
            models.Index(fields=["customer", "-created"]),
            # email__iexact: a person's guest orders (privacy's "who looked at customer X",
            # reports). The trigram index answers it too, but slowly: every address shares
            # the trigrams of its domain.
            models.Index(Upper("email"), name="orders_order_email_upper"),
        ]

    def __str__(self):
        return self.number or f"#{self.pk}"

    def get_absolute_url(self):
        return reverse("orders:account_order", args=[self.number])

    @property
    def anonymised(self):
        """Erased with its customer or past retention (``orders.erasure``): the names and
        streets hold a placeholder, written in the language of whoever anonymised it."""
        return self.email.startswith("deleted-") and self.email.endswith("@invalid")

    @property
    def billing_name(self):
        if self.anonymised:
            return gettext("Deleted")  # in the reader's language, not the stored one
        return f"{self.billing_first_name} {self.billing_last_name}".strip()

    @property
    def shipping_name(self):
        if self.anonymised:
            return gettext("Deleted")
        return f"{self.shipping_first_name} {self.shipping_last_name}".strip()

    @property
    def billing_street_shown(self):
        """The billing street as the pages show it ("Deleted" in the reader's language)."""
        return gettext("Deleted") if self.anonymised else self.billing_street

    @property
    def shipping_street_shown(self):
        return gettext("Deleted") if self.anonymised else self.shipping_street

    @property
    def amount_due(self):
        """What the payment method has to collect after gift card and credit."""
        return self.grand_total - self.giftcard_total - self.credit_total

    @property
    def balance_due(self):
        """What is still to collect on an order not paid yet: the amount due less what credit
        notes cancelled of it and less the part payments received (the row of
        ``OrderQuerySet.open_amount``, ``balance_due_expression``)."""
        return max(ZERO, self.amount_due - self.credited_total - self.received_total)

    @classmethod
    def balance_due_expression(cls):
        """``balance_due`` in SQL (the open amount, the start page's figures)."""
        return Greatest(
            F("grand_total")
            - F("giftcard_total")
            - F("credit_total")
            - F("credited_total")
            - F("received_total"),
            Value(ZERO),
            output_field=models.DecimalField(max_digits=12, decimal_places=2),
        )

    @property
    def partly_paid(self):
        """Part of what is due has arrived, the rest is awaited."""
        return self.payment_status == self.PaymentStatus.PARTLY_PAID

    # What the order's pages, e-mails and backoffice say about its payment, one rule for all
    # (``orders/_totals.html``, the confirmation, the backoffice's payment panel): gift card
    # and account credit first, then the payment method for the rest — no method where
    # nothing is left for it; "Amount due" only while something is due.

    @property
    def method_total(self):
        """The part the payment method pays (or paid): what gift card and credit leave."""
        return max(ZERO, self.amount_due)

    @property
    def collected(self):
        """The payment method has collected the order's rest (also once it went back: it was
        paid; the refund is the credit notes' and the payout's part)."""
        return self.payment_status in (*self.PAID_STATUSES, self.PaymentStatus.REFUNDED)

    @property
    def paid_by_method(self):
        """What the payment method collected of the order (nothing while unpaid, nothing for
        an order that ended before its money arrived: ``paid_for_order``)."""
        return self.method_total if self.paid_for_order else ZERO

    @property
    def overpayment_kind(self):
        """How an overpayment goes back, as a payment method's kind for the payout wording
        (emails/_refund_payout.txt): it arrived by bank transfer (or in cash), so it goes back
        by bank transfer whatever the order's method — a card is not refunded what it never
        paid."""
        kind = self.payment_method.kind
        return (
            kind
            if kind in (*self.PAID_LATER, PaymentMethod.Kind.PREPAYMENT)
            else (PaymentMethod.Kind.PREPAYMENT)
        )

    @property
    def overpayment_method(self):
        """The payout's way for the backoffice: the order's method where it is a bank transfer
        or cash on delivery, else "bank transfer" (``overpayment_kind``)."""
        if self.overpayment_kind == self.payment_method.kind:
            return self.payment_method.name
        return gettext("bank transfer")

    @property
    def paid_for_order(self):
        """The payment method collected what the order cost. Not a canceled or closed order
        whose money arrived only after it ended (never marked paid): its payment status says
        "Refund pending"/"Refunded", but what arrived is an overpayment
        (``overpaid_total``), not a payment of the order — its invoice and credit note do
        not say "paid"."""
        if not self.collected:
            return False
        return self.paid_at is not None or self.status not in (
            self.Status.CANCELED,
            self.Status.CLOSED,
        )

    @property
    def due_now(self):
        """What is still to pay: nothing on a paid, canceled or closed order; else the amount
        due less what credit notes cancelled of it and the part payments received
        (``balance_due``)."""
        if self.collected or self.status in (self.Status.CANCELED, self.Status.CLOSED):
            return ZERO
        return self.balance_due

    @property
    def payout_pending(self):
        """Canceled after its payment, and the money not marked as paid back yet."""
        return self.payout_due > 0 and self.payout_done_at is None

    @property
    def overpayment_pending(self):
        """Paid more than was due, and the excess not marked as paid back yet."""
        return self.overpaid_total > 0 and self.overpaid_returned_at is None

    @property
    def overpayment_owed(self):
        """What the customer paid in excess and has not been paid back yet."""
        if self.overpaid_returned_at is not None:
            return ZERO
        return self.overpaid_total - self.overpaid_returned_total

    @property
    def is_paid(self):
        """The payment method has collected (partly credited orders, and those with a refund
        still to pay out, stay paid)."""
        return self.payment_status in self.PAID_STATUSES

    # The payment methods that collect on or after delivery: their goods leave unpaid.
    PAID_LATER = (PaymentMethod.Kind.COD, PaymentMethod.Kind.INVOICE)

    @property
    def payment_allows_shipping(self):
        """May the goods leave? Yes once the payment method has collected or reserved the
        money (paid, or a card payment authorized), or when it collects on or after
        delivery (cash on delivery, pay on invoice) — not while a bank transfer is awaited,
        nor while only part of it has arrived (partly paid)."""
        return (
            self.is_paid
            or self.payment_status == self.PaymentStatus.AUTHORIZED
            or self.payment_method.kind in self.PAID_LATER
        )

    @classmethod
    def payment_allows_shipping_q(cls):
        """``payment_allows_shipping`` as a filter (the order list, the start page)."""
        return Q(payment_status__in=[*cls.PAID_STATUSES, cls.PaymentStatus.AUTHORIZED]) | Q(
            payment_method__kind__in=cls.PAID_LATER
        )

    @property
    def awaits_transfer(self):
        """A prepayment order whose bank transfer has not arrived: its pages show the shop's
        bank details with the order number as the reference, for ``balance_due``."""
        return (
            self.payment_method.kind == PaymentMethod.Kind.PREPAYMENT
            and not self.is_paid
            and self.status not in (self.Status.CANCELED, self.Status.CLOSED)
            and self.balance_due > 0
        )

    @property
    def credit_remaining(self):
        """What credit notes may still credit."""
        return self.grand_total - self.credited_total

    def tax_breakdown(self, lines=None, **known):
        """The order's VAT rows per EN 16931 category and rate — the invoice's figures, one
        computation for the order pages, the e-mails and the invoice: its stored rows once
        invoiced, else what it will store (``orders.vat.order_vat_rows``; ``invoice=None``
        where the caller knows there is none)."""
        from .vat import order_vat_rows

        return order_vat_rows(self, lines, **known)

    @property
    def net_total(self):
        return sum((row["net"] for row in self.tax_breakdown()), ZERO)

    @property
    def invoice(self):
        """The order's invoice or None (uses prefetched ``invoices`` when present)."""
        invoices = list(self.invoices.all())
        return invoices[0] if invoices else None

    @property
    def credit_notes(self):
        """The credit notes of the invoice, oldest first (uses prefetched
        ``invoices__credit_notes`` when present)."""
        invoice = self.invoice
        if invoice is None:
            return []
        return sorted(invoice.credit_notes.all(), key=lambda note: (note.year, note.sequence))


class OrderLineQuerySet(models.QuerySet):
    def with_pictures(self):
        """Lines with their product and its pictures (thumbnails on the order pages) in a
        constant number of queries."""
        return self.select_related("product").prefetch_related("product__images")


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, null=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(_("product"), max_length=200)
    sku = models.CharField(_("SKU"), max_length=64)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=2)
    tax_rate = models.DecimalField(_("VAT rate %"), max_digits=5, decimal_places=2)
    line_total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    is_downloadable = models.BooleanField(default=False)
    is_giftcard = models.BooleanField(default=False)
    # In the scope of the order's discount code (a campaign limited to products or categories
    # discounts only those): the goods discount falls on these lines alone, on the invoice's
    # VAT rows and on every credit note (``shares_discount``).
    discounted = models.BooleanField(_("in the discount's scope"), default=True, db_default=True)

    objects = OrderLineQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="orderline_quantity_positive"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.name}"

    @property
    def needs_shipping(self):
        return not (self.is_downloadable or self.is_giftcard)

    @property
    def shares_discount(self):
        """Does the order's goods discount fall on this line? Never on a gift card (a means
        of payment), and only on the goods of the code's scope."""
        return self.discounted and not self.is_giftcard


class YearCounter(models.Model):
    """One row per year; locked while a number is drawn, so numbers are gapless
    (orders.services.next_invoice_number)."""

    year = models.PositiveIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.year}: {self.last_number}"


def document_filename(document, order, extension="pdf"):
    """The file name of an invoice, credit note or packing slip (``document.TITLE``): its title
    as its PDF prints it, in the order's language, as ASCII (``shop.filenames``)."""
    with translation.override(order.language or None):
        title = str(document.TITLE) % {"number": document.number}
    return filenames.document_filename(title, document.number, extension)


class InvoiceCounter(YearCounter):
    class Meta:
        verbose_name = _("invoice counter")
        verbose_name_plural = _("invoice counters")


class Invoice(models.Model):
    """A legal document: buyer data, lines and totals are frozen at creation, so a later
    anonymisation of the order (customer erasure) leaves the invoice intact."""

    # Invoices are never deleted (gapless series, retention duty): an invoiced order cannot
    # be deleted either. Migration 0005 adds a trigger refusing DELETE on PostgreSQL.
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="invoices"
    )
    number = models.CharField(_("invoice number"), max_length=20, unique=True)
    year = models.PositiveIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    created = models.DateTimeField(_("invoice date"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(_("comment for the customer"), blank=True)
    # The time of supply (§ 14 Abs. 4 Nr. 6 UStG, EN 16931 BT-72 / BG-14), fixed when the
    # invoice is issued (orders.services.lifecycle.delivery_of): the day(s) its goods were
    # shipped when all were; the calendar month of the invoice (§ 31 Abs. 4 UStDV) when
    # goods were still to ship (``delivery_month``); the invoice date for an order with
    # nothing to ship. Empty on invoices issued before it was recorded: their delivery date
    # is their invoice date, as they say.
    delivery_from = models.DateField(_("delivered from"), null=True, blank=True)
    delivery_to = models.DateField(_("delivered until"), null=True, blank=True)
    delivery_month = models.BooleanField(
        _("delivery in the invoice's month"), default=False, db_default=False
    )
    # Buyer snapshot
    buyer_name = models.CharField(pgettext_lazy("person", "name"), max_length=301)
    buyer_company = models.CharField(_("company"), max_length=200, blank=True)
    buyer_street = models.CharField(_("street"), max_length=200)
    buyer_postcode = models.CharField(_("postcode"), max_length=20)
    buyer_city = models.CharField(_("city"), max_length=100)
    buyer_country = models.CharField(_("country"), max_length=2)
    buyer_email = EmailField(_("e-mail"))
    customer_number = models.CharField(_("customer number"), max_length=20, blank=True)
    buyer_vat_id = models.CharField(_("VAT ID"), max_length=20, blank=True)
    buyer_reference = models.CharField(_("buyer reference"), max_length=100, blank=True)
    purchase_order_reference = models.CharField(
        _("purchase order reference"), max_length=100, blank=True
    )
    delivery_country = models.CharField(_("delivery country"), max_length=2, blank=True)
    reverse_charge = models.BooleanField(_("reverse charge (no VAT)"), default=False)
    export_delivery = models.BooleanField(_("export delivery (no VAT)"), default=False)
    # Document snapshot
    order_number = models.CharField(_("order number"), max_length=20)
    order_date = models.DateTimeField(_("order date"))
    currency = models.CharField(_("currency"), max_length=3)
    lines = models.JSONField(_("lines"), default=list)
    tax_rows = models.JSONField(_("tax breakdown"), default=list)
    goods_total = models.DecimalField(_("goods"), max_digits=12, decimal_places=2)
    shipping_total = models.DecimalField(_("shipping"), max_digits=12, decimal_places=2)
    shipping_method_name = models.CharField(_("shipping method"), max_length=100)
    shipping_tax_rate = models.DecimalField(
        _("shipping VAT rate %"), max_digits=5, decimal_places=2, default=Decimal("19.00")
    )
    discount_total = models.DecimalField(_("discount"), max_digits=12, decimal_places=2)
    # The part of discount_total that cancels shipping (free-shipping codes).
    shipping_discount = models.DecimalField(
        _("shipping discount"), max_digits=12, decimal_places=2, default=ZERO
    )
    voucher_code = models.CharField(_("discount code"), max_length=64, blank=True)
    grand_total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    giftcard_total = models.DecimalField(_("paid by gift card"), max_digits=12, decimal_places=2)
    credit_total = models.DecimalField(_("paid by account credit"), max_digits=12, decimal_places=2)
    # What the payment method had collected when the invoice was issued (a card captured on
    # invoicing, a transfer that arrived before): part of the amount already paid (BT-113).
    paid_total = models.DecimalField(
        _("paid by the payment method"), max_digits=12, decimal_places=2, default=ZERO
    )
    payment_method_name = models.CharField(_("payment method"), max_length=100)
    payment_method_kind = models.CharField(_("payment method kind"), max_length=20)
    # The seller as the settings named it at issue (orders.seller): reprints keep it.
    seller = models.JSONField(_("seller"), default=dict, blank=True, editable=False)
    sent_at = models.DateTimeField(_("last sent by e-mail"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "-sequence"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.UniqueConstraint(fields=["order"], name="one_invoice_per_order"),
            models.UniqueConstraint(fields=["year", "sequence"], name="invoice_sequence_unique"),
            # Paid parts never exceed the invoice total (EN 16931: amount due ≥ 0).
            models.CheckConstraint(
                condition=Q(paid_total__gte=0)
                & Q(
                    paid_total__lte=F("grand_total")
                    - F("giftcard_total")
                    - F("credit_total")
                    + SUM_TOLERANCE
                ),
                name="invoice_paid_within_total",
            ),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("orders:account_invoice", args=[self.order_number])

    @property
    def net_total(self):
        return sum((Decimal(row["net"]) for row in self.tax_rows), ZERO)

    @property
    def tax_total(self):
        return sum((Decimal(row["tax"]) for row in self.tax_rows), ZERO)

    @property
    def amount_due(self):
        return self.grand_total - self.giftcard_total - self.credit_total

    @property
    def prepaid_total(self):
        """Already paid when the invoice was issued: gift card, account credit, payment."""
        return self.giftcard_total + self.credit_total + self.paid_total

    @property
    def open_total(self):
        """What the invoice asks the buyer to pay (EN 16931 amount due for payment)."""
        return self.grand_total - self.prepaid_total

    @property
    def typed_lines(self):
        return [
            {**line, **{k: Decimal(line[k]) for k in ("unit_price", "tax_rate", "line_total")}}
            for line in self.lines
        ]

    @property
    def typed_tax_rows(self):
        return typed_tax_rows(self.tax_rows)

    TITLE = _("Invoice %(number)s")

    @property
    def filename(self):
        """Its PDF's name: its printed title in the order's language ("rechnung-2026-000117.pdf")
        — e-mail attachments, downloads and exports alike."""
        return document_filename(self, self.order)

    @property
    def xml_filename(self):
        return document_filename(self, self.order, "xml")

    @property
    def xrechnung_filename(self):
        return f"xrechnung-{self.number}.xml"


class CreditNoteCounter(YearCounter):
    """Credit notes have their own gapless series per year, drawn like invoice numbers."""

    class Meta:
        verbose_name = _("credit-note counter")
        verbose_name_plural = _("credit-note counters")


class CreditNote(models.Model):
    """Credits (part of) an invoice: a partial refund or, as the note that completes it, the
    full refund (the order is then Closed).

    An issued invoice is never changed or deleted; each credit note is its own numbered
    document with its own frozen lines, amounts and VAT rows (same formats as the invoice's)
    for exactly the credited part. The sum of an invoice's credit notes never exceeds it
    (``Order.credited_total`` and its constraint, kept under the order's row lock).
    Where the money goes is part of the document: back to the gift card, to the account
    credit, through the payment method (``paid_total``, paid out when the operator marks it
    refunded); what is left cancels what was still due on an order not paid yet.
    """

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="credit_notes"
    )
    number = models.CharField(_("credit-note number"), max_length=20, unique=True)
    year = models.PositiveIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    created = models.DateTimeField(_("credit-note date"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason for the customer"), blank=True)
    # The seller as the settings named it when the credit note was issued (orders.seller).
    seller = models.JSONField(_("seller"), default=dict, blank=True, editable=False)
    # Document snapshot: [{"line": order line id, "name", "sku", "quantity", "unit_price",
    # "tax_rate", "line_total", "unshipped": units cancelled before shipping}]
    lines = models.JSONField(_("lines"), default=list)
    tax_rows = models.JSONField(_("tax breakdown"), default=list)
    goods_total = models.DecimalField(_("goods"), max_digits=12, decimal_places=2, default=ZERO)
    # The share of the order's goods discount that falls on the credited goods.
    discount_total = models.DecimalField(
        _("discount"), max_digits=12, decimal_places=2, default=ZERO
    )
    shipping_total = models.DecimalField(
        _("shipping"), max_digits=12, decimal_places=2, default=ZERO
    )
    # Signed: below zero a deduction (e.g. a restocking fee), above zero an extra credit.
    adjustment = models.DecimalField(_("adjustment"), max_digits=12, decimal_places=2, default=0)
    adjustment_text = models.CharField(_("adjustment text"), max_length=200, blank=True)
    grand_total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    # Where the credited amount goes (the rest cancels what was still due).
    giftcard_total = models.DecimalField(
        _("back to the gift card"), max_digits=12, decimal_places=2, default=ZERO
    )
    credit_total = models.DecimalField(
        _("back to the account credit"), max_digits=12, decimal_places=2, default=ZERO
    )
    # The part of ``credit_total`` the customer asked to have as store credit instead of a
    # payout via the payment method (``refunds`` "to account"); the rest of it went back to
    # the account credit the order was paid with. The documents say which is which.
    account_total = models.DecimalField(
        _("credited as store credit"),
        max_digits=12,
        decimal_places=2,
        default=ZERO,
        # a web process of the previous release inserts notes without the column
        db_default=ZERO,
        editable=False,
    )
    paid_total = models.DecimalField(
        _("to refund via the payment method"), max_digits=12, decimal_places=2, default=ZERO
    )
    refunded_at = models.DateTimeField(_("refunded via the payment method"), null=True, blank=True)
    refunded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The note that completed the invoice (the order was closed with it).
    is_final = models.BooleanField(_("completes the refund"), default=False)
    sent_at = models.DateTimeField(_("last sent by e-mail"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "-sequence"]
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "sequence"], name="credit_note_sequence_unique"
            ),
            # Only the note that closes an order worth nothing credits nothing — or one that
            # credits goods a discount paid for entirely (their return settled at 0.00).
            models.CheckConstraint(
                condition=Q(grand_total__gt=0)
                | Q(grand_total=0, is_final=True)
                | Q(grand_total=0, goods_total__gt=0, discount_total=F("goods_total")),
                name="credit_note_positive",
            ),
            models.CheckConstraint(
                condition=LessThan(
                    Abs(
                        F("goods_total")
                        - F("discount_total")
                        + F("shipping_total")
                        + F("adjustment")
                        - F("grand_total")
                    ),
                    SUM_TOLERANCE,
                ),
                name="credit_note_total_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(giftcard_total__gte=0)
                & Q(credit_total__gte=0)
                & Q(paid_total__gte=0)
                & Q(
                    grand_total__gte=F("giftcard_total")
                    + F("credit_total")
                    + F("paid_total")
                    - SUM_TOLERANCE
                ),
                name="credit_note_money_back_within_total",
            ),
            models.CheckConstraint(
                condition=Q(account_total__gte=0) & Q(account_total__lte=F("credit_total")),
                name="credit_note_store_credit_within_credit",
            ),
            models.CheckConstraint(
                condition=Q(refunded_at__isnull=True) | Q(paid_total__gt=0),
                name="credit_note_refunded_only_with_payout",
            ),
        ]
        indexes = [
            models.Index(
                fields=["created"],
                condition=Q(paid_total__gt=0, refunded_at__isnull=True),
                name="creditnote_payout_pending_idx",
            )
        ]

    def __str__(self):
        return self.number

    TITLE = _("Credit note %(number)s")

    @property
    def filename(self):
        return document_filename(self, self.invoice.order)

    @property
    def xml_filename(self):
        return document_filename(self, self.invoice.order, "xml")

    @property
    def typed_lines(self):
        return [
            {**line, **{k: Decimal(line[k]) for k in ("unit_price", "tax_rate", "line_total")}}
            for line in self.lines
        ]

    @property
    def typed_tax_rows(self):
        return typed_tax_rows(self.tax_rows)

    @property
    def net_total(self):
        return sum((Decimal(row["net"]) for row in self.tax_rows), ZERO)

    @property
    def tax_total(self):
        return sum((Decimal(row["tax"]) for row in self.tax_rows), ZERO)

    @property
    def due_reduction(self):
        """The part that cancelled what was still due (the order was not paid yet)."""
        return self.grand_total - self.giftcard_total - self.credit_total - self.paid_total

    @property
    def credit_back(self):
        """What went back to the account credit the order was paid with (``credit_total``
        less the store credit booked instead of a payout, ``account_total``)."""
        return self.credit_total - self.account_total

    @property
    def payout_pending(self):
        return self.paid_total > 0 and self.refunded_at is None


class Shipment(models.Model):
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="shipments"
    )
    number = models.CharField(_("shipment number"), max_length=30, unique=True)
    created = models.DateTimeField(_("shipped"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set by the operator when the carrier reports the delivery; until then the delivery is
    # assumed ShopSettings.delivery_transit_days after shipping (the withdrawal period).
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    tracking_sent_at = models.DateTimeField(_("tracking e-mailed"), null=True, blank=True)

    class Meta:
        ordering = ["created", "id"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")

    def __str__(self):
        return self.number

    TITLE = _("Packing slip %(number)s")

    @property
    def filename(self):
        return document_filename(self, self.order)


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(
        Shipment, on_delete=models.CASCADE, related_name="lines", verbose_name=_("shipment")
    )
    order_line = models.ForeignKey(
        OrderLine, on_delete=models.CASCADE, related_name="shipped", verbose_name=_("order line")
    )
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("shipped line")
        verbose_name_plural = _("shipped lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="shipmentline_quantity_positive"
            ),
            models.UniqueConstraint(
                fields=["shipment", "order_line"], name="shipmentline_once_per_shipment"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.order_line.name}"


class TrackingNumber(models.Model):
    class Carrier(models.TextChoices):
        DHL = "dhl", "DHL"
        DPD = "dpd", "DPD"
        UPS = "ups", "UPS"
        GLS = "gls", "GLS"
        POSTNORD = "postnord", "PostNord"
        INPOST = "inpost", "InPost"
        OTHER = "other", _("Other carrier")

    # The carrier's tracking page; ``{locale}``: its language, from LOCALES by the reader's
    # language (the first entry where the carrier's page does not speak it).
    URLS = {
        "dhl": "https://www.dhl.de/{locale}/privatkunden/pakete-empfangen/verfolgen.html?piececode={n}",
        "dpd": "https://tracking.dpd.de/status/{locale}/parcel/{n}",
        "ups": "https://www.ups.com/track?tracknum={n}",
        "gls": "https://gls-group.com/track/{n}",
        "postnord": "https://tracking.postnord.com/{locale}/?id={n}",
        "inpost": "https://inpost.pl/sledzenie-przesylek?number={n}",
    }
    LOCALES = {
        "dpd": {"en": "en_US", "de": "de_DE", "pl": "pl_PL", "da": "da_DK"},
        # dhl.de speaks German and English only.
        "dhl": {"en": "en", "de": "de"},
        # PostNord's page has its Nordic languages and English ("dk": Danish), no German
        # or Polish.
        "postnord": {"en": "en", "da": "dk"},
    }

    shipment = models.ForeignKey(
        Shipment, on_delete=models.CASCADE, related_name="tracking", verbose_name=_("shipment")
    )
    carrier = models.CharField(_("carrier"), max_length=10, choices=Carrier.choices)
    number = models.CharField(_("tracking number"), max_length=64)

    class Meta:
        ordering = ["id"]
        verbose_name = _("tracking number")
        verbose_name_plural = _("tracking numbers")

    def __str__(self):
        return f"{self.get_carrier_display()} {self.number}"

    @property
    def url(self):
        """The tracking page in the language it is shown in: the order's in the tracking
        e-mail (written in it), the page's on the customer's account and in the backoffice."""
        return self.url_for(translation.get_language())

    def url_for(self, language):
        """The carrier's tracking page for this number, in ``language`` where the carrier's
        page has it ("" for a carrier without one)."""
        template = self.URLS.get(self.carrier)
        if not template:
            return ""
        locales = self.LOCALES.get(self.carrier, {})
        primary = (language or "").split("-")[0].split("_")[0].lower()
        locale = locales.get(primary) or next(iter(locales.values()), "")
        return template.format(n=quote(self.number), locale=locale)


class OrderComment(models.Model):
    """The order's history: operator comments and the lifecycle's own notes."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="comments", verbose_name=_("order")
    )
    created = models.DateTimeField(_("date"), auto_now_add=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("comment"))
    visible_to_customer = models.BooleanField(_("visible to customer"), default=False)
    customer_notified = models.BooleanField(_("customer notified"), default=False)
    is_event = models.BooleanField(_("lifecycle event"), default=False)
    # A lifecycle event untranslated, to be read in each reader's language (shop.events).
    message = events.MessageField(_("event"))

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("order comment")
        verbose_name_plural = _("order comments")

    def __str__(self):
        return self.text[:60]

    @property
    def display_text(self):
        """The comment as its reader sees it: an event in the active language."""
        return events.read(self.message, self.text)


class FeedToken(models.Model):
    """Secret in the URL of a staff user's new-orders feed (feed readers cannot log in)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="order_feed_token"
    )
    token = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("feed token")
        verbose_name_plural = _("feed tokens")

    def __str__(self):
        return f"{self.user}"


class DownloadLink(models.Model):
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="download_links", verbose_name=_("order")
    )
    order_line = models.OneToOneField(
        OrderLine,
        on_delete=models.CASCADE,
        related_name="download_link",
        verbose_name=_("order line"),
    )
    token = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("valid until"))
    max_downloads = models.PositiveIntegerField(_("downloads allowed"))
    download_count = models.PositiveIntegerField(_("downloads"), default=0)
    last_download_at = models.DateTimeField(_("last download"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("download link")
        verbose_name_plural = _("download links")
        constraints = [
            models.CheckConstraint(
                condition=Q(download_count__lte=models.F("max_downloads")),
                name="download_count_within_limit",
            ),
        ]

    def __str__(self):
        return self.order_line.name

    def get_absolute_url(self):
        return reverse("orders:download", args=[self.token])

    @property
    def downloads_left(self):
        return max(0, self.max_downloads - self.download_count)

    def is_expired(self, now=None):
        return (now or timezone.now()) >= self.expires_at


class SalesReport(Invoice):
    """No table of its own: the backoffice entry of the accountant's reports (sales by day or
    month, VAT per rate, payment methods; DATEV bookings) and the permissions around them."""

    class Meta:
        proxy = True
        default_permissions = ()
        permissions = [
            ("view_sales_figures", _("Can see sales figures on the start page")),
            ("accounting_reports", _("Can see sales reports and export bookings")),
        ]
        verbose_name = _("sales report")
        verbose_name_plural = _("sales reports")


# The returns and withdrawals of orders live in their own module (``orders.aftersales``).
from .aftersales import Return, ReturnLine, Withdrawal  # noqa: E402, F401
