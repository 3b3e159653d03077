"""The withdrawal function (Directive 2011/83/EU Art. 11a as inserted by Directive (EU)
2023/2673; in Germany § 356a BGB): a consumer withdraws from an order online, in two steps,
and gets an acknowledgement with the statement's content and the time it was received on a
durable medium (e-mail) at once.

**The withdrawal period** runs ``ShopSettings.withdrawal_period_days`` (default 14) from the
delivery of the order's last shipment. A shipment is delivered on the date the operator
entered on it (``Shipment.delivered_at``), else ``ShopSettings.delivery_transit_days`` after
it was shipped. While goods are still to be shipped the period has not started. Orders with
nothing to ship (downloads, gift cards) count from the order date. A last day that is a
Saturday, a Sunday or a public holiday of the seller's country moves to the next working day
(:mod:`orders.deadlines`); so does the last day to send the goods back.

**Downloads** lose the right of withdrawal early (§ 356 Abs. 5 BGB, Art. 16(m) Directive
2011/83/EU): the checkout asks a cart with downloads for the express consent that their
delivery begins at once, with the acknowledgement that the right is then lost
(``Order.digital_consent_at``), and the order confirmation repeats it on a durable medium.
Once the download links are issued (the delivery has begun, when the order is paid) those
lines can no longer be withdrawn from (:func:`expired_lines`). Orders placed before the
checkout asked keep the right for their downloads.

Statements after the period are recorded and acknowledged all the same, marked late; one
that matches no order of the given e-mail address is recorded for the operator, and the
storefront answers it exactly like any other.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shop import events
from shop.db import advisory_lock
from shop.mail import queue_email
from shop.models import ShopSettings

from .. import deadlines, links
from ..aftersales import Withdrawal
from ..errors import OrderError
from ..models import DownloadLink, Order, Shipment, ShipmentLine
from .lifecycle import FINAL_STATES, _event, credited_units, order_state, typed_units

NAME_MAX = 200
TEXT_MAX = 2000
NUMBER_MAX = 40
# A statement repeated within this time — a double click on "Confirm withdrawal", the
# browser's resubmit — is the same statement (so is one repeated while the first is still
# unprocessed, :func:`_same_statement`).
REPEAT_WINDOW = timedelta(minutes=10)


def information(order=None, shop=None):
    """What the withdrawal instructions and the model withdrawal form print (templates
    ``orders/withdrawal/_instructions`` and ``_model_form``): the period, the trader and the
    link to the withdrawal function; ``goods``: the order has goods (not only downloads)."""
    shop = shop or ShopSettings.load()
    address = ", ".join(part.strip() for part in shop.address.splitlines() if part.strip())
    trader = ", ".join(
        part for part in (shop.legal_name, address, shop.phone, shop.contact_email) if part
    )
    # The model form's addressee: name, geographical address and e-mail (Annex I(B)).
    addressee = ", ".join(part for part in (shop.legal_name, address, shop.contact_email) if part)
    goods = order is None or any(line.needs_shipping for line in order.lines.all())
    downloads = order is None or any(line.is_downloadable for line in order.lines.all())
    url = links.withdrawal_url(order)
    return {
        "days": shop.withdrawal_period_days,
        "trader": trader,
        "addressee": addressee,
        "url": url,
        # the HTML texts (page, e-mail, PDF) link the address they print
        "url_link": format_html('<a href="{0}">{0}</a>', url),
        "goods": goods,
        # the early expiry of the right for downloads (the general page: always)
        "downloads": downloads,
    }


def delivery_date(shipment, shop=None):
    """The local date ``shipment`` was (or is assumed to have been) delivered."""
    if shipment.delivered_at is not None:
        return timezone.localdate(shipment.delivered_at)
    shop = shop or ShopSettings.load()
    return timezone.localdate(shipment.created) + timedelta(days=shop.delivery_transit_days)


def period_end(order, shop=None):
    """The last day of ``order``'s withdrawal period, or None while it has not started
    (goods still to be shipped): ``withdrawal_period_days`` after the start, moved to the
    next working day in the seller's country (:func:`orders.deadlines.period_end`). Every
    page, e-mail and lateness check takes the end from here."""
    shop = shop or ShopSettings.load()
    shipments = list(order.shipments.all())
    if any(line.needs_shipping for line in order.lines.all()):
        if not order_state(order).fully_shipped:
            return None
        if shipments:
            start = max(delivery_date(shipment, shop) for shipment in shipments)
        else:  # every unit to ship was cancelled before shipping
            start = timezone.localdate(order.created)
    else:
        start = timezone.localdate(order.created)
    return deadlines.period_end(start, shop.withdrawal_period_days, shop.country)


def withdrawal_open(order, today=None, shop=None):
    """Does the order's page (the account's, the guest's status page) offer the withdrawal
    function for ``order``? While the period runs and some unit is left to withdraw from
    (:func:`units_left_to_withdraw`): a customer who has withdrawn from everything is not
    invited to send a second statement."""
    if order.status in FINAL_STATES:
        return False
    end = period_end(order, shop)
    if end is not None and (today or timezone.localdate()) > end:
        return False
    return bool(units_left_to_withdraw(order))


def withdrawn_units(order):
    """{order line id: units} that the withdrawal statements received for ``order`` name;
    every unit once a statement named the whole order. Items named only in words (a
    statement sent without the order at hand) cannot be counted: the order's page then
    rather offers the function once too often than hide it while something is left. Uses
    the order's prefetched ``lines`` and ``withdrawals`` where present."""
    withdrawn = {}
    for statement in order.withdrawals.all():
        if statement.whole_order:
            return {line.pk: line.quantity for line in order.lines.all()}
        for item in statement.items:
            withdrawn[item["line"]] = withdrawn.get(item["line"], 0) + item["quantity"]
    return withdrawn


def units_left_to_withdraw(order):
    """{order line id: units} the customer may still withdraw from: units neither credited
    (:func:`withdrawable_units`) nor named in a statement (:func:`withdrawn_units`). Not the
    two added up: a withdrawal is mostly refunded by a credit note for the same units."""
    withdrawn = withdrawn_units(order)
    quantities = {line.pk: line.quantity for line in order.lines.all()}
    left = {}
    for line_id, units in withdrawable_units(order).items():
        units = min(units, quantities[line_id] - withdrawn.get(line_id, 0))
        if units > 0:
            left[line_id] = units
    return left


def open_orders(customer, limit=50):
    """The logged-in ``customer``'s orders the withdrawal function offers
    (:func:`withdrawal_open`), newest first, read with what that needs in a fixed number of
    queries; at most ``limit`` of the newest orders not canceled or closed are looked at."""
    orders = (
        Order.objects.filter(customer=customer)
        .exclude(status__in=FINAL_STATES)
        .order_by("-created", "-pk")
        .prefetch_related(
            "lines",
            "invoices__credit_notes",
            Prefetch("shipments", queryset=Shipment.objects.prefetch_related("lines")),
            Prefetch("withdrawals", queryset=Withdrawal.objects.order_by("received_at", "pk")),
        )[:limit]
    )
    shop = ShopSettings.load()
    return [order for order in orders if withdrawal_open(order, shop=shop)]


def find_order(order_number, email, customer=None):
    """The order the statement names: its number and e-mail address must belong together
    (or it is the logged-in customer's own order)."""
    number = (order_number or "").strip()
    if not number:
        return None
    orders = Order.objects.filter(number=number)
    order = orders.filter(email__iexact=(email or "").strip()).first()
    if order is None and customer is not None:
        order = orders.filter(customer=customer).first()
    return order


def _text(value, limit, label, field):
    value = (value or "").strip()
    if len(value) > limit:
        raise OrderError(
            _("%(label)s: at most %(max)s characters.") % {"label": label, "max": limit},
            field=field,
        )
    return value


def expired_lines(order):
    """The ids of ``order``'s download lines whose right of withdrawal has expired: the
    customer agreed at checkout that their delivery begins at once, knowing the right is
    then lost (``Order.digital_consent_at``), and it has begun — their download link was
    issued. No query for an order without that consent (nearly every order)."""
    if order.digital_consent_at is None:
        return set()
    return set(
        DownloadLink.objects.filter(order=order, order_line__is_downloadable=True).values_list(
            "order_line_id", flat=True
        )
    )


def withdrawable_units(order):
    """{order line id: units} a statement may name: the units ordered that no credit note has
    credited. A credited unit has been paid back already (a partial refund, a refunded
    return), as ``returnable_units`` says for returns; a download delivered with the
    customer's consent to lose the right has none (:func:`expired_lines`). Uses the order's
    prefetched ``lines`` and ``invoices__credit_notes`` where present."""
    credited = credited_units(order.credit_notes)
    expired = expired_lines(order)
    units = {}
    for line in order.lines.all():
        if line.pk in expired:
            continue
        left = line.quantity - credited[line.pk][0]
        if left > 0:
            units[line.pk] = left
    return units


def chosen_items(order, items):
    """``items`` ({order line id: units}) as the statement lists them, checked against the
    order (at most the units not credited yet, :func:`withdrawable_units`); empty: the
    whole order."""
    if order is None or not items:
        return []
    lines = {line.pk: line for line in order.lines.all()}
    withdrawable = withdrawable_units(order)
    expired = expired_lines(order)
    chosen = []
    for line_id, units in items.items():
        line_id, units = typed_units(line_id, units)
        line = lines.get(line_id)
        if line is None:
            raise OrderError(_("This line does not belong to the order."))
        if not 0 <= units <= line.quantity:
            raise OrderError(
                _("You ordered %(quantity)s × %(name)s.")
                % {"quantity": line.quantity, "name": line.name}
            )
        if units and line.pk in expired:
            raise OrderError(
                _(
                    "Your right of withdrawal for %(name)s has expired: you agreed at checkout "
                    "that its delivery begins at once, and it has begun."
                )
                % {"name": line.name}
            )
        if units > withdrawable.get(line.pk, 0):
            raise OrderError(
                _(
                    "Only %(left)s × %(name)s can be withdrawn from: the rest has been "
                    "refunded already."
                )
                % {"left": withdrawable.get(line.pk, 0), "name": line.name}
            )
        if units:
            chosen.append({"line": line.pk, "name": line.name, "quantity": units})
    chosen.sort(key=lambda item: item["line"])  # one statement, one way to write it
    if len(chosen) == len(lines) and all(
        c["quantity"] == lines[c["line"]].quantity for c in chosen
    ):
        return []  # every unit: the whole order
    return chosen


def record_withdrawal(
    *,
    name,
    email,
    order_number,
    items=None,
    items_text="",
    reason="",
    customer=None,
    language="",
    order=None,
):
    """Record a confirmed withdrawal statement and, when it names an order of that e-mail
    address, e-mail the acknowledgement (content, date and time of receipt) in ``language``,
    the language of the page the customer declared on (without one: the order's). ``order``: the order is known already (the customer came through the order's
    signed link or the account). Returns the :class:`Withdrawal`.

    The same declaration sent again (:func:`_same_statement`: a double click, a resubmit,
    the same POST twice at once) is not a second statement: the first is returned (its
    ``is_repeat`` set, False on a statement recorded now), and no second acknowledgement
    goes out. Calls for one order wait for each other on its row
    lock (for a statement naming no known order: on a lock of its e-mail and number)."""
    name = _text(name, NAME_MAX, _("Name"), "name")
    email = _text(email, 254, _("E-mail"), "email")
    order_number = _text(order_number, NUMBER_MAX, _("Order number"), "order_number")
    items_text = _text(items_text, TEXT_MAX, _("Items"), "items_text")
    reason = _text(reason, TEXT_MAX, _("Reason"), "reason")
    if not name or not email or not order_number:
        raise OrderError(_("Please enter your name, your e-mail address and the order number."))
    with transaction.atomic():
        if order is None:
            order = find_order(order_number, email, customer)
        if order is not None:
            order = Order.objects.select_for_update(of=("self",)).get(pk=order.pk)
        else:
            advisory_lock(f"orders.withdrawal:{email.lower()}:{order_number}")
        chosen = chosen_items(order, items)
        now = timezone.now()
        earlier = _same_statement(order, name, email, order_number, chosen, items_text, now)
        if earlier is not None:
            earlier.is_repeat = True
            return earlier
        ends = period_end(order) if order is not None else None
        withdrawal = Withdrawal.objects.create(
            received_at=now,
            order=order,
            customer=customer if customer is not None and customer.is_authenticated else None,
            name=name,
            email=email,
            order_number=order_number,
            items=chosen,
            items_text=items_text,
            reason=reason,
            # The language the customer declared in: the acknowledgement repeats the
            # declaration, so it is in the same words (else the order's language).
            language=(language or (order.language if order is not None else ""))[:5]
            or settings.LANGUAGE_CODE,
            period_ends=ends,
            is_late=ends is not None and timezone.localdate(now) > ends,
        )
        withdrawal.is_repeat = False
        if order is not None:
            _acknowledge(order, withdrawal)
    return withdrawal


def _return_address(language):
    """Where the goods go back, on one line to copy onto a parcel label: the shop's legal
    name (the recipient, as the invoices name the seller), then its address, its country
    named in ``language`` (the e-mail's)."""
    shop = ShopSettings.load()
    with translation.override(language or settings.LANGUAGE_CODE):
        lines = [shop.legal_name, *shop.address.splitlines()]
    return ", ".join(line for line in lines if line)


def _acknowledge(order, withdrawal, user=None):
    """E-mail the acknowledgement of ``withdrawal`` (content, date and time of receipt) to
    ``order``'s address and note the statement in the order's history; under the order's
    lock, in the caller's transaction."""
    queue_email(
        "order_withdrawal_received",
        order.email,
        {
            "order": order,
            "withdrawal": withdrawal,
            # Greeted like every other e-mail about the order: by the billing first name
            # (the statement's typed name only where the order has none).
            "greeting_name": order.billing_first_name or withdrawal.name,
            "items": [(item, item["quantity"]) for item in withdrawal.items],
            "order_url": links.customer_order_url(order),
            "goods_to_send_back": _goods_received(order, withdrawal),
            # what the statement names but cannot withdraw from: the acknowledgement says so
            # instead of promising a refund for it
            **_left_out(order, withdrawal),
            # Art. 14(1) Directive 2011/83/EU: the goods go back within 14 days of the
            # statement, to the trader's address; a period of the Directive, so it ends on a
            # working day too (recital 41).
            "send_back_by": deadlines.period_end(
                timezone.localdate(withdrawal.received_at), 14, ShopSettings.load().country
            ),
            "return_address": _return_address(withdrawal.language),
        },
        language=withdrawal.language,
    )
    withdrawal.acknowledged_at = timezone.now()
    withdrawal.save(update_fields=["acknowledged_at"])
    _event(
        order,
        events.part(
            gettext_noop("Withdrawal statement received (late: after %(date)s)."),
            date=events.day(withdrawal.period_ends),
        )
        if withdrawal.is_late
        else events.part(gettext_noop("Withdrawal statement received.")),
        user=user,
    )


def link_to_order(withdrawal, order_number, user=None):
    """A statement that named no order of its address (a typo in the number, another e-mail
    address): staff found the order and link it. The statement then counts for that order
    — its period and lateness by the time it was received —, and the customer gets the
    acknowledgement now, at the order's address. OrderError: no such order, or the
    statement has its order already."""
    number = (order_number or "").strip()
    if not number:
        raise OrderError(_("Please enter the order number."), field="order_number")
    with transaction.atomic():
        order = Order.objects.select_for_update(of=("self",)).filter(number=number).first()
        if order is None:
            raise OrderError(
                _("There is no order %(number)s.") % {"number": number}, field="order_number"
            )
        locked = Withdrawal.objects.select_for_update().get(pk=withdrawal.pk)
        if locked.order_id is not None:
            raise OrderError(_("This statement belongs to an order already."))
        ends = period_end(order)
        locked.order = order
        locked.period_ends = ends
        locked.is_late = ends is not None and timezone.localdate(locked.received_at) > ends
        locked.save(update_fields=["order", "period_ends", "is_late"])
        if locked.acknowledged_at is None:
            _acknowledge(order, locked, user=user)
    return locked


def _same_statement(order, name, email, order_number, items, items_text, now):
    """The statement recorded already that this one repeats, or None: the same order (or,
    naming no known order, the same order number), the same units or the same words for
    them, the same person — received within ``REPEAT_WINDOW`` or not processed yet. A later
    statement naming other units is a statement of its own."""
    statements = Withdrawal.objects.filter(
        Q(received_at__gte=now - REPEAT_WINDOW) | Q(status=Withdrawal.Status.NEW),
        name=name,
        email__iexact=email,
        items=items,
        items_text=items_text,
    )
    if order is not None:
        statements = statements.filter(order=order)
    else:
        statements = statements.filter(order__isnull=True, order_number=order_number)
    return statements.order_by("received_at", "pk").first()


def _left_out(order, withdrawal):
    """The units the statement names that it cannot withdraw from, as the records stand:
    ``left_out`` [{"name", "quantity", "expired"}] — a download whose delivery began with
    the customer's consent (``expired``, :func:`expired_lines`) or units a credit note paid
    back already; ``nothing_left``: none of the named units can be withdrawn from;
    ``canceled``: the order was canceled (nothing of it was sold)."""
    if order.status == Order.Status.CANCELED:
        return {"left_out": [], "nothing_left": True, "canceled": True}
    withdrawable = withdrawable_units(order)
    if not withdrawal.items and withdrawal.items_text:  # items in the customer's words
        return {"left_out": [], "nothing_left": not withdrawable, "canceled": False}
    named = (
        {item["line"]: item["quantity"] for item in withdrawal.items} if withdrawal.items else None
    )
    expired = expired_lines(order)
    left_out, named_units = [], 0
    for line in order.lines.all():
        units = line.quantity if named is None else named.get(line.pk, 0)
        named_units += units
        missing = units - withdrawable.get(line.pk, 0)
        if units and missing > 0:
            left_out.append({"name": line.name, "quantity": missing, "expired": line.pk in expired})
    nothing_left = named_units > 0 and sum(item["quantity"] for item in left_out) >= named_units
    return {"left_out": left_out, "nothing_left": nothing_left, "canceled": False}


def _goods_received(order, withdrawal):
    """Has something the statement names been shipped? Only then is the customer asked to
    send goods back (an order withdrawn from before shipping is simply not sent)."""
    shipped = ShipmentLine.objects.filter(order_line__order=order)
    if withdrawal.items:
        shipped = shipped.filter(order_line_id__in=[item["line"] for item in withdrawal.items])
    return shipped.exists()


def mark_processed(withdrawal, user=None):
    """The operator has dealt with the statement (return created, customer contacted …)."""
    with transaction.atomic():
        locked = Withdrawal.objects.select_for_update().get(pk=withdrawal.pk)
        if locked.status != Withdrawal.Status.PROCESSED:
            locked.status = Withdrawal.Status.PROCESSED
            locked.processed_at = timezone.now()
            locked.processed_by = user if user is not None and user.is_authenticated else None
            locked.save(update_fields=["status", "processed_at", "processed_by"])
    return locked
