"""Returns: goods a customer sends back, from a withdrawal or entered by an operator.

requested → received (condition and "back to stock" per line; stock is restored) →
refunded (a partial credit note for the returned lines, ``orders.services.refunds``), or
rejected with a reason that is e-mailed to the customer.
"""

from collections import defaultdict

from django.db import transaction
from django.db.models import F, Q, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shop import events
from shop.mail import queue_email
from shop.models import Product

from .. import emails, links
from ..aftersales import Return, ReturnLine, Withdrawal
from ..errors import OrderError
from ..models import ZERO, Order
from . import refunds
from .lifecycle import FINAL_STATES, _event, _lock, order_state, typed_units
from .withdrawals import mark_processed

NOTE_MAX = 2000
# The sentence a refunded return wrote before it said "settled" (the credit note may still
# be waiting for its payout): history rows keep it, so its translations stay.
FORMER_EVENT_SENTENCES = (
    gettext_noop("Return %(number)s refunded with credit note %(credit_note)s."),
)


def returnable_units(order, state=None):
    """{order line id: units} that may still be returned: shipped, not in another return
    (except rejected ones) and not credited by a credit note. A credited unit has been paid
    back already (a partial refund, a refunded return, the full refund): a return of it
    could never be refunded. A canceled or closed order has nothing to return. A gift card
    bought with the order is delivered (its number e-mailed) once the order is paid: from
    then on it can be returned — withdrawn from — like shipped goods; refunding the return
    takes the card back (``orders.extensions`` credit line steps), or is refused if it has
    been spent.

    Reads the order's shipments, credit notes and ``returns__lines`` through its relations,
    so a page that prefetched them (and passes its ``order_state`` as ``state``) runs no
    query; inside a service, on the locked order, they are read fresh."""
    if order.status in FINAL_STATES:
        return {}
    state = state or order_state(order)
    prefetch_related_objects([order], "returns__lines")
    in_returns, waiting = defaultdict(int), defaultdict(int)
    for ret in order.returns.all():
        if ret.status == Return.Status.REJECTED:
            continue
        for line in ret.lines.all():
            in_returns[line.order_line_id] += line.quantity
            if ret.is_open:
                waiting[line.order_line_id] += line.quantity
    units = {}
    for p in state.progress:
        delivered = p.line.quantity if p.line.is_giftcard and order.is_paid else p.shipped
        # Shipped units no return holds, and of the units no credit note has credited those
        # no open return is waiting to have credited (a refunded return's units are among
        # the credited ones already).
        left = min(
            delivered - in_returns[p.line.pk],
            p.creditable - waiting[p.line.pk],
        )
        if left > 0:
            units[p.line.pk] = left
    return units


def refuse_return_if_final(order):
    """A canceled order, or one refunded in full and closed, takes no return: raises the
    reason, in the active (the operator's) language."""
    if order.status == Order.Status.CANCELED:
        raise OrderError(
            _("Order %(number)s has been canceled: there is nothing to return.")
            % {"number": order.number}
        )
    if order.status == Order.Status.CLOSED:
        raise OrderError(
            _("Order %(number)s has been refunded in full and closed: there is nothing to return.")
            % {"number": order.number}
        )


def _lock_return(return_request):
    return Return.objects.select_for_update().get(pk=return_request.pk)


def create_return(order, lines, reason, note="", user=None, withdrawal=None):
    """A return of ``lines`` ({order line id: units}) of ``order``, status requested."""
    if reason not in Return.Reason.values:
        raise OrderError(_("Choose the reason for the return."), field="reason")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise OrderError(
            _("The note is too long (at most %(max)s characters).") % {"max": NOTE_MAX},
            field="note",
        )
    with transaction.atomic():
        locked = _lock(order)
        refuse_return_if_final(locked)
        returnable = returnable_units(locked)
        names = {line.pk: line.name for line in locked.lines.all()}
        wanted = {}
        for line_id, units in (lines or {}).items():
            line_id, units = typed_units(line_id, units)
            if line_id not in names:
                raise OrderError(_("This line does not belong to the order."))
            if units < 0:
                raise OrderError(_("Quantities cannot be negative."))
            if not units:
                continue
            if units > returnable.get(line_id, 0):
                raise OrderError(
                    _(
                        "Only %(left)s × %(name)s can be returned (shipped, not returned or "
                        "refunded yet)."
                    )
                    % {"left": returnable.get(line_id, 0), "name": names[line_id]}
                )
            wanted[line_id] = units
        if not wanted:
            raise OrderError(_("Choose at least one item to return."))
        if withdrawal is not None:
            withdrawal = Withdrawal.objects.select_for_update().get(pk=withdrawal.pk)
            if withdrawal.order_id != locked.pk:
                raise OrderError(_("The withdrawal belongs to another order."))
            if Return.objects.filter(withdrawal=withdrawal).exists():
                raise OrderError(_("A return has already been created for this withdrawal."))
        count = Return.objects.filter(order=locked).count()
        return_request = Return.objects.create(
            order=locked,
            number=f"{locked.number}-R{count + 1}",
            created_by=user if user is not None and user.is_authenticated else None,
            reason=reason,
            note=note,
            withdrawal=withdrawal,
        )
        ReturnLine.objects.bulk_create(
            ReturnLine(return_request=return_request, order_line_id=line_id, quantity=units)
            for line_id, units in wanted.items()
        )
        if withdrawal is not None:
            mark_processed(withdrawal, user)
        _event(
            locked,
            events.part(gettext_noop("Return %(number)s requested."), number=return_request.number),
            user=user,
        )
    return return_request


def withdrawal_lines(withdrawal):
    """What a return from ``withdrawal`` returns by default: the items it names, or
    everything that can be returned when it names the whole order. Items named only in the
    customer's words (``items_text``: "the blue vase") preselect nothing: the operator reads
    the statement and chooses the lines it means."""
    returnable = returnable_units(withdrawal.order)
    if not withdrawal.items:
        return returnable if withdrawal.whole_order else {}
    return {
        item["line"]: min(item["quantity"], returnable[item["line"]])
        for item in withdrawal.items
        if returnable.get(item["line"])
    }


def withdrawal_shipping_due(return_request, order=None):
    """The delivery costs a refund of ``return_request`` must credit (ZERO: none required):
    the rule of every credit note (:func:`refunds.withdrawal_shipping_owed`) for the return's
    units. ``order``: the order as read (locked) by the caller."""
    order = order or return_request.order
    lines = {}
    if return_request.is_open:
        for line in return_request.lines.all():
            lines[line.order_line_id] = lines.get(line.order_line_id, 0) + line.quantity
    return refunds.withdrawal_shipping_owed(order, lines, return_request=return_request)


def receive_return(return_request, lines=None, user=None):
    """The parcel has arrived: ``lines`` = {return line id: (condition, back to stock)};
    lines going back to stock are added to the product's stock at once."""
    with transaction.atomic():
        locked = _lock(return_request.order)
        ret = _lock_return(return_request)
        if not ret.awaits_parcel:
            raise OrderError(
                _("Return %(number)s is %(status)s and cannot be received.")
                % {"number": ret.number, "status": ret.get_status_display()}
            )
        lines = lines or {}
        restocked = []
        for line in ret.lines.select_related("order_line"):
            condition, back = lines.get(line.pk, ("", False))
            if condition and condition not in ReturnLine.Condition.values:
                raise OrderError(_("Unknown condition %(value)s.") % {"value": condition})
            line.condition = condition or ""
            line.back_to_stock = bool(back)
            line.restocked = bool(back) and line.order_line.product_id is not None
            line.save(update_fields=["condition", "back_to_stock", "restocked"])
            if line.restocked:
                Product.objects.filter(pk=line.order_line.product_id, stock__isnull=False).update(
                    stock=F("stock") + line.quantity
                )
                restocked.append(f"{line.quantity} × {line.order_line.name}")
        if ret.status == Return.Status.REQUESTED:  # a refunded one stays refunded
            ret.status = Return.Status.RECEIVED
        ret.received_at = timezone.now()
        ret.save(update_fields=["status", "received_at"])
        _event(
            locked,
            events.part(gettext_noop("Return %(number)s received."), number=ret.number),
            restocked
            and events.part(gettext_noop("Back to stock: %(items)s."), items=", ".join(restocked)),
            user=user,
        )
        emails.return_received(locked, ret)
    return ret


def refund_return(
    return_request,
    shipping=ZERO,
    adjustment=ZERO,
    adjustment_text="",
    reason="",
    user=None,
    to_account=False,
):
    """Credit the returned lines (a partial credit note, or the full refund when nothing is
    left) and close the return as refunded. ``to_account``: what would go back via the
    payment method goes to the customer's account credit instead
    (``refunds.create_credit_note``)."""
    with transaction.atomic():
        locked = _lock(return_request.order)
        ret = _lock_return(return_request)
        if not ret.is_open:
            raise OrderError(
                _("Return %(number)s is %(status)s and cannot be refunded.")
                % {"number": ret.number, "status": ret.get_status_display()}
            )
        lines = {line.order_line_id: line.quantity for line in ret.lines.all()}
        credit_note = refunds.create_credit_note(
            locked,
            lines,
            shipping=shipping,
            adjustment=adjustment,
            adjustment_text=adjustment_text,
            reason=reason,
            user=user,
            from_return=ret,
            to_account=to_account,
        )
        ret.status = Return.Status.REFUNDED
        ret.credit_note = credit_note
        ret.closed_at = timezone.now()
        ret.save(update_fields=["status", "credit_note", "closed_at"])
        _event(
            locked,
            events.part(
                gettext_noop("Return %(number)s settled with credit note %(credit_note)s."),
                number=ret.number,
                credit_note=credit_note.number,
            ),
            user=user,
        )
    return ret


def preview_return_refund(
    return_request, shipping=ZERO, adjustment=ZERO, adjustment_text="", to_account=False
):
    # The credit note's planning refuses it without the delivery costs a withdrawal owes.
    lines = {line.order_line_id: line.quantity for line in return_request.lines.all()}
    return refunds.preview_credit_note(
        return_request.order,
        lines,
        shipping,
        adjustment,
        adjustment_text,
        from_return=return_request,
        to_account=to_account,
    )


def _take_back_out_of_stock(ret):
    """Undo the receipt's restocking of ``ret`` (locked) for a rejection; refused when the
    stock no longer holds those units — sold again, the goods cannot be sent back."""
    unstocked = []
    for line in ret.lines.select_related("order_line__product").filter(restocked=True):
        product = line.order_line.product
        taken = (
            Product.objects.filter(pk=line.order_line.product_id, stock__isnull=False)
            .filter(Q(stock__gte=line.quantity) | Q(allow_backorders=True))
            .update(stock=F("stock") - line.quantity)
        )
        if not taken and product is not None and product.stock is not None:
            raise OrderError(
                _(
                    "Return %(number)s cannot be rejected: %(quantity)s × %(name)s went back to "
                    "stock on receipt and the stock no longer holds them, so they may have been "
                    "sold again. Refund the return instead, or correct the stock first."
                )
                % {"number": ret.number, "quantity": line.quantity, "name": line.order_line.name}
            )
        line.restocked = line.back_to_stock = False
        line.save(update_fields=["restocked", "back_to_stock"])
        unstocked.append(f"{line.quantity} × {line.order_line.name}")
    return unstocked


def reject_return(return_request, reason, user=None):
    """Refuse the return; the reason is e-mailed to the customer in the order's language."""
    reason = (reason or "").strip()
    if not reason:
        raise OrderError(_("Please give the reason for the rejection."), field="reason")
    if len(reason) > NOTE_MAX:
        raise OrderError(
            _("The reason is too long (at most %(max)s characters).") % {"max": NOTE_MAX},
            field="reason",
        )
    with transaction.atomic():
        locked = _lock(return_request.order)
        ret = _lock_return(return_request)
        if not ret.is_open:
            raise OrderError(
                _("Return %(number)s is %(status)s and cannot be rejected.")
                % {"number": ret.number, "status": ret.get_status_display()}
            )
        # The rejected goods go back to the customer: units the parcel's receipt put back to
        # stock leave it again, or the stock would count goods the shop no longer has (and a
        # return received and rejected again would add them once more each time).
        unstocked = _take_back_out_of_stock(ret)
        ret.status = Return.Status.REJECTED
        ret.rejection_reason = reason
        ret.closed_at = timezone.now()
        ret.save(update_fields=["status", "rejection_reason", "closed_at"])
        queue_email(
            "order_return_rejected",
            locked.email,
            {
                "order": locked,
                "return_request": ret,
                "lines": list(ret.lines.select_related("order_line")),
                "order_url": links.customer_order_url(locked),
            },
            language=locked.language,
        )
        _event(
            locked,
            events.part(
                gettext_noop("Return %(number)s rejected; the reason was e-mailed to %(email)s."),
                number=ret.number,
                email=locked.email,
            ),
            unstocked
            and events.part(
                gettext_noop("Taken back out of stock: %(items)s."), items=", ".join(unstocked)
            ),
            user=user,
        )
    return ret
