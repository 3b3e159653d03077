"""VAT of orders and their documents: when an order is a reverse-charge supply, which EN 16931
VAT category each line has, and the net figures every invoice and credit note prints and
carries in its e-invoice XML (``orders.einvoice``).

Prices in this shop are gross (VAT included). EN 16931 speaks net: net line amounts, document
level allowances (discounts) and charges (shipping) with their VAT category, and per category
and rate a taxable amount and a VAT amount, all consistent to the cent (rules BR-CO-10 … 16,
BR-S-08). :func:`document_figures` derives them from a document's frozen snapshot:

- the net of every line, discount share and shipping charge is ``round(gross / (1 + rate))``;
- per category and rate, the taxable amount is the sum of those nets (lines − allowances +
  charges) and the VAT is the gross paid at that rate minus the taxable amount, so net + VAT
  is exactly the gross the customer paid, and the VAT is within a cent or two of
  ``taxable × rate`` (the receivers' rule BR-S-09 allows ±1).

The same figures are stored as the invoice's tax rows when it is created, so the PDF, the XML
and the bookings (``Invoice.tax_rows``) agree to the cent; before that, :func:`order_figures`
computes them for the order pages and the confirmation e-mail (``Order.tax_breakdown``).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from customers import vies
from customers.vat import in_eu, is_valid_vat_id, vat_id_country
from shop.models import ShopSettings
from shop.money import ZERO, money

# EN 16931 VAT category codes (UNTDID 5305) the shop uses.
STANDARD = "S"  # taxed at the product's rate
ZERO_RATED = "Z"  # a product sold at 0 %
EXEMPT = "E"  # gift cards: multi-purpose vouchers are taxed when redeemed, not when sold
INTRA_COMMUNITY = "K"  # goods (and their shipping) to a business in another EU country
REVERSE_CHARGE = "AE"  # services (downloads) to a business in another EU country
EXPORT = "G"  # goods (and their shipping) delivered to a country outside the EU

UNIT_PIECE = "H87"  # UN/ECE Rec. 20: piece — goods
UNIT_ONE = "C62"  # UN/ECE Rec. 20: one — downloads, gift cards

HUNDRED = Decimal(100)
PRICE_PLACES = Decimal("0.0001")


def exemption(category):
    """(VATEX code, text printed on the document) of a 0 % category, or (None, "")."""
    if category == INTRA_COMMUNITY:
        return (
            "VATEX-EU-IC",
            _(
                "Tax-exempt intra-community supply (Art. 138 VAT Directive); "
                "the recipient accounts for the VAT."
            ),
        )
    if category == REVERSE_CHARGE:
        return (
            "VATEX-EU-AE",
            _("Reverse charge: the recipient is liable for the VAT (Art. 196 VAT Directive)."),
        )
    if category == EXPORT:
        return ("VATEX-EU-G", _("Tax-exempt export delivery (Art. 146 VAT Directive)."))
    if category == EXEMPT:
        return (
            None,
            _("Multi-purpose voucher: VAT is due when it is redeemed (Art. 30b VAT Directive)."),
        )
    return None, ""


def line_category(
    rate, is_giftcard=False, is_downloadable=False, reverse_charge=False, export=False
):
    if rate > 0:
        return STANDARD
    if is_giftcard:
        return EXEMPT
    if export and not is_downloadable:
        # the goods of an export delivery (its downloads: reverse charge or taxed as before)
        return EXPORT
    if reverse_charge:
        return REVERSE_CHARGE if is_downloadable else INTRA_COMMUNITY
    return ZERO_RATED


def shipping_category(rate, reverse_charge=False, export=False):
    if rate > 0:
        return STANDARD
    if export:
        return EXPORT
    return INTRA_COMMUNITY if reverse_charge else ZERO_RATED


# --------------------------------------------------------------------------------- placement


def reverse_charge_applies(vat_id, billing_country, shipping_country, seller_country, goods):
    """Is a business purchase an intra-community supply without VAT?

    Yes when the buyer's VAT ID is valid and issued by another EU member state than the
    seller's, the billing address is in that state, and goods (``goods``: the order ships
    something) leave the seller's country. A company ordering to an address in the seller's
    own country pays VAT like everyone else.
    """
    if not vat_id or not is_valid_vat_id(vat_id):
        return False
    country = vat_id_country(vat_id)
    if country == seller_country or country != billing_country:
        return False
    return not goods or shipping_country != seller_country


# ``apply_reverse_charge``'s default: a confirmation VIES gave within VIES_CACHE_HOURS.
CACHED = object()


def apply_reverse_charge(order, lines, seller_country=None, vies_check=CACHED):
    """At placement, before any discount: price a reverse-charge order net (``net_of`` the
    catalog's gross prices, rate 0) and mark it. Returns whether it applies.

    ``seller_country`` defaults to the shop settings' country, read only for a buyer with a
    VAT ID (no query on a consumer's checkout).

    With ``VIES_URL`` set, the VAT ID must also be confirmed by VIES (``vies_check``: the
    ``customers.VatIdCheck`` the placement made before its transaction; by default a
    confirmation of the last VIES_CACHE_HOURS, without asking — the checkout page's quote).
    Unconfirmed, the order is taxed: the safe side, the shop would owe the VAT otherwise."""
    if not order.billing_vat_id or not seller_invoices_tax_free():
        return False
    if seller_country is None:
        seller_country = ShopSettings.load().country
    goods = any(line.needs_shipping for line in lines)
    if not reverse_charge_applies(
        order.billing_vat_id, order.billing_country, order.shipping_country, seller_country, goods
    ):
        return False
    if vies.enabled():
        if vies_check is CACHED:
            vies_check = vies.cached_confirmation(order.billing_vat_id)
        if vies_check is None or not vies_check.confirmed:
            return False
    _price_net(order, lines, lines)
    order.reverse_charge = True
    return True


def _price_net(order, priced, lines):
    """The ``priced`` lines and the shipping of ``order`` at their net price and rate 0 (the
    catalog's prices are gross); the goods total of all its ``lines`` again."""
    for line in priced:
        # what the catalog charged for it (unsaved lines only): a campaign's minimum order
        # value is a gross figure, as the cart showed it (orders.models.catalog_goods_total)
        line.catalog_total = line.line_total
        if line.tax_rate:
            line.unit_price = net_of(line.unit_price, line.tax_rate)
            line.tax_rate = ZERO
            line.line_total = money(line.unit_price * line.quantity)
    order.goods_total = sum((line.line_total for line in lines), ZERO)
    order.shipping_total = net_of(order.shipping_total, order.shipping_tax_rate)
    order.shipping_tax_rate = ZERO


def seller_invoices_tax_free():
    """Can the seller invoice a supply without VAT — an intra-community supply under reverse
    charge, an export? Only with a VAT ID of its own: the invoice of an intra-community
    supply names the seller's VAT ID beside the buyer's (§ 14a (1) UStG, Art. 226 (4) VAT
    Directive), and EN 16931 wants it on every invoice with a reverse-charge or export line
    (BR-IC-02, BR-G-02). A seller with only a tax number (ShopSettings.vat_id empty) charges
    VAT on them: the safe side, the invoice is never one it could not issue."""
    return bool(ShopSettings.load().vat_id)


def export_applies(shipping_country, goods):
    """Is the order an export delivery without VAT (§ 4 Nr. 1a / § 6 UStG, Art. 146 VAT
    Directive)? Yes when it ships goods (``goods``) to a country outside the EU, unless the
    operator turned it off (``EXPORT_VAT_EXEMPT``: the exemption rests on the proof of export,
    which is the seller's duty) or the seller has no VAT ID (:func:`seller_invoices_tax_free`).
    Whoever the buyer is: consumer or company."""
    return (
        bool(goods)
        and settings.EXPORT_VAT_EXEMPT
        and not in_eu(shipping_country)
        and seller_invoices_tax_free()
    )


def apply_export(order, lines):
    """At placement, after :func:`apply_reverse_charge` and before any discount: price the
    goods of an export delivery and its shipping net (``net_of`` the catalog's gross prices,
    rate 0) and mark the order. Returns whether it applies.

    Gift cards (exempt anyway) and downloads keep their price and rate: a download is a
    service whose place of supply is the buyer's, not where the parcel goes — a consumer's
    stays taxed, a company's in the EU stays reverse charge. Goods leaving the EU are no
    intra-community supply: an order of a company in another member state without downloads
    is an export only."""
    goods = [line for line in lines if line.needs_shipping]
    if not export_applies(order.shipping_country, goods):
        return False
    _price_net(order, goods, lines)
    order.export_delivery = True
    if order.reverse_charge and not any(line.is_downloadable for line in lines):
        order.reverse_charge = False
    return True


def net_of(gross, rate):
    return money(Decimal(gross) * HUNDRED / (HUNDRED + Decimal(rate)))


def net_price(gross, rate):
    """A net unit price with up to four decimals (EN 16931 allows more than two)."""
    price = (Decimal(gross) * HUNDRED / (HUNDRED + Decimal(rate))).quantize(
        PRICE_PLACES, rounding=ROUND_HALF_UP
    )
    return price if price != price.quantize(Decimal("0.01")) else price.quantize(Decimal("0.01"))


def line_snapshot(line, reverse_charge=False, export=False):
    """An order line as an invoice keeps it (``Invoice.lines``)."""
    return {
        "name": line.name,
        "sku": line.sku,
        "quantity": line.quantity,
        "unit_price": str(line.unit_price),
        "tax_rate": str(line.tax_rate),
        "line_total": str(line.line_total),
        "category": line_category(
            line.tax_rate, line.is_giftcard, line.is_downloadable, reverse_charge, export
        ),
        "unit_code": UNIT_ONE if line.is_giftcard or line.is_downloadable else UNIT_PIECE,
        "is_giftcard": line.is_giftcard,
        "is_downloadable": line.is_downloadable,
    }


# ------------------------------------------------------------------------ an order's VAT


def discounted_gross_by_rate(order, lines):
    """The gross paid per VAT rate after the goods discount (spread over the rates of the
    discounted goods — never gift cards, only the code's scope — by gross share) and with the
    shipping actually charged: the rate-level seed that fixes each rate's discount share in
    :func:`document_figures` (``[{"rate", "gross"}]``)."""
    gross_by_rate = defaultdict(lambda: ZERO)
    discountable_by_rate = defaultdict(lambda: ZERO)
    for line in lines:
        gross_by_rate[line.tax_rate] += line.line_total
        if line.shares_discount:
            discountable_by_rate[line.tax_rate] += line.line_total
    goods = sum(discountable_by_rate.values(), ZERO)
    shipping_discount = order.shipping_discount
    goods_discount = order.discount_total - shipping_discount
    if goods_discount and goods:
        remaining = goods_discount
        rates = sorted(discountable_by_rate)
        for i, rate in enumerate(rates):
            share = (
                remaining
                if i == len(rates) - 1
                else money(goods_discount * discountable_by_rate[rate] / goods)
            )
            gross_by_rate[rate] -= share
            remaining -= share
    shipping = order.shipping_total - shipping_discount
    if shipping:
        gross_by_rate[order.shipping_tax_rate] += shipping
    return [{"rate": rate, "gross": gross} for rate, gross in sorted(gross_by_rate.items())]


def order_figures(order, lines=None):
    """The EN 16931 figures of an order as its invoice states (or will state) them: the one
    computation behind the order pages, the confirmation e-mail and the invoice's stored
    VAT rows (``orders.services.lifecycle.create_invoice``)."""
    from .einvoice import order_snapshot

    lines = list(order.lines.all()) if lines is None else lines
    return document_figures(order_snapshot(order, lines), match_stored=False)


UNKNOWN = object()


def order_vat_rows(order, lines=None, invoice=UNKNOWN):
    """An order's VAT rows, per EN 16931 category and rate (``{"rate", "category", "net",
    "tax", "gross"}``, decimals, the invoice's order): once invoiced the invoice's stored
    rows — what was issued, even if the order changed since — else what its invoice will
    store. Invoices issued before e-invoicing have rows per rate only (no category).
    ``invoice``: the order's invoice (or None) where the caller knows it, saving the query
    (the success page right after placement)."""
    from .models import typed_tax_rows

    if invoice is UNKNOWN:
        invoice = order.invoice
    if invoice is not None:
        return typed_tax_rows(invoice.tax_rows)
    return [row.typed() for row in order_figures(order, lines).vat_rows]


def category_label(category):
    """The readable name of an EN 16931 VAT category (reports, order pages)."""
    return {
        STANDARD: _("Taxable sales"),
        ZERO_RATED: _("Zero-rated sales"),
        EXEMPT: _("Gift cards sold (liability, not revenue)"),
        INTRA_COMMUNITY: _("Intra-community supplies (tax-exempt)"),
        REVERSE_CHARGE: _("Reverse-charge services"),
        EXPORT: _("Export deliveries (tax-exempt)"),
    }.get(category, category or "")


# ------------------------------------------------------------------------ document figures


@dataclass
class Line:
    position: int
    name: str
    sku: str
    quantity: int
    unit_code: str
    rate: Decimal
    category: str
    gross_unit: Decimal  # as charged (gross; net under reverse charge)
    net_unit: Decimal
    gross: Decimal
    net: Decimal
    # the net unit price as printed: with as many decimals as the document's most precise
    # one (two to four), so the column has one precision (see ``_align_unit_prices``)
    unit_shown: Decimal | None = None


@dataclass
class Adjustment:
    """A document-level allowance (discount) or charge (shipping) of one category and rate."""

    reason: str
    rate: Decimal
    category: str
    gross: Decimal
    net: Decimal


@dataclass
class VatRow:
    category: str
    rate: Decimal
    basis: Decimal
    tax: Decimal
    gross: Decimal
    exemption_code: str | None = None
    exemption_text: str = ""

    def typed(self):
        return {
            "rate": self.rate,
            "category": self.category,
            "net": self.basis,
            "tax": self.tax,
            "gross": self.gross,
        }

    def stored(self):
        return {key: str(value) for key, value in self.typed().items()}


@dataclass
class Figures:
    lines: list
    allowances: list
    charges: list
    vat_rows: list
    grand_total: Decimal
    giftcard_total: Decimal = ZERO
    credit_total: Decimal = ZERO
    paid_total: Decimal = ZERO
    reverse_charge: bool = False
    export_delivery: bool = False
    notes: list = field(default_factory=list)

    @property
    def priced_net(self):
        """No VAT on the goods: gross and net are the same (reverse charge, export)."""
        return self.reverse_charge or self.export_delivery

    @property
    def line_total(self):
        return sum((line.net for line in self.lines), ZERO)

    @property
    def allowance_total(self):
        return sum((a.net for a in self.allowances), ZERO)

    @property
    def charge_total(self):
        return sum((c.net for c in self.charges), ZERO)

    @property
    def tax_basis_total(self):
        return self.line_total - self.allowance_total + self.charge_total

    @property
    def tax_total(self):
        return sum((row.tax for row in self.vat_rows), ZERO)

    @property
    def prepaid_total(self):
        return self.giftcard_total + self.credit_total + self.paid_total

    @property
    def due_total(self):
        return self.grand_total - self.prepaid_total

    @property
    def exemptions(self):
        return [row for row in self.vat_rows if row.exemption_text]


def _dec(value, default=ZERO):
    return default if value in (None, "") else Decimal(str(value))


def document_figures(doc, match_stored=True):
    """The EN 16931 figures of a document snapshot (see :class:`orders.einvoice.Snapshot`:
    ``lines``, ``tax_rows``, shipping, discount and payment amounts). ``match_stored``: keep
    the nets an invoice issued before e-invoicing booked (see ``_match_stored_nets``)."""
    reverse_charge = bool(doc.reverse_charge)
    export = bool(getattr(doc, "export_delivery", False))
    lines = []
    for position, raw in enumerate(doc.lines, start=1):
        rate = _dec(raw["tax_rate"])
        is_giftcard = bool(raw.get("is_giftcard"))
        is_downloadable = bool(raw.get("is_downloadable"))
        category = raw.get("category") or line_category(
            rate, is_giftcard, is_downloadable, reverse_charge, export
        )
        gross_unit = _dec(raw["unit_price"])
        gross = _dec(raw["line_total"])
        lines.append(
            Line(
                position=position,
                name=raw["name"],
                sku=raw.get("sku", ""),
                quantity=int(raw["quantity"]),
                unit_code=raw.get("unit_code")
                or (UNIT_ONE if is_giftcard or is_downloadable else UNIT_PIECE),
                rate=rate,
                category=category,
                gross_unit=gross_unit,
                net_unit=net_price(gross_unit, rate),
                gross=gross,
                net=net_of(gross, rate),
            )
        )
    charges, allowances = [], []
    shipping_rate = _dec(doc.shipping_tax_rate)
    shipping_cat = shipping_category(shipping_rate, reverse_charge, export)
    if doc.shipping_total:
        reason = _("Shipping") + (
            f": {doc.shipping_method_name}" if doc.shipping_method_name else ""
        )
        charges.append(
            Adjustment(
                reason,
                shipping_rate,
                shipping_cat,
                doc.shipping_total,
                net_of(doc.shipping_total, shipping_rate),
            )
        )
    code = f" ({_('code')} {doc.voucher_code})" if doc.voucher_code else ""
    if doc.shipping_discount:
        allowances.append(
            Adjustment(
                _("Free shipping") + code,
                shipping_rate,
                shipping_cat,
                doc.shipping_discount,
                net_of(doc.shipping_discount, shipping_rate),
            )
        )
    discounts, adjustments = _goods_discounts(doc, lines, shipping_rate)
    for (category, rate), gross in discounts.items():
        allowances.append(
            Adjustment(_("Discount") + code, rate, category, gross, net_of(gross, rate))
        )
    reason = getattr(doc, "adjustment_text", "") or _("Adjustment")
    for (category, rate), gross in adjustments.items():
        # above zero an extra credit (a charge of the credit note), below a deduction
        target = charges if gross > 0 else allowances
        target.append(Adjustment(reason, rate, category, abs(gross), net_of(abs(gross), rate)))
    if not lines and charges:
        # EN 16931 wants at least one line (BG-25): a credit note of shipping or of an extra
        # credit alone carries what it credits as its lines, at the same rates and amounts.
        lines = [
            Line(
                position=position,
                name=charge.reason,
                sku="",
                quantity=1,
                unit_code=UNIT_ONE,
                rate=charge.rate,
                category=charge.category,
                gross_unit=charge.gross,
                net_unit=charge.net,
                gross=charge.gross,
                net=charge.net,
            )
            for position, charge in enumerate(charges, start=1)
        ]
        charges = []
    _align_unit_prices(lines)
    vat_rows = _vat_rows(doc, lines, allowances, charges, match_stored)
    return Figures(
        lines=lines,
        allowances=allowances,
        charges=charges,
        vat_rows=vat_rows,
        grand_total=_dec(doc.grand_total),
        giftcard_total=_dec(doc.giftcard_total),
        credit_total=_dec(doc.credit_total),
        paid_total=_dec(getattr(doc, "paid_total", ZERO)),
        reverse_charge=reverse_charge,
        export_delivery=export,
    )


def _align_unit_prices(lines):
    """One precision for the document's net unit prices: "12.5210" next to "29.3277", not
    "12.521" — at least two decimals, at most the four of :func:`net_price`."""
    places = max(
        [2] + [-line.net_unit.normalize().as_tuple().exponent for line in lines], default=2
    )
    quantum = Decimal(1).scaleb(-min(places, 4))
    for line in lines:
        line.unit_shown = line.net_unit.quantize(quantum)


def _goods_discounts(doc, lines, shipping_rate):
    """The goods discount per (category, rate), as the snapshot's tax rows booked it: what
    the lines (and shipping) of a row cost more than the row's gross is its share.

    A credit note may also carry a signed ``adjustment`` that its tax rows spread: returned
    as a second mapping per (category, rate). Without a discount, a row's whole difference
    is its adjustment share; with both, the discount falls on the discounted goods (never
    gift cards) by their gross, as the order's discount did, and the adjustment is the rest
    of each row — so every row's gross is exactly the booked one, and nothing is lost.

    Rows with a category (every document issued since e-invoicing) are read as they are: an
    adjustment stays in the category an earlier note booked it in, though the lines of this
    note are of another (the rest-of-order note gives back a restocking fee charged on goods
    returned under K, with only an exempt gift card left to credit). Rows per rate only (an
    invoice issued before, a credit note being planned) leave the category to the lines at
    that rate (``_category_at``)."""
    adjustment = _dec(getattr(doc, "adjustment", ZERO))
    by_category = bool(doc.tax_rows) and all(row.get("category") for row in doc.tax_rows)

    def group(category, rate):
        return (category, rate) if by_category else rate

    row_gross = defaultdict(lambda: ZERO)
    for row in doc.tax_rows:
        row_gross[group(row.get("category"), _dec(row["rate"]))] += _dec(row["gross"])
    charged, discounted = defaultdict(lambda: ZERO), defaultdict(lambda: ZERO)
    for line in lines:
        charged[group(line.category, line.rate)] += line.gross
        if line.category != EXEMPT:
            discounted[group(line.category, line.rate)] += line.gross
    with_lines = set(charged)
    shipping = _dec(doc.shipping_total) - _dec(doc.shipping_discount)
    if shipping:
        category = shipping_category(
            shipping_rate, bool(doc.reverse_charge), bool(getattr(doc, "export_delivery", False))
        )
        charged[group(category, shipping_rate)] += shipping
    groups = sorted(set(charged) | set(row_gross))
    discount = _dec(doc.discount_total) - _dec(doc.shipping_discount)
    shares, adjustment_shares = {}, {}
    if not adjustment:
        for key in groups:
            # (no row at all: a note of goods discounted to nothing stores none)
            if key in with_lines and charged[key] > row_gross[key]:
                shares[key] = charged[key] - row_gross[key]
    elif discount > 0:
        weights = {key: gross for key, gross in discounted.items() if gross > 0} or {
            key: charged[key] for key in with_lines if charged[key] > 0
        }
        shares = _spread(discount, weights) if weights else {}
    if adjustment or by_category:
        # Rows per category are the booking: what the lines and the discount leave of a row
        # is adjusted there, even by a note without an adjustment of its own (one whose row
        # of a rate took over what another row had no room left for: ``refunds``).
        adjustment_shares = {
            key: row_gross[key] - charged[key] + shares.get(key, ZERO) for key in groups
        }

    discounts, adjustments = defaultdict(lambda: ZERO), defaultdict(lambda: ZERO)
    for key, amount in adjustment_shares.items():
        if amount:
            at = key if by_category else (_category_at(_at_rate(lines, key), key, doc), key)
            adjustments[at] += amount
    for key, share in shares.items():
        if share <= 0:
            continue
        if by_category:
            discounts[key] += share
            continue
        # Within a rate, split by the gross of the discounted goods (never gift cards).
        at_rate = _at_rate(lines, key)
        by_line_category = defaultdict(lambda: ZERO)
        for line in [line for line in at_rate if line.category != EXEMPT] or at_rate:
            by_line_category[line.category] += line.gross
        for category, part in _spread(share, by_line_category).items():
            discounts[(category, key)] += part
    return (
        {key: gross for key, gross in discounts.items() if gross},
        {key: gross for key, gross in adjustments.items() if gross},
    )


def _at_rate(lines, rate):
    return [line for line in lines if line.rate == rate]


def _spread(amount, weights):
    """``amount`` over the keys of ``weights`` by their share (the rest on the last key)."""
    total = sum(weights.values(), ZERO)
    keys = sorted(weights)
    parts, remaining = {}, amount
    for i, key in enumerate(keys):
        parts[key] = (
            remaining if i == len(keys) - 1 or not total else money(amount * weights[key] / total)
        )
        remaining -= parts[key]
    return parts


def _category_at(lines, rate, doc):
    """The VAT category an adjustment at ``rate`` takes: that of the largest line there (an
    exempt gift card only when nothing else is), else the shipping's."""
    taxed = [line for line in lines if line.category != EXEMPT] or lines
    if taxed:
        return max(taxed, key=lambda line: line.gross).category
    return shipping_category(
        rate, bool(doc.reverse_charge), bool(getattr(doc, "export_delivery", False))
    )


def _vat_rows(doc, lines, allowances, charges, match_stored):
    basis = defaultdict(lambda: ZERO)
    gross = defaultdict(lambda: ZERO)
    for item, sign in [(x, 1) for x in lines + charges] + [(a, -1) for a in allowances]:
        key = (item.category, item.rate)
        basis[key] += sign * item.net
        gross[key] += sign * item.gross
    if match_stored and doc.tax_rows:
        _match_stored_nets(doc, basis, lines, allowances, charges)
    else:
        _round_per_rate(basis, gross, lines, allowances, charges)
    rows = []
    for category, rate in sorted(basis, key=lambda k: (-k[1], k[0])):
        key = (category, rate)
        code, text = exemption(category)
        rows.append(
            VatRow(
                category=category,
                rate=rate,
                basis=basis[key],
                tax=gross[key] - basis[key] if rate else ZERO,
                gross=gross[key],
                exemption_code=code,
                exemption_text=text,
            )
        )
    return rows


def _match_stored_nets(doc, basis, lines, allowances, charges):
    """The nets the document booked, where they differ from the sum of its item nets: the
    difference goes to the discount of that category and rate (or its shipping, or its
    largest line), so BR-S-08 holds and the document prints and carries its stored rows.

    Invoices issued before e-invoicing booked each rate's net as ``round(gross / (1 +
    rate))`` of the whole rate (rows without category: matched per rate). A credit note's
    rows per category and rate never credit more than is left of the invoice's row, and the
    note that credits the rest of a row credits exactly that rest
    (``orders.services.refunds``): a cent there may differ from its own item nets. For an
    invoice issued since e-invoicing the stored rows are these figures: nothing moves."""
    if not doc.tax_rows:
        return
    by_category = all(row.get("category") for row in doc.tax_rows)
    stored = defaultdict(lambda: ZERO)
    for row in doc.tax_rows:
        rate = _dec(row["rate"])
        stored[(row["category"], rate) if by_category else rate] += _dec(row["net"])
    if by_category:
        # a credit note stores no rows of nothing: goods discounted to nothing net nothing
        for key in basis:
            stored.setdefault(key, ZERO)
    for target_key, target in list(stored.items()):
        if by_category:
            category, rate = target_key
            keys = [target_key] if target_key in basis else []
        else:
            category, rate = None, target_key
            keys = [key for key in basis if key[1] == rate]
        residual = target - sum((basis[key] for key in keys), ZERO)
        if not residual or not keys:
            continue

        _move_residual(residual, category, rate, basis, lines, allowances, charges)


def _round_per_rate(basis, gross, lines, allowances, charges):
    """Each rate's net as ``round(gross / (1 + rate))`` of the rate's whole gross, its VAT
    the rest — the VAT an accounting program computes from the gross on an automatic
    revenue account (DATEV: ``orders.accounting``), so the documents and the bookings agree
    to the cent. The item nets are each rounded on their own: the cent their sum differs
    goes to the discount, the shipping or the largest line (BR-S-08 holds)."""
    for (category, rate), amount in list(gross.items()):
        if not rate:
            continue
        residual = net_of(amount, rate) - basis[(category, rate)]
        if residual:
            _move_residual(residual, category, rate, basis, lines, allowances, charges)


def _move_residual(residual, category, rate, basis, lines, allowances, charges):
    """Add ``residual`` to the net of the category and rate: on its discount, else its
    shipping or extra credit, else its largest line."""

    def fits(item):
        return item.rate == rate and (category is None or item.category == category)

    allowance = next((a for a in allowances if fits(a)), None)
    charge = next((c for c in charges if fits(c)), None)
    if allowance is not None:
        allowance.net -= residual
        basis[(allowance.category, rate)] += residual
    elif charge is not None:
        charge.net += residual
        basis[(charge.category, rate)] += residual
    else:
        line = max((li for li in lines if fits(li)), key=lambda li: li.net)
        line.net += residual
        basis[(line.category, rate)] += residual
