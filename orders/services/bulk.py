"""Bulk work on many orders (the order list's actions): invoices, payments, shipping, pick
lists, documents, CSV.

Every operation goes through the single-order service the order page's buttons use
(``create_invoice``, ``mark_paid``) or renders the same documents (``orders.pdf``), one
order at a time in its own transaction: one order that cannot be handled does not hold up
the others, and each one that is left out is reported with the reason. From
``ASYNC_THRESHOLD`` orders on the backoffice runs them as a background job (``shop.jobs``).
"""

import io
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from shop.exceptions import DomainError
from shop.exports import csv_text
from shop.jobs import JobResult
from shop.locales import country_name, language_name
from shop.models import PaymentMethod, Product
from shop.slugs import slugify

from ..models import Invoice, Order, Shipment
from .lifecycle import FINAL_STATES, create_invoice, create_shipment, mark_paid, order_state

ASYNC_THRESHOLD = 200  # more orders than this run as a background job
MAX_ORDERS = 10_000  # one run; more is a sign the list should be filtered first
CHUNK = 200
SKIPPED_LISTED = 15  # in the error of a run that did nothing; the rest as "…"


@dataclass
class Outcome:
    done: list = field(default_factory=list)  # order numbers
    skipped: list = field(default_factory=list)  # (order number, reason)

    def skip(self, order, reason):
        self.skipped.append((order.number, str(reason)))


def _orders(order_ids, progress, related=()):
    """The orders of ``order_ids`` by number, fetched in chunks, reporting progress."""
    ids = sorted(set(order_ids))
    total = len(ids)
    seen = 0
    for start in range(0, total, CHUNK):
        chunk = (
            Order.objects.filter(pk__in=ids[start : start + CHUNK])
            .select_related("payment_method", "shipping_method", *related)
            .order_by("number")
        )
        for order in chunk:
            yield order
            seen += 1
            if progress:
                progress(seen, total)


def _result(outcome, summary, file=None, *, nothing):
    """The job's result. A run that left out every order produced nothing (no invoice, no
    PDF, no payment): that is the job's failure — an error naming why each was left out —
    not a success that says "0 packing slips in one PDF."."""
    if outcome.skipped and not outcome.done:
        skipped = outcome.skipped
        listed = "; ".join(f"{number} ({why})" for number, why in skipped[:SKIPPED_LISTED])
        if len(skipped) > SKIPPED_LISTED:
            listed += "; …"
        raise DomainError(
            f"{nothing} "
            + ngettext(
                "%(n)d order skipped: %(list)s",
                "%(n)d orders skipped: %(list)s",
                len(skipped),
            )
            % {"n": len(skipped), "list": listed}
        )
    return JobResult(summary=summary, done=len(outcome.done), skipped=outcome.skipped, file=file)


# --- state changes ----------------------------------------------------------------------


def create_invoices(order_ids, user=None, progress=None):
    """Invoice every selected order that can be invoiced (card payments are captured)."""
    outcome = Outcome()
    invoiced = set(
        Invoice.objects.filter(order_id__in=order_ids).values_list("order_id", flat=True)
    )
    for order in _orders(order_ids, progress):
        if order.pk in invoiced:
            outcome.skip(order, _("already invoiced"))
            continue
        if order.status in FINAL_STATES:
            outcome.skip(order, _("the order is %(status)s") % {"status": _status(order)})
            continue
        try:
            create_invoice(order, user=user)
        except DomainError as exc:
            outcome.skip(order, exc.message)
        else:
            outcome.done.append(order.number)
    summary = ngettext("%(n)d invoice created.", "%(n)d invoices created.", len(outcome.done)) % {
        "n": len(outcome.done)
    }
    return _result(outcome, summary, nothing=_("No invoice was created."))


def mark_prepayments_paid(order_ids, user=None, progress=None):
    """ "Mark paid" for the selected prepayment (bank transfer) orders whose money arrived."""
    outcome = Outcome()
    for order in _orders(order_ids, progress):
        if order.payment_method.kind != PaymentMethod.Kind.PREPAYMENT:
            # No method's name: the reason is listed in brackets ("100150 (…)"), and a name
            # may have brackets of its own ("Prepayment (bank transfer)").
            outcome.skip(order, _("not a prepayment order"))
            continue
        if order.is_paid:
            outcome.skip(order, _("already paid"))
            continue
        if order.status in FINAL_STATES:
            outcome.skip(order, _("the order is %(status)s") % {"status": _status(order)})
            continue
        try:
            mark_paid(order, user=user)
        except DomainError as exc:
            outcome.skip(order, exc.message)
        else:
            outcome.done.append(order.number)
    summary = ngettext(
        "%(n)d order marked as paid.", "%(n)d orders marked as paid.", len(outcome.done)
    ) % {"n": len(outcome.done)}
    return _result(outcome, summary, nothing=_("No order was marked as paid."))


def _shipping_blocker(order, state):
    """Why ``order`` cannot be shipped in full now, or None."""
    if order.status in FINAL_STATES:
        return _("the order is %(status)s") % {"status": _status(order)}
    if not any(p.line.needs_shipping for p in state.progress):
        return _("nothing to ship (downloads or gift cards)")
    if state.fully_shipped:
        return _("already shipped")
    if not order.payment_allows_shipping:
        # No method's name: "100147 (waiting for payment (Prepayment (bank transfer)))" nested
        # brackets three deep. The order's row in the list names its method.
        return _("waiting for payment")
    return None


def ship_orders(order_ids, user=None, progress=None):
    """Ship everything left to ship of each selected order — one shipment each, through the
    order page's ``create_shipment`` — and return their packing slips as one PDF. An order
    waiting for its bank transfer is left out, as is one with nothing left to ship."""
    from ..pdf import render_packing_slip

    outcome, parts = Outcome(), []
    for order in _orders(order_ids, progress):
        state = order_state(order)
        blocker = _shipping_blocker(order, state)
        if blocker:
            outcome.skip(order, blocker)
            continue
        try:
            shipment = create_shipment(
                order, {p.line.pk: p.remaining for p in state.progress if p.remaining}, user=user
            )
        except DomainError as exc:
            outcome.skip(order, exc.message)
            continue
        parts.append(render_packing_slip(shipment))
        outcome.done.append(order.number)
    file = (_filename(_("packing slips"), "pdf"), _merge(parts)) if parts else None
    summary = ngettext(
        "%(n)d order shipped; its packing slip is in the PDF.",
        "%(n)d orders shipped; their packing slips are in one PDF.",
        len(outcome.done),
    ) % {"n": len(outcome.done)}
    return _result(outcome, summary, file, nothing=_("No order was shipped."))


@dataclass
class PickRow:
    """One product of a pick list: every unit of it the selected orders still need."""

    sku: str
    name: str
    quantity: int = 0
    orders: list = field(default_factory=list)  # (order number, units)


def _names(picked):
    """{product id: name} in the current language (the staff member's) — an order line
    keeps the name in its order's language; the picker reads their own."""
    ids = {p.line.product_id for _order, lines in picked for p in lines if p.line.product_id}
    return {product.pk: product.name for product in Product.objects.filter(pk__in=ids)}


def pick_rows(picked, names):
    """The goods left to ship of ``picked`` ((order, its progress rows left to ship)), by
    product: SKU order, so the picker walks the shelves once."""
    rows = {}
    for order, lines in picked:
        for p in lines:
            line = p.line
            key = line.product_id or (line.sku, line.name)
            row = rows.setdefault(
                key, PickRow(sku=line.sku, name=names.get(line.product_id, line.name))
            )
            row.quantity += p.remaining
            row.orders.append((order.number, p.remaining))
    return sorted(rows.values(), key=lambda r: (r.sku.casefold(), r.name.casefold()))


def print_pick_list(order_ids, progress=None):
    """A pick list of the selected orders' goods left to ship (one PDF, in the language of
    the job: the staff member's): each product once with its total and the orders that need
    it, then each order with its delivery address. Orders left out are named with the
    reason."""
    from shop.pdf import render_pdf

    outcome, picked = Outcome(), []
    for order in _orders(order_ids, progress):
        state = order_state(order)
        blocker = _shipping_blocker(order, state)
        if blocker:
            outcome.skip(order, blocker)
            continue
        picked.append((order, [p for p in state.progress if p.remaining]))
        outcome.done.append(order.number)
    names = _names(picked)
    rows = pick_rows(picked, names)
    file = None
    if picked:
        orders = [
            (
                order,
                [
                    (p.remaining, names.get(p.line.product_id, p.line.name), p.line.sku)
                    for p in lines
                ],
            )
            for order, lines in picked
        ]
        pdf = render_pdf(
            "pdf/pick_list.html",
            {
                "rows": rows,
                "orders": orders,
                "units": sum(r.quantity for r in rows),
                "created": timezone.now(),
            },
        )
        file = (_filename(_("Pick list"), "pdf"), pdf)
    summary = ngettext(
        "Pick list of %(n)d order in one PDF.",
        "Pick list of %(n)d orders in one PDF.",
        len(outcome.done),
    ) % {"n": len(outcome.done)}
    return _result(outcome, summary, file, nothing=_("No order is ready to ship."))


def _status(order):
    return str(order.get_status_display()).lower()


# --- documents ---------------------------------------------------------------------------


def _merge(parts):
    """One PDF of many (each already rendered in its order's language)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _stamp():
    return timezone.localtime().strftime("%Y%m%d-%H%M")


def _filename(name, extension):
    """A bulk file named in the reader's language (the job's: the staff member's), in ASCII
    as ``shop.slugs`` writes it, and stamped: "zamowienia-20261203-1619.csv",
    "lieferscheine-…pdf", "plukliste-…pdf" (the download's plain ``filename="…"``)."""
    return f"{slugify(name) or 'orders'}-{_stamp()}.{extension}"


def print_invoices(order_ids, progress=None):
    """The invoices of the selected orders as one PDF, each in its order's language."""
    from ..pdf import render_invoice

    outcome, parts = Outcome(), []
    invoices = {
        i.order_id: i
        for i in Invoice.objects.filter(order_id__in=order_ids).select_related("order")
    }
    for order in _orders(order_ids, progress):
        invoice = invoices.get(order.pk)
        if invoice is None:
            outcome.skip(order, _("not invoiced yet"))
            continue
        parts.append(render_invoice(invoice))
        outcome.done.append(order.number)
    file = (_filename(_("invoices"), "pdf"), _merge(parts)) if parts else None
    summary = ngettext(
        "%(n)d invoice in one PDF.", "%(n)d invoices in one PDF.", len(outcome.done)
    ) % {"n": len(outcome.done)}
    return _result(outcome, summary, file, nothing=_("No invoice was printed."))


def print_packing_slips(order_ids, progress=None):
    """The packing slips of every shipment of the selected orders as one PDF."""
    from ..pdf import render_packing_slip

    outcome, parts = Outcome(), []
    shipments = {}
    for shipment in (
        Shipment.objects.filter(order_id__in=order_ids)
        .select_related("order")
        .order_by("created", "id")
    ):
        shipments.setdefault(shipment.order_id, []).append(shipment)
    slips = 0
    for order in _orders(order_ids, progress):
        if order.pk not in shipments:
            outcome.skip(order, _("not shipped yet"))
            continue
        for shipment in shipments[order.pk]:
            parts.append(render_packing_slip(shipment))
            slips += 1
        outcome.done.append(order.number)
    file = (_filename(_("packing slips"), "pdf"), _merge(parts)) if parts else None
    summary = ngettext(
        "%(n)d packing slip in one PDF.", "%(n)d packing slips in one PDF.", slips
    ) % {"n": slips}
    return _result(outcome, summary, file, nothing=_("No packing slip was printed."))


def csv_header():
    return [
        _("order number"),
        _("date"),
        _("status"),
        _("payment status"),
        _("payment method"),
        _("shipping method"),
        _("customer number"),
        _("first name"),
        _("last name"),
        _("company"),
        _("e-mail"),
        _("postcode"),
        _("city"),
        _("country"),
        _("language"),
        _("goods"),
        _("shipping"),
        _("discount"),
        _("total"),
        _("paid by gift card"),
        _("paid by account credit"),
        _("currency"),
        _("invoice number"),
    ]


def export_csv(order_ids, progress=None):
    """The selected orders as CSV for the reader's Excel (``shop.exports``: formula-safe,
    the language's delimiter, amounts with its decimal separator, "89,30" in de/pl/da)."""
    outcome, rows = Outcome(), []
    invoices = dict(
        Invoice.objects.filter(order_id__in=order_ids).values_list("order_id", "number")
    )
    for order in _orders(order_ids, progress, related=("customer",)):
        rows.append(
            [
                order.number,
                order.created,  # "2026-12-03 16:19", local time (shop.exports)
                order.get_status_display(),
                order.get_payment_status_display(),
                order.payment_method.name,
                order.shipping_method.name,
                order.customer.customer_number if order.customer_id else "",
                order.billing_first_name,
                order.billing_last_name,
                order.billing_company,
                order.email,
                order.billing_postcode,
                order.billing_city,
                # Named in the reader's language ("Polen", "polski"): the file is read by a
                # person, and no tool imports it.
                country_name(order.billing_country),
                language_name(order.language),
                order.goods_total,
                order.shipping_total,
                order.discount_total,
                order.grand_total,
                order.giftcard_total,
                order.credit_total,
                order.currency,
                invoices.get(order.pk, ""),
            ]
        )
        outcome.done.append(order.number)
    text = csv_text(csv_header(), rows)
    summary = ngettext("%(n)d order exported.", "%(n)d orders exported.", len(outcome.done)) % {
        "n": len(outcome.done)
    }
    return _result(
        outcome, summary, (_filename(_("orders"), "csv"), text.encode("utf-8")), nothing=""
    )


def _job(label, run):
    """A job handler with its kind's name for the backoffice (``shop.admin.job_kind_label``:
    the background-job list's filter and page)."""
    run.label = label
    return run


# The background-job kinds (registered in orders.panels.register()).
JOBS = {
    "orders.create_invoices": _job(
        gettext_lazy("Create invoices"),
        lambda job, progress: create_invoices(
            job.params["ids"], user=job.created_by, progress=progress
        ),
    ),
    "orders.mark_paid": _job(
        gettext_lazy("Mark prepayment orders paid"),
        lambda job, progress: mark_prepayments_paid(
            job.params["ids"], user=job.created_by, progress=progress
        ),
    ),
    "orders.print_invoices": _job(
        gettext_lazy("Print invoices"),
        lambda job, progress: print_invoices(job.params["ids"], progress),
    ),
    "orders.print_packing_slips": _job(
        gettext_lazy("Print packing slips"),
        lambda job, progress: print_packing_slips(job.params["ids"], progress),
    ),
    "orders.ship": _job(
        gettext_lazy("Ship orders"),
        lambda job, progress: ship_orders(
            job.params["ids"], user=job.created_by, progress=progress
        ),
    ),
    "orders.print_pick_list": _job(
        gettext_lazy("Print pick list"),
        lambda job, progress: print_pick_list(job.params["ids"], progress),
    ),
    "orders.export_csv": _job(
        gettext_lazy("Export orders"),
        lambda job, progress: export_csv(job.params["ids"], progress),
    ),
}
