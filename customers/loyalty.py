"""Loyalty points (S6): a ledger per customer with a cached balance.

Points are earned when an order is paid, spent on discount codes and corrected by operators;
spending and an operator's deduction need enough points. When the order is canceled or
refunded, everything it earned is taken back, even if the points have been spent meanwhile:
the balance then goes negative — the customer owes the points and later earnings repay them.
The discount codes app voids the customer's unused codes bought with points and gives their
points back first (``vouchers.services.settle_points_debt``, when an order is undone).
"""

import math

from django.db import transaction
from django.db.models import F, Sum
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shop import events, staff_limits
from shop.models import ShopSettings
from shop.money import ZERO

from . import signals
from .models import LoyaltyAccount, LoyaltyEntry, User
from .services import CustomerError

# Points an operator may add or take away in one correction.
MAX_ADJUSTMENT = 1_000_000


def _locked_account(customer_id):
    # INSERT … ON CONFLICT DO NOTHING, then lock: safe when two transactions create it at once.
    LoyaltyAccount.objects.bulk_create(
        [LoyaltyAccount(customer_id=customer_id)], ignore_conflicts=True
    )
    return LoyaltyAccount.objects.select_for_update().get(customer_id=customer_id)


ADD_BEYOND_LIMIT = "customers.adjust_points_beyond_limit"


def _added_today(staff):
    """Points ``staff`` added by corrections today (the shop's day)."""
    total = LoyaltyEntry.objects.filter(
        staff=staff,
        reason=LoyaltyEntry.Reason.ADJUST,
        points__gt=0,
        created__gte=staff_limits.start_of_today(),
    ).aggregate(total=Sum("points"))["total"]
    return total or 0


def points_allowance(staff, lock=False):
    """``(limit, added today, left)`` of the shop's daily limit of points ``staff`` may add,
    or None when it does not bind them (no limit, or they may add beyond it)."""
    limit = ShopSettings.load().staff_points_limit
    return staff_limits.allowance(staff, limit, ADD_BEYOND_LIMIT, _added_today, lock=lock)


def _check_points_limit(staff, points):
    """Inside the correction's transaction: refuse ``points`` over the daily limit (counted
    under the lock of the staff member's row: shop.staff_limits)."""
    allowed = points_allowance(staff, lock=True)
    if allowed is None:
        return
    limit, added, left = allowed
    if added + points > limit:
        raise CustomerError(
            _(
                "This would take you over your daily limit of %(limit)s loyalty points added: "
                "you have added %(added)s today, %(left)s are left. Someone with the "
                "permission to add points beyond the limit (the Shop manager) can do it."
            )
            % {
                "limit": number_format(limit, force_grouping=True),
                "added": number_format(added, force_grouping=True),
                "left": number_format(left, force_grouping=True),
            },
            field="points",
        )


def _book(customer_id, points, reason, order=None, note="", message=None, staff=None):
    """``note``: an operator's text as typed; or ``message``, the parts (``shop.events``) of
    a note the shop writes itself ("Order 100131"), read later in each reader's language —
    the customer's in their points history, a clerk's in the backoffice. Its text is written
    in the customer's language, whoever's action (a backoffice in English, a worker) booked
    it."""
    if message:
        language = User.objects.filter(pk=customer_id).values_list("language", flat=True)
        with translation.override(language.first() or None):
            note = events.text(message)
    account = _locked_account(customer_id)
    # What the customer does with points (spending) and an operator's deduction need the
    # points; taking back what an undone order earned does not (the customer owes them).
    may_owe = reason in (LoyaltyEntry.Reason.REVERSE, LoyaltyEntry.Reason.REFUND)
    if points < 0 and not may_owe and account.balance + points < 0:
        raise CustomerError(
            _("Not enough loyalty points: %(balance)d available, %(points)d needed.")
            % {"balance": max(account.balance, 0), "points": -points},
            field="points",
        )
    entry = LoyaltyEntry.objects.create(
        customer_id=customer_id,
        points=points,
        reason=reason,
        order=order,
        note=note[:200],
        message=message or [],
        staff=staff,
    )
    LoyaltyAccount.objects.filter(pk=account.pk).update(balance=F("balance") + points)
    if may_owe and account.balance + points < 0:
        # Spent meanwhile: what was bought with them and is still unused goes back first.
        signals.points_owed.send(sender=LoyaltyEntry, customer_id=customer_id)
    return entry


def locked_balance(customer_id):
    """The balance, with the customer's account locked until the transaction ends (what a
    caller books next depends on it)."""
    return _locked_account(customer_id).balance


def points_balance(customer):
    if customer is None or customer.pk is None:
        return 0
    return (
        LoyaltyAccount.objects.filter(customer_id=customer.pk)
        .values_list("balance", flat=True)
        .first()
        or 0
    )


def points_for_order(order, shop_settings=None):
    """Points earned by a paid order: rate × goods value after discount, without gift cards."""
    rate = (shop_settings or ShopSettings.load()).loyalty_points_per_euro
    goods = sum((line.line_total for line in order.lines.all() if not line.is_giftcard), ZERO)
    goods -= order.discount_total - order.shipping_discount
    if goods <= 0 or rate <= 0:
        return 0
    return math.floor(goods * rate)


def earn_points_for_order(order):
    """Book the points of a paid order once; no customer or nothing to earn → None."""
    if order.customer_id is None:
        return None
    with transaction.atomic():
        _locked_account(order.customer_id)  # serialises earn/reverse of this customer
        if LoyaltyEntry.objects.filter(order=order, reason=LoyaltyEntry.Reason.EARN).exists():
            return None
        points = points_for_order(order)
        if points <= 0:
            return None
        return _book(
            order.customer_id,
            points,
            LoyaltyEntry.Reason.EARN,
            order=order,
            message=[events.part(gettext_noop("Order %(number)s"), number=order.number)],
        )


def reverse_points_for_order(order):
    """Take back everything the order earned, once; spent meanwhile, the balance goes
    negative."""
    if order.customer_id is None:
        return None
    with transaction.atomic():
        _locked_account(order.customer_id)  # serialises earn/reverse of this customer
        earned = (
            LoyaltyEntry.objects.filter(order=order, reason=LoyaltyEntry.Reason.EARN).aggregate(
                s=Sum("points")
            )["s"]
            or 0
        )
        if (
            not earned
            or LoyaltyEntry.objects.filter(order=order, reason=LoyaltyEntry.Reason.REVERSE).exists()
        ):
            return None
        return _book(
            order.customer_id,
            -earned,
            LoyaltyEntry.Reason.REVERSE,
            order=order,
            message=[events.part(gettext_noop("Order %(number)s canceled"), number=order.number)],
        )


def refund_points(order, refunded_before, refunded_after):
    """The points earned on the part of ``order``'s goods refunded between the goods values
    ``refunded_before`` and ``refunded_after`` (after discount, without gift cards): what the
    order earned times the refunded share, counted on the running total, so that refunding
    everything in several steps takes back exactly what was earned."""
    if order.customer_id is None:
        return 0
    earned = (
        LoyaltyEntry.objects.filter(order=order, reason=LoyaltyEntry.Reason.EARN).aggregate(
            s=Sum("points")
        )["s"]
        or 0
    )
    goods = sum((line.line_total for line in order.lines.all() if not line.is_giftcard), ZERO)
    base = goods - (order.discount_total - order.shipping_discount)
    if earned <= 0 or base <= 0:
        return 0

    def upto(value):
        return math.floor(earned * min(max(value, ZERO), base) / base)

    return max(0, upto(refunded_after) - upto(refunded_before))


# Read in the notes of entries booked before reversals took back everything (the stored
# message is translated when it is read): kept for makemessages.
LEGACY_NOTES = [gettext_noop("(%(missing)d points already spent)")]


def reverse_points_for_refund(order, refunded_before, refunded_after, message):
    """Take back the points earned on a refunded part (:func:`refund_points`), all of them
    as on a cancellation: spent meanwhile, the balance goes negative. ``message``: the
    note's parts (``shop.events``), e.g. the credit note."""
    if order.customer_id is None:
        return None
    with transaction.atomic():
        _locked_account(order.customer_id)
        points = refund_points(order, refunded_before, refunded_after)
        if points <= 0:
            return None
        return _book(
            order.customer_id,
            -points,
            LoyaltyEntry.Reason.REFUND,
            order=order,
            message=list(message),
        )


def spend_points(customer, points, message):
    """Deduct ``points`` (> 0) for what ``message`` says (``shop.events`` parts, e.g. the
    bought discount code; see :func:`_book`).

    Runs in the caller's transaction when there is one (buying a code: points and code
    together or neither); raises CustomerError if the balance is insufficient.
    """
    points = int(points)
    if points <= 0:
        raise CustomerError(_("The number of points must be positive."), field="points")
    with transaction.atomic():
        return _book(customer.pk, -points, LoyaltyEntry.Reason.SPEND, message=message)


def give_back_points(customer_id, points, message):
    """Give back ``points`` (> 0) spent on what ``message`` says, now voided (an unused
    discount code, when the points that bought it were taken back). Runs in the caller's
    transaction when there is one: the code is voided and the points come back together."""
    points = int(points)
    if points <= 0:
        raise CustomerError(_("The number of points must be positive."), field="points")
    with transaction.atomic():
        return _book(customer_id, points, LoyaltyEntry.Reason.UNSPEND, message=message)


def adjust_points(customer, points, note, by=None):
    """Manual correction by an operator (positive or negative), with a reason."""
    points = int(points)
    if points == 0:
        raise CustomerError(_("Enter a non-zero number of points."), field="points")
    if abs(points) > MAX_ADJUSTMENT:
        raise CustomerError(
            _("A correction can be at most %(max)s points.") % {"max": f"{MAX_ADJUSTMENT:,}"},
            field="points",
        )
    if not (note or "").strip():
        raise CustomerError(_("Please give a reason for the correction."), field="note")
    staff = by if by is not None and by.is_authenticated else None
    if staff is not None:
        note = f"{note.strip()} ({staff.email})"
    with transaction.atomic():
        if staff is not None and points > 0:
            _check_points_limit(staff, points)
        return _book(customer.pk, points, LoyaltyEntry.Reason.ADJUST, note=note, staff=staff)
