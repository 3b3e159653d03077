"""Checkout placement: one transaction that turns a cart into an order (SPEC S2)."""

import hashlib
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from customers import services as customer_services
from customers import vies
from customers.postcodes import normalise_postcode
from customers.vat import normalize_vat_id, validate_vat_id
from shop import events
from shop.exceptions import DomainError
from shop.filenames import download_filename
from shop.locales import country_name
from shop.mail import queue_email
from shop.models import PaymentMethod, Product, ShippingMethod, ShopSettings, country_list

from .. import extensions, limits, links, signals, vat
from ..errors import CheckoutError, FiguresChanged, OrderAlreadyPlaced
from ..models import ZERO, Order, OrderComment, OrderLine, discountable_total, money
from ..pdf import PAYMENT_TERM_DAYS
from . import withdrawals
from .lifecycle import authorize_card_payment, mark_paid

ADDRESS_FIELDS = ("first_name", "last_name", "company", "street", "postcode", "city", "country")
REQUIRED_ADDRESS_FIELDS = ("first_name", "last_name", "street", "postcode", "city")


@dataclass
class CheckoutData:
    email: str
    billing: dict
    shipping: dict | None = None  # None = same as billing
    shipping_method_id: int | None = None
    payment_method_id: int | None = None
    phone: str = ""
    voucher_code: str = ""
    giftcard_number: str = ""
    use_credit: bool = False
    partner_consent: bool = False
    review_request_consent: bool = False
    # The consent checkboxes' text as the customer read it (label and explanation, in their
    # language): kept with the order as the proof of a consent given.
    partner_consent_text: str = ""
    review_request_consent_text: str = ""
    # Downloads in the cart: the consent to their delivery before the withdrawal period ends,
    # with the acknowledgement that the right of withdrawal is then lost (§ 356 Abs. 5 BGB),
    # and its text as shown. Required for such a cart (:func:`_check_digital_consent`).
    digital_consent: bool = False
    digital_consent_text: str = ""
    customer_note: str = ""
    # A customer's order keeps these addresses in their address book (unless an equal one is
    # there): the billing address, and the separate delivery address if there is one.
    save_billing_address: bool = False
    save_shipping_address: bool = False
    # "Buying for a company": the company is billing_company; these go on the invoice.
    vat_id: str = ""
    buyer_reference: str = ""
    purchase_order_reference: str = ""
    language: str = ""  # empty: the shop's language (settings.LANGUAGE_CODE)
    # The checkout page's one-time token (``Order.checkout_token``); None: no page.
    checkout_token: uuid.UUID | None = None
    # What that page showed (:class:`ShownFigures`); None: no page, nothing to compare.
    shown: "ShownFigures | None" = None
    extra: dict = field(default_factory=dict)


@dataclass
class CheckoutQuote:
    """What an order would cost for a checkout input (:func:`quote_order`): the unsaved
    ``order`` with every total the placement would set, and the errors of the checkout steps
    that would make the placement refuse it."""

    order: Order
    lines: list
    errors: list = field(default_factory=list)
    # What gift card and account credit could pay at most (for the page's summary script).
    available: dict = field(default_factory=dict)
    # The gross goods value a free-shipping threshold is measured against (gift cards not
    # counted; under reverse charge the lines are net, the threshold stays gross).
    shipping_base: object = ZERO

    def shipping_cost(self, method):
        """What ``method`` would charge this order, as the placement would price it."""
        cost = method.cost_for(self.shipping_base)
        priced_net = self.order.reverse_charge or self.order.export_delivery
        return vat.net_of(cost, method.tax_rate) if priced_net else cost

    @property
    def amount_due(self):
        return self.order.amount_due


def _decimal(value):
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _inputs_digest(data):
    """A short digest of the entries on the checkout page that change the figures (codes,
    gift card, credit, VAT ID, countries): tells a total that changed with the customer's
    own entries from one the shop changed. Never the gift card number itself."""
    ship_to = data.shipping or data.billing
    parts = (
        (data.voucher_code or "").strip().upper(),
        (data.giftcard_number or "").replace(" ", ""),
        "1" if data.use_credit else "",
        normalize_vat_id(data.vat_id),
        data.billing.get("country") or "",
        ship_to.get("country") or "",
    )
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


@dataclass
class ShownFigures:
    """What the checkout page showed right before the order button (§ 312j(2) BGB): each
    line's quantity and unit price, goods, discount, shipping, total, gift card and credit —
    for the shipping method it was quoted for, and the cost it showed for each other method
    (the page's summary script recomputes the total from those, ``static/js/checkout.js``;
    :meth:`expected` does the same arithmetic).

    The page carries it (signed) to the placement, which refuses the order when what it
    would charge differs (:func:`place_order`): the customer then sees the new figures."""

    lines: dict  # {product id: [quantity, unit price]}
    goods_total: Decimal
    goods_discount: Decimal
    free_shipping: bool  # a free-shipping code: the page shows shipping as 0
    shipping_method: int | None  # the method the figures below were quoted for
    shipping: Decimal
    total: Decimal
    giftcard_total: Decimal
    credit_total: Decimal
    shipping_costs: dict  # {method id: the cost the page showed next to it}
    giftcard_available: Decimal
    credit_available: Decimal
    inputs: str  # _inputs_digest of the input the figures were quoted for
    export: bool = False  # quoted as an export delivery (the page showed the note on duties)

    MONEY = (
        "goods_total",
        "goods_discount",
        "shipping",
        "total",
        "giftcard_total",
        "credit_total",
        "giftcard_available",
        "credit_available",
    )

    @classmethod
    def from_quote(cls, quote, data, shipping_costs):
        """The figures the page renders for ``quote`` (:func:`quote_order` of ``data``);
        ``shipping_costs``: {method id: cost} as the page lists the methods."""
        order = quote.order
        free = bool(order.voucher_code) and order.shipping_discount > 0
        return cls(
            lines={str(line.product.pk): [line.quantity, line.unit_price] for line in quote.lines},
            goods_total=order.goods_total,
            goods_discount=order.discount_total - order.shipping_discount,
            free_shipping=free,
            # (the order's: one the placement picks for an order that ships nothing too)
            shipping_method=order.shipping_method_id,
            shipping=ZERO if free else order.shipping_total,
            total=order.grand_total,
            giftcard_total=order.giftcard_total,
            credit_total=order.credit_total,
            shipping_costs={str(pk): cost for pk, cost in shipping_costs.items()},
            giftcard_available=quote.available.get("giftcard_available", ZERO),
            credit_available=quote.available.get("credit_available", ZERO),
            inputs=_inputs_digest(data),
            export=order.export_delivery,
        )

    def to_dict(self):
        values = {name: str(getattr(self, name)) for name in self.MONEY}
        return {
            **values,
            "lines": {pk: [qty, str(price)] for pk, (qty, price) in self.lines.items()},
            "free_shipping": self.free_shipping,
            "shipping_method": self.shipping_method,
            "shipping_costs": {pk: str(cost) for pk, cost in self.shipping_costs.items()},
            "inputs": self.inputs,
            "export": self.export,
        }

    @classmethod
    def from_dict(cls, values):
        """None for anything that is not what :meth:`to_dict` wrote."""
        try:
            money_values = {name: _decimal(values[name]) for name in cls.MONEY}
            lines = {
                str(pk): [int(qty), _decimal(price)] for pk, (qty, price) in values["lines"].items()
            }
            costs = {str(pk): _decimal(cost) for pk, cost in values["shipping_costs"].items()}
            method = values["shipping_method"]
            shown = cls(
                **money_values,
                lines=lines,
                free_shipping=bool(values["free_shipping"]),
                shipping_method=int(method) if method is not None else None,
                shipping_costs=costs,
                inputs=str(values["inputs"]),
                export=bool(values.get("export", False)),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        decimals = [*money_values.values(), *costs.values(), *(p for _, p in lines.values())]
        return None if any(value is None for value in decimals) else shown

    def expected(self, shipping_method_id):
        """(shipping, total, gift card, credit) the page showed with ``shipping_method_id``
        chosen: the quoted figures, or the summary script's arithmetic for another method;
        None for a method the page did not list."""
        if shipping_method_id == self.shipping_method:
            return (self.shipping, self.total, self.giftcard_total, self.credit_total)
        cost = self.shipping_costs.get(str(shipping_method_id))
        if cost is None:
            return None
        if self.free_shipping:
            cost = ZERO
        total = max(ZERO, self.goods_total - self.goods_discount + cost)
        card = min(self.giftcard_available, total)
        credit = min(self.credit_available, total - card)
        return (cost, total, card, credit)


def _check_shown(order, lines, data):
    """Refuse the order when it would charge more than the checkout page showed
    (``data.shown``; § 312j(2) BGB: the total right before the order button): a higher
    total — a price, the shipping cost, a discount that no longer applies — or a higher
    amount due, because a gift card or the credit pays less than shown. Raised inside the
    placement's transaction: nothing is written, the page's one-time token stays unused, and
    the page is shown again with the new figures. Paying less than shown (a code or gift
    card typed in just before ordering, a lowered price) is no surprise to the customer and
    is placed — except a delivery that became an export with that submit: the page must
    first say that import duties of the destination country may apply."""
    shown = data.shown
    if shown is None:
        return
    changed_inputs = shown.inputs != _inputs_digest(data)
    # The goods themselves as the page listed them: products and quantities (a cart changed
    # in another tab is not what the customer confirmed, even when it costs less).
    same_goods = {str(line.product.pk): line.quantity for line in lines} == {
        pk: qty for pk, (qty, _price) in shown.lines.items()
    }
    # A delivery that became an export with this submit: the page has not said yet that
    # import duties may apply (an order the page already showed as an export has).
    became_export = order.export_delivery and not shown.export
    expected = shown.expected(order.shipping_method_id)
    if same_goods and expected is not None and not became_export:
        _shipping, total, card, credit = expected
        due = order.grand_total - order.giftcard_total - order.credit_total
        if order.grand_total <= total and due <= total - card - credit:
            return
    if not same_goods:
        raise FiguresChanged(
            _(
                "Your cart has changed since you opened this page. Please check the items "
                "and the total and place the order again."
            )
        )
    if changed_inputs:
        raise FiguresChanged(
            _(
                "Your entries change the total. Please check the new total and place the "
                "order again."
            )
        )
    raise FiguresChanged(
        _(
            "Prices in your cart have changed since you opened this page. Please check the "
            "new total and place the order again."
        )
    )


def place_order(items, data: CheckoutData, customer=None, products=None):
    """Create an order from ``items`` ({product id: quantity}) in one transaction.

    Prices come from the catalog, never from the request. ``products``: the products of
    ``items`` as the caller has just read them for sale (the checkout page's
    :func:`quote_lines`, a moment before): priced as read instead of read again, with the
    same checks (for sale, stock; the stock is taken by a conditional update all the same).
    Every limited resource the order consumes (stock, a single-use code, a gift-card
    balance, customer credit, the customer's open-amount headroom) is locked here, so
    concurrent checkouts cannot over-consume it.
    The apps above ``orders`` take part through checkout steps (``orders.extensions``).

    The input of a checkout page that has been placed already (``data.checkout_token``) is
    refused with ``OrderAlreadyPlaced``: its order row cannot be inserted twice, so a second
    submit — also one running at the same moment, which waits for the first at that insert
    — rolls back whole, gift card and credit included.
    """
    from shop import readiness  # a production shop with demo seller data takes no orders

    readiness.refuse_unless_open()
    try:
        return _place_order(items, data, customer, products)
    except (IntegrityError, DomainError):
        # The token's order, committed by the first submit: a unique violation at the insert,
        # or a resource the first submit used up meanwhile (a single-use code, the stock, a
        # gift card's balance) — either way this is that page's second submit.
        placed = _placed_from(data.checkout_token)
        if placed is None:
            raise
        raise OrderAlreadyPlaced(placed) from None


def _placed_from(token):
    if token is None:
        return None
    return Order.objects.filter(checkout_token=token).first()


def _place_order(items, data, customer, products=None):
    _check_request(items, data)
    # Asked before the transaction: VIES may take seconds to answer, and no row of stock,
    # code, gift card or customer may stay locked that long.
    vat_check = _check_vat_id(items, data)
    with transaction.atomic():
        customer = _ordering_customer(customer, data)
        # The lines keep the product names in the order's language (the customer's, what
        # the e-mails and documents are written in), whoever places the order.
        with translation.override(data.language or settings.LANGUAGE_CODE):
            lines = _priced_lines(items, products=products)
        _check_digital_consent(data, lines)
        shipping_method, payment_method = _chosen_methods(data, lines)
        order = _new_order(data, customer, lines, shipping_method, payment_method)
        shipping_base = discountable_total(lines)  # the catalog's prices, before VAT changes
        vat.apply_reverse_charge(order, lines, vies_check=vat_check)
        vat.apply_export(order, lines)
        if needs_shipping(lines):
            standard = least_expensive_delivery(order, shipping_base)
            if standard is not None:
                order.standard_shipping_method, order.standard_shipping_cost = standard
        priced = _apply_price_steps(order, lines, data, customer)
        _set_grand_total(order)
        _save(order, lines)
        _record_vat_check(order, lines, vat_check)
        for step, value in priced:
            step.record(value, order)
        _take_stored_value_payments(order, lines, data, customer)
        # Everything is priced now, under the locks of what it consumes.
        _check_shown(order, lines, data)
        # Stock rows last: the lock order cancellations and credit notes keep too
        # (``signals.order_releasing``), so the two never wait for each other.
        _reserve_stock(lines)
        # The open-amount rule with what the order leaves due once gift card and credit have
        # paid — the amount the checkout page offered the methods for (quote_order).
        limits.assert_payment_method_allowed(
            payment_method, customer, order.amount_due, placing=order, ships=needs_shipping(lines)
        )
        if order.amount_due <= 0:
            # Nothing left to pay — gift card and account credit paid it, or a discount made
            # it free: paid now, so that its downloads and gift cards go out like any paid
            # order's (an order a 100 % code made free stayed "Unpaid" for an operator to find)
            mark_paid(order)
        authorize_card_payment(order)
        _remember_addresses(order, data, customer, lines)
        signals.order_placed.send(sender=Order, order=order, lines=lines)
        # Written by the worker when it sends it (confirmation_email_context), not here:
        # the customer's checkout does not wait for the e-mail's two templates.
        queue_email(
            "order_confirmation",
            order.email,
            render_later={
                "builder": "orders.services.checkout.confirmation_email_context",
                "args": [order.pk],
            },
            language=order.language,
            attachments=[
                {
                    "filename": withdrawal_information_filename(order),
                    "mimetype": "application/pdf",
                    "generator": "orders.pdf.withdrawal_information_pdf_bytes",
                    "args": [order.pk],
                }
            ],
        )
    return order


def withdrawal_information_filename(order):
    """The confirmation's attachment named in the order's language like its other documents
    ("widerrufsbelehrung-100147.pdf", "informacja-o-odstapieniu-100147.pdf")."""
    with translation.override(order.language):
        return download_filename(_("withdrawal information"), order.number, extension="pdf")


# The order history's record of the VIES check (orders.OrderComment events).
VIES_CONFIRMED = gettext_noop(
    "VAT ID %(vat_id)s confirmed with VIES on %(date)s (consultation number %(number)s)."
)
VIES_CONFIRMED_WITHOUT_NUMBER = gettext_noop("VAT ID %(vat_id)s confirmed with VIES on %(date)s.")
VIES_FAILED = gettext_noop(
    "VAT ID %(vat_id)s could not be checked with VIES (%(error)s): the order was placed with VAT."
)
# … and what the customer reads in it, on the success page and in the confirmation.
VIES_UNCONFIRMED = gettext_noop(
    "Your VAT ID could not be confirmed with VIES at the time of the order, so VAT was "
    "charged. Contact us to have the invoice corrected once it can be confirmed."
)


def _check_vat_id(items, data):
    """The buyer's VAT ID asked of VIES (``customers.vies``) when it is what would take VAT
    off the order (reverse charge, :func:`orders.vat.reverse_charge_applies`): a
    ``customers.VatIdCheck`` — a confirmation of the last VIES_CACHE_HOURS is reused — or
    None (no ``VIES_URL``; no VAT ID; a consumer's or a domestic order: nothing asked).

    A VAT ID VIES says is not registered is refused on its field, before anything is
    written; one VIES cannot check now (unreachable, a member state's registry down) is
    placed with VAT — the safe side (:func:`_record_vat_check`)."""
    if not data.vat_id or not vies.enabled() or not vat.seller_invoices_tax_free():
        return None
    shop = ShopSettings.load()
    products = Product.objects.filter(pk__in=[int(pk) for pk in items], is_active=True)
    goods = any(p.needs_shipping for p in products.only("pk", "is_downloadable", "is_giftcard"))
    # The countries as _new_order takes them.
    ship_to = (data.shipping or data.billing) if goods else data.billing
    billing_country = (data.billing.get("country") or "").strip() or "DE"
    shipping_country = (ship_to.get("country") or "").strip() or "DE"
    vat_id = normalize_vat_id(data.vat_id)
    if not vat.reverse_charge_applies(
        vat_id, billing_country, shipping_country, shop.country, goods
    ):
        return None
    check = vies.check_vat_id(vat_id, requester=shop.vat_id)
    if check.not_registered:
        raise CheckoutError(
            _(
                "This VAT ID is not registered in the EU's VIES database; correct it, or "
                "remove it to buy with VAT."
            ),
            field="vat_id",
        )
    return check


def _record_vat_check(order, lines, check):
    """The VIES check in the order's history: a confirmation with its date and consultation
    number (the proof, also in ``customers.VatIdCheck``), or that it failed — then the
    customer reads there that VAT was charged and why."""
    if check is None:
        return
    values = {"vat_id": check.vat_id, "date": events.day(timezone.localdate(check.checked_at))}
    if check.confirmed:
        if check.request_identifier:
            parts = [events.part(VIES_CONFIRMED, **values, number=check.request_identifier)]
        else:
            parts = [events.part(VIES_CONFIRMED_WITHOUT_NUMBER, **values)]
        OrderComment.objects.create(
            order=order, text=events.text(parts), message=parts, is_event=True
        )
        return
    parts = [events.part(VIES_FAILED, vat_id=check.vat_id, error=check.error or "?")]
    comments = [OrderComment(order=order, text=events.text(parts), message=parts, is_event=True)]
    charged = any(line.tax_rate for line in lines) or (
        order.shipping_total and order.shipping_tax_rate
    )
    if charged and not order.reverse_charge:
        parts = [events.part(VIES_UNCONFIRMED)]
        comments.append(
            OrderComment(
                order=order,
                text=events.text(parts),
                message=parts,
                is_event=True,
                visible_to_customer=True,
            )
        )
    OrderComment.objects.bulk_create(comments)


def vies_unconfirmed(order):
    """Was VAT charged on ``order`` because VIES could not confirm the buyer's VAT ID at
    the time of the order (the success page and the confirmation say so)? No query for an
    order without VAT ID or under reverse charge, nor without ``VIES_URL``."""
    if not order.billing_vat_id or order.reverse_charge or order.pk is None:
        return False
    if not vies.enabled():
        return False
    return OrderComment.objects.filter(
        order_id=order.pk, is_event=True, message__0__0=VIES_UNCONFIRMED
    ).exists()


def confirmation_email_context(order_id):
    """The order confirmation's context for the order as stored (``queue_email``'s
    ``render_later``: the outbox writes the e-mail when it sends it)."""
    order = Order.objects.select_related("payment_method", "shipping_method").get(pk=order_id)
    return confirmation_context(order, list(order.lines.with_pictures()))


def confirmation_context(order, lines):
    """The order confirmation is the durable medium of the contract (§ 312f BGB): lines with
    prices and VAT, totals, payment instructions, addresses, the link to the order (account
    or signed guest status page), the withdrawal instructions and the model withdrawal form
    (the terms and the same texts are attached as a PDF)."""
    return {
        "order": order,
        "lines": lines,
        # Nothing to ship: no shipping line and no delivery address, these notes instead.
        "needs_shipping": needs_shipping(lines),
        "delivery_notes": delivery_notes(order, lines),
        "taxes": order.tax_breakdown(lines),
        "order_url": links.customer_order_url(order),
        "term_days": PAYMENT_TERM_DAYS,
        # the consent to their early delivery names them (``Order.digital_consent_at``)
        "download_names": [line.name for line in lines if line.is_downloadable],
        # VAT charged because VIES could not confirm the VAT ID: the e-mail says so.
        "vies_unconfirmed": vies_unconfirmed(order),
        **withdrawals.information(order),
    }


def quote_lines(items, pictures=True):
    """The lines :func:`quote_order` prices ``items`` with (products no longer for sale left
    out, with their pictures): for a caller that needs them before the quote — the checkout
    page asks for a shipping method and a delivery address only when they
    :func:`need shipping <needs_shipping>`. ``pictures=False``: without them (a page that is
    only shown if the order is not placed: its quote reads them then)."""
    return _priced_lines(items, strict=False, pictures=pictures)


def quote_order(items, data: CheckoutData, customer=None, lines=None):
    """What :func:`place_order` would charge for the same input, without locking or changing
    anything: the same lines, shipping and checkout steps (their ``preview``). The checkout
    page shows it and offers the payment methods for its ``amount_due``, the amount the
    placement checks the open-amount limit with.

    Unlike the placement it never refuses: products no longer for sale are left out, and a
    step that would refuse the order (an unknown code, a blocked card) contributes nothing and
    reports its error in ``errors``. ``lines``: :func:`quote_lines` of ``items``, if the
    caller has them already.
    """
    lines = quote_lines(items) if lines is None else lines
    shipping_method = _shipping_method(data, lines)
    order = _new_order(data, customer, lines, shipping_method, None)
    undeliverable = None
    try:
        check_delivery(data, lines, shipping_method)
    except CheckoutError as exc:
        undeliverable = exc
    shipping_base = discountable_total(lines)
    vat.apply_reverse_charge(order, lines)
    vat.apply_export(order, lines)
    quote = CheckoutQuote(order, lines, shipping_base=shipping_base)
    if undeliverable is not None:
        quote.errors.append(undeliverable)
    for step in extensions.checkout_steps():
        if step.price is not None:
            try:
                step.price(order, lines, data, customer, preview=True)
            except DomainError as exc:
                quote.errors.append(exc)
    _set_grand_total(order)
    for step in extensions.checkout_steps():
        if step.pay is None:
            continue
        try:
            taken = step.pay(order, lines, data, customer, preview=True) or {}
        except DomainError as exc:
            quote.errors.append(exc)
            continue
        for name, amount in taken.items():
            if name in extensions.PAYMENT_FIELDS:
                setattr(order, name, getattr(order, name) + amount)
            elif name in extensions.AVAILABLE_FIELDS:
                quote.available[name] = quote.available.get(name, ZERO) + amount
    return quote


def _ordering_customer(customer, data):
    """The customer row, locked for the placement; rejected customers are refused, also when
    they try as a guest under their e-mail address."""
    if customer is not None:
        return customer_services.lock_for_order(customer)
    customer_services.check_guest_may_order(data.email)
    return None


def _set_grand_total(order):
    order.grand_total = max(ZERO, order.goods_total + order.shipping_total - order.discount_total)


def _check_request(items, data):
    if not items:
        raise CheckoutError(_("Your cart is empty."))
    for key in REQUIRED_ADDRESS_FIELDS:
        if not (data.billing.get(key) or "").strip():
            raise CheckoutError(_("The billing address is incomplete."), field=f"billing_{key}")
    # The postcode rule of the forms holds for every caller of the service (commands, jobs,
    # the demo): an order is never placed with "ABC" as a German postcode.
    for prefix, address in (("billing", data.billing), ("shipping", data.shipping)):
        if address and (address.get("postcode") or "").strip():
            try:
                address["postcode"] = normalise_postcode(
                    address["postcode"], address.get("country") or "DE"
                )
            except ValidationError as exc:
                raise CheckoutError(exc.messages[0], field=f"{prefix}_postcode") from None
    if data.vat_id:
        try:
            validate_vat_id(data.vat_id)
        except ValidationError as exc:
            raise CheckoutError(exc.messages[0], field="vat_id") from None
        if not (data.billing.get("company") or "").strip():
            raise CheckoutError(
                _("Enter the company the VAT ID belongs to."), field="billing_company"
            )


def _priced_lines(items, strict=True, pictures=False, products=None):
    """Unsaved order lines at today's catalog prices; refuses what cannot be sold (``strict``)
    or leaves it out (the checkout page's quote). ``pictures``: with each product's main
    picture (the page shows it; the placement does not need it, and its subquery costs about
    as much as the rest of the product query). ``products``: the active products of
    ``items`` (and maybe others) as read a moment ago by :func:`quote_lines`, not read
    again."""
    wanted = {int(pk) for pk in items}
    if products is None:
        products = Product.objects.with_main_image() if pictures else Product.objects.all()
        products = products.filter(pk__in=wanted, is_active=True)
    products = {p.pk: p for p in products if p.pk in wanted and p.is_active}
    if strict and len(products) != len(items):
        raise CheckoutError(_("A product in your cart is no longer available."))
    lines = []
    for pk, quantity in items.items():
        product, quantity = products.get(int(pk)), int(quantity)
        if product is None or (not strict and quantity < 1):
            continue
        if quantity < 1:
            raise CheckoutError(_("Invalid quantity."))
        if (
            strict
            and product.stock is not None
            and product.stock < quantity
            and not product.allow_backorders
        ):
            raise CheckoutError(
                _("Only %(stock)s × %(name)s left in stock.")
                % {"stock": max(product.stock, 0), "name": product.name}
            )
        # The price that applies now: the sale price while a sale runs.
        price = product.current_price()
        lines.append(
            OrderLine(
                product=product,
                name=product.name,
                sku=product.sku,
                quantity=quantity,
                unit_price=price,
                tax_rate=product.tax_rate,
                line_total=money(price * quantity),
                is_downloadable=product.is_downloadable,
                is_giftcard=product.is_giftcard,
            )
        )
    return lines


def needs_shipping(lines):
    """Does anything of ``lines`` (order lines or products) go out as a parcel? An order of
    gift cards (e-mailed) and downloads alone ships nothing: it is charged no shipping
    (:func:`_new_order`), the customer chooses no shipping method and enters no delivery
    address, and its pages, e-mails and documents say nothing about shipping — they say how
    it is delivered instead (:func:`delivery_notes`)."""
    return any(line.needs_shipping for line in lines)


def default_shipping_method():
    """The shipping method an order that ships nothing records (``Order.shipping_method`` is
    required), without asking the customer: the cheapest active one. It charges nothing."""
    rows = ShippingMethod.active_rows()
    return min(rows, key=lambda m: (m.price, m.position, m.pk), default=None)


def least_expensive_delivery(order, shipping_base):
    """(method, cost): the least expensive delivery the checkout offers ``order`` — of the
    active methods that deliver to its destination, the one that would cost it least as the
    checkout prices it (``CheckoutQuote.shipping_cost``: the free-shipping threshold against
    ``shipping_base``, the gross goods value without gift cards; net under reverse charge or
    for an export delivery) — or None. Kept on the order at placement: what a withdrawal
    refunds of the delivery costs at most when a dearer one was chosen
    (``orders.services.refunds.standard_delivery``)."""
    priced_net = order.reverse_charge or order.export_delivery

    def cost(method):
        gross = method.cost_for(shipping_base)
        return vat.net_of(gross, method.tax_rate) if priced_net else gross

    rows = [m for m in ShippingMethod.active_rows() if m.delivers_to(order.shipping_country)]
    best = min(rows, key=lambda m: (cost(m), m.position, m.pk), default=None)
    return None if best is None else (best, cost(best))


def _shipping_method(data, lines):
    """The chosen shipping method (an active one, else None) — or, for ``lines`` that ship
    nothing, :func:`default_shipping_method`, whatever the input names."""
    # The rows of the storefront version read in this transaction (shop.pagecache.kept).
    if not needs_shipping(lines):
        return default_shipping_method()
    return ShippingMethod.active_row(data.shipping_method_id)


def delivery_notes(order, lines):
    """What the confirmation, the order pages and the checkout say instead of a shipping
    line and a delivery address for an order that ships nothing: how its gift cards and
    downloads reach the customer (the e-mails ``giftcard_issued`` and ``order_downloads``,
    sent once it is paid). [] for an order with goods to ship, and for a canceled or closed
    one."""
    if needs_shipping(lines) or order.status in (Order.Status.CANCELED, Order.Status.CLOSED):
        return []
    cards = sum(line.quantity for line in lines if line.is_giftcard)
    downloads = sum(1 for line in lines if line.is_downloadable)
    notes = []
    if order.collected:  # paid: the e-mails have gone out with the payment
        if cards:
            notes.append(
                ngettext(
                    "We have sent you the gift card number in a separate e-mail.",
                    "We have sent you the gift card numbers in a separate e-mail.",
                    cards,
                )
            )
        if downloads:
            notes.append(
                ngettext(
                    "We have sent you the download link in a separate e-mail.",
                    "We have sent you the download links in a separate e-mail.",
                    downloads,
                )
            )
        return notes
    if cards:
        notes.append(
            ngettext(
                "We will e-mail you the gift card number as soon as the order is paid.",
                "We will e-mail you the gift card numbers as soon as the order is paid.",
                cards,
            )
        )
    if downloads:
        notes.append(
            ngettext(
                "We will e-mail you the download link as soon as the order is paid.",
                "We will e-mail you the download links as soon as the order is paid.",
                downloads,
            )
        )
    return notes


def delivery_refusal(country, shipping_method, prefix="billing"):
    """Why goods cannot go to ``country`` by ``shipping_method`` (None: none chosen yet) —
    a :class:`CheckoutError` on the field to change — or None. Goods go only to a country
    some active shipping method delivers to, and only by a method that delivers there
    (``ShippingMethod.countries``): a parcel priced for Germany is never sent to Switzerland
    at that price. ``prefix``: the address the country is of (the billing address when the
    goods go there). The one rule of the checkout form and the placement."""
    country = (country or "").strip().upper() or "DE"
    served = ShippingMethod.served_countries()
    if country not in served:
        return CheckoutError(
            _("We deliver only to %(countries)s.") % {"countries": country_list(served)},
            field=f"{prefix}_country",
        )
    if shipping_method is not None and not shipping_method.delivers_to(country):
        return CheckoutError(
            _("%(method)s does not deliver to %(country)s. Please choose another shipping method.")
            % {"method": shipping_method.name, "country": country_name(country)},
            field="shipping_method",
        )
    return None


def check_delivery(data, lines, shipping_method):
    """Raises :func:`delivery_refusal` for the order's delivery address (the separate one,
    else the billing address), if ``lines`` ship anything."""
    if not needs_shipping(lines):
        return
    prefix = "shipping" if data.shipping else "billing"
    refusal = delivery_refusal(
        (data.shipping or data.billing).get("country"), shipping_method, prefix
    )
    if refusal is not None:
        raise refusal


def _chosen_methods(data, lines):
    shipping_method = _shipping_method(data, lines)
    # (a country no method serves first: no method could be chosen there)
    check_delivery(data, lines, shipping_method)
    if shipping_method is None:
        raise CheckoutError(_("Please choose a shipping method."), field="shipping_method")
    payment_method = PaymentMethod.active_row(data.payment_method_id)
    if payment_method is None:
        raise CheckoutError(_("Please choose a payment method."), field="payment_method")
    return shipping_method, payment_method


def _consents(data, lines):
    """The consents given at checkout with their proof: the time and the text shown. The
    consent to the early delivery of downloads is kept only for an order that has some."""
    now = timezone.now()
    values = {}
    for name in ("partner_consent", "review_request_consent"):
        given = bool(getattr(data, name))
        values[name] = given
        values[f"{name}_at"] = now if given else None
        values[f"{name}_text"] = getattr(data, f"{name}_text") if given else ""
    digital = data.digital_consent and has_downloads(lines)
    values["digital_consent_at"] = now if digital else None
    if digital and not data.digital_consent_text.strip():
        with translation.override(data.language or settings.LANGUAGE_CODE):
            values["digital_consent_text"] = str(DIGITAL_CONSENT_LABEL)
    else:
        values["digital_consent_text"] = data.digital_consent_text.strip() if digital else ""
    return values


def has_downloads(lines):
    """Does anything of ``lines`` (order lines or products) reach the customer as a download?"""
    return any(line.is_downloadable for line in lines)


# The checkbox's text (``orders.forms.CheckoutForm.digital_consent``), also kept as the proof
# when a caller without a checkout page (the demo data, a command) gives the consent: in the
# order's language, as the page would have shown it.
DIGITAL_CONSENT_LABEL = gettext_lazy(
    "I want the downloads at once: I expressly agree that you begin delivering them before "
    "the withdrawal period ends, and I know that I thereby lose my right of withdrawal for "
    "them as soon as the delivery begins."
)


def _check_digital_consent(data, lines):
    """Downloads are delivered at once (the links go out when the order is paid): the order
    needs the customer's express consent to that, with the acknowledgement that the right of
    withdrawal is lost when the delivery begins (§ 356 Abs. 5 BGB, Art. 16(m) Directive
    2011/83/EU). Without it the download's right would stand after it was downloaded."""
    if has_downloads(lines) and not data.digital_consent:
        raise CheckoutError(
            _(
                "Please agree that the delivery of the downloads begins at once, and confirm "
                "that you know you then lose your right of withdrawal for them."
            ),
            field="digital_consent",
        )


def _new_order(data, customer, lines, shipping_method, payment_method):
    """The unsaved order with goods and shipping totals (no discount yet). Gift cards count
    towards neither a free-shipping threshold nor a discount: they are a means of payment."""
    goods_total = sum((line.line_total for line in lines), ZERO)
    ships = needs_shipping(lines)
    # An order that ships nothing has no delivery address of its own: the billing address
    # stands in for it (its VAT does not depend on it: orders.vat, ``goods``).
    ship_to = (data.shipping or data.billing) if ships else data.billing
    methods = {"shipping_method": shipping_method, "payment_method": payment_method}
    order = Order(
        customer=customer,
        email=(data.email or "").strip().lower(),
        phone=data.phone,
        language=data.language or settings.LANGUAGE_CODE,
        **{name: method for name, method in methods.items() if method is not None},
        currency=settings.SHOP_CURRENCY,
        goods_total=goods_total,
        shipping_total=(
            shipping_method.cost_for(discountable_total(lines))
            if ships and shipping_method is not None
            else ZERO
        ),
        **(
            {"shipping_tax_rate": shipping_tax_rate(lines, shipping_method)}
            if shipping_method
            else {}
        ),
        billing_vat_id=normalize_vat_id(data.vat_id),
        buyer_reference=(data.buyer_reference or "").strip(),
        purchase_order_reference=(data.purchase_order_reference or "").strip(),
        voucher_code="",
        **_consents(data, lines),
        customer_note=data.customer_note,
        checkout_token=data.checkout_token,
        **{f"billing_{k}": (data.billing.get(k) or "").strip() for k in ADDRESS_FIELDS},
        **{f"shipping_{k}": (ship_to.get(k) or "").strip() for k in ADDRESS_FIELDS},
    )
    order.billing_country = order.billing_country or "DE"
    order.shipping_country = order.shipping_country or "DE"
    return order


def shipping_tax_rate(lines, shipping_method):
    """The VAT rate of the delivery: it is ancillary to the goods it delivers and shares
    their rate (EU VAT Directive, CJEU C-349/96 Card Protection Plan; in Germany UStAE
    3.10 Abs. 6 Nr. 11) — a parcel of books and food at 7 % is charged 7 % on its shipping,
    not the 19 % that would put VAT on the invoice the shop then owes (§ 14c UStG). When the
    parcel's goods have several rates, the shipping method's own rate (its setting in the
    backoffice; the shipping cost is not split between the rates)."""
    rates = {line.tax_rate for line in lines if line.needs_shipping}
    if len(rates) == 1:
        return rates.pop()
    return shipping_method.tax_rate


def _remember_addresses(order, data, customer, lines):
    """The addresses as the order keeps them (trimmed, the postcode in its country's form)
    go into the customer's address book, in the placement's transaction (a delivery address
    only for an order that ships something)."""
    if customer is None:
        return
    wanted = [("billing", data.save_billing_address, order.phone)]
    if data.shipping is not None and needs_shipping(lines):
        wanted.append(("shipping", data.save_shipping_address, ""))
    for prefix, save, phone in wanted:
        if save:
            values = {k: getattr(order, f"{prefix}_{k}") for k in ADDRESS_FIELDS}
            customer_services.remember_address(customer, values, phone=phone)


def _apply_price_steps(order, lines, data, customer):
    """Discounts of the checkout steps; returns [(step, value for its ``record``)]."""
    priced = []
    for step in extensions.checkout_steps():
        if step.price is None:
            continue
        value = step.price(order, lines, data, customer)
        if value is not None and step.record is not None:
            priced.append((step, value))
    return priced


def _save(order, lines):
    order.save()  # PostgreSQL gives the number (orders.models.OrderNumberField)
    if order.number is None:
        order.number = str(100000 + order.pk)
        Order.objects.filter(pk=order.pk).update(number=order.number)
    for line in lines:
        line.order = order
    OrderLine.objects.bulk_create(lines)


def _reserve_stock(lines):
    # Conditional decrement instead of a row lock: buyers of one product don't queue. A
    # product that allows backorders goes below zero (the pieces owed to customers).
    for line in sorted(lines, key=lambda li: li.product.pk):
        if line.product.stock is not None:
            enough = Q(stock__gte=line.quantity) | Q(allow_backorders=True)
            updated = Product.objects.filter(enough, pk=line.product.pk).update(
                stock=F("stock") - line.quantity
            )
            if not updated:
                raise CheckoutError(_("%(name)s has just sold out.") % {"name": line.product.name})


def _take_stored_value_payments(order, lines, data, customer):
    """Gift card and account credit (checkout steps with ``pay``); returns whether they paid
    anything (the placement then decides whether the order is paid in full)."""
    changed = set()
    for step in extensions.checkout_steps():
        if step.pay is None:
            continue
        taken = step.pay(order, lines, data, customer) or {}
        for name, amount in taken.items():
            if name not in extensions.PAYMENT_FIELDS:
                raise ValueError(f"checkout step {step.name} cannot pay into {name}")
            if amount:
                setattr(order, name, getattr(order, name) + amount)
                changed.add(name)
    if changed:
        order.save(update_fields=sorted(changed))
    return bool(changed)
